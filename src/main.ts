import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { configureApp } from './app.setup';
import { ConfigService } from '@nestjs/config';
import { Env, InvalidConfigError } from './config/env';
import { Logger } from 'nestjs-pino';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule, {
    bodyParser: false,
    bufferLogs: true,
    // A failed boot reaches the catch below instead of Nest's handler, which would print a
    // config error with a stack; once the app exists, its logs go through pino (configureApp).
    abortOnError: false,
    logger: false,
  });
  configureApp(app);
  const config = app.get<ConfigService<Env, true>>(ConfigService);
  const port = config.get('PORT', { infer: true });
  const host = config.get('HOST', { infer: true });
  await app.listen(port, host);
  const url = `http://${host === '0.0.0.0' ? 'localhost' : host}:${port}`;
  app.get(Logger).log(`Heliox API on ${url}/api/v1, Swagger UI on ${url}/api/docs`, 'Bootstrap');
}

bootstrap().catch((error: unknown) => {
  // Config errors already name the variable; say it plainly, without a stack.
  console.error(error instanceof InvalidConfigError ? error.message : error);
  process.exit(1);
});
