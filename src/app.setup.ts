import type { IncomingMessage, ServerResponse } from 'node:http';
import { INestApplication, RequestMethod } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { API_KEY_HEADER, API_KEY_SCHEME, BEARER_SCHEME } from './auth/access.decorators';
import { assignRequestId } from './common/logging.module';
import { Env } from './config/env';

export const API_PREFIX = 'api/v1';

/**
 * Everything about the HTTP app that is not a module: prefix, body limits, security headers,
 * CORS, Swagger, shutdown. Shared by main.ts and the e2e tests so both run the same app.
 * The app must be created with `{ bodyParser: false, bufferLogs: true }`.
 */
export function configureApp(app: NestExpressApplication): void {
  const config = app.get<ConfigService<Env, true>>(ConfigService);
  app.useLogger(app.get(Logger));
  app.setGlobalPrefix(API_PREFIX, { exclude: [{ path: 'metrics', method: RequestMethod.GET }] });
  app.set('trust proxy', 'loopback');
  app.set('query parser', 'simple');

  app.use((req: IncomingMessage, res: ServerResponse, next: () => void) => {
    assignRequestId(req, res);
    next();
  });
  const limit = config.get('BODY_LIMIT', { infer: true });
  // NDJSON and CSV are not parsed here: ingestion streams them.
  app.useBodyParser('json', { limit });
  app.useBodyParser('urlencoded', { limit, extended: false });

  app.use(helmet());
  const origins = config.get('CORS_ORIGINS', { infer: true });
  app.enableCors({
    origin: origins,
    methods: ['GET', 'POST', 'PATCH', 'OPTIONS'],
    allowedHeaders: ['Authorization', 'Content-Type', API_KEY_HEADER, 'X-Request-Id'],
    exposedHeaders: ['X-Request-Id', 'Retry-After', 'Content-Disposition'],
  });
  setUpSwagger(app);
  app.enableShutdownHooks();
}

function setUpSwagger(app: INestApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Heliox API')
      .setDescription(
        'GPU cost allocation: ingest jobs and provider costs, see what every team and model costs. ' +
          'People authenticate with a bearer token from POST /api/v1/auth/login; machines with the X-API-Key header.',
      )
      .setVersion('1')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, BEARER_SCHEME)
      .addApiKey({ type: 'apiKey', in: 'header', name: API_KEY_HEADER }, API_KEY_SCHEME)
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, {
    jsonDocumentUrl: 'api/docs-json',
    yamlDocumentUrl: 'api/docs-yaml',
  });
}
