import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { createOpenApiDocument, setRoutePrefix } from './app.setup';

/**
 * Writes the OpenAPI document without a database: in preview mode Nest builds the module graph
 * and reads the routes' metadata but instantiates no provider, so nothing connects anywhere.
 */
async function main(out = process.argv[2] ?? 'dist/openapi.json'): Promise<void> {
  const app = await NestFactory.create(AppModule, { preview: true, logger: false, abortOnError: false });
  setRoutePrefix(app);
  const document = createOpenApiDocument(app);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(document, null, 2)}\n`);
  await app.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
