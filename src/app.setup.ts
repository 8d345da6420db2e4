import type { IncomingMessage, ServerResponse } from 'node:http';
import { INestApplication, RequestMethod } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { API_KEY_HEADER, API_KEY_SCHEME, BEARER_SCHEME } from './auth/access.decorators';
import { bodyParsers } from './common/body-parsers';
import { parseQueryString } from './common/label-filters';
import { assignRequestId } from './common/logging.module';
import { documentUnavailable, operationsOf } from './common/openapi-document';
import { closeStalledConnections } from './common/stalled-connections';
import { Env } from './config/env';
import { INGEST_JSON_ROUTES } from './ingestion/ingestion.controller';

const API_PREFIX = 'api/v1';

/**
 * Everything about the HTTP app that is not a module: prefix, body limits, security headers,
 * CORS, Swagger, shutdown. Shared by main.ts and the e2e tests so both run the same app.
 * The app must be created with `{ bodyParser: false, bufferLogs: true }`.
 */
export function configureApp(app: NestExpressApplication): void {
  const config = app.get<ConfigService<Env, true>>(ConfigService);
  app.useLogger(app.get(Logger));
  setRoutePrefix(app);
  // Which proxies may set the client address (X-Forwarded-For), validated at boot.
  app.set('trust proxy', config.get('TRUST_PROXY', { infer: true }));
  // The plain parser, with label.<key>=<value> filters gathered for the DTOs (common/label-filters.ts).
  app.set('query parser', parseQueryString);

  closeStalledConnections(app.getHttpServer(), config.get('STALLED_CLIENT_SECONDS', { infer: true }) * 1000);
  app.use((req: IncomingMessage, res: ServerResponse, next: () => void) => {
    assignRequestId(req, res);
    next();
  });
  // NDJSON and CSV are not parsed here: ingestion streams them.
  app.use(
    bodyParsers({
      limit: config.get('API_BODY_LIMIT', { infer: true }),
      largeJsonLimit: config.get('BODY_LIMIT', { infer: true }),
      largeJsonPaths: INGEST_JSON_ROUTES.map((route) => `/${API_PREFIX}/${route}`),
    }),
  );

  app.use(helmet());
  const origins = config.get('CORS_ORIGINS', { infer: true });
  app.enableCors({
    origin: origins,
    // Every method a route takes: a dashboard on another allowed origin deletes capacity, users and rules too.
    methods: ['GET', 'POST', 'PATCH', 'DELETE', 'OPTIONS'],
    allowedHeaders: ['Authorization', 'Content-Type', API_KEY_HEADER, 'X-Request-Id'],
    exposedHeaders: ['X-Request-Id', 'Retry-After', 'Content-Disposition'],
  });
  setUpSwagger(app);
  app.enableShutdownHooks();
}

/** Every route under /api/v1 except the Prometheus scrape, which stays at /metrics. */
export function setRoutePrefix(app: INestApplication): void {
  app.setGlobalPrefix(API_PREFIX, { exclude: [{ path: 'metrics', method: RequestMethod.GET }] });
}

/** The OpenAPI document of the app's routes; the app must have its route prefix set. */
export function createOpenApiDocument(app: INestApplication): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Heliox API')
      .setDescription(
        'GPU cost allocation: ingest jobs and provider costs, see what every team and model costs. ' +
          'People authenticate with a bearer token from POST /api/v1/auth/login; machines with the X-API-Key header.',
      )
      .setVersion('1')
      .setLicense('Proprietary (UNLICENSED)', 'https://docs.npmjs.com/cli/configuring-npm/package-json#license')
      .addServer('/', 'This server')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, BEARER_SCHEME)
      .addApiKey({ type: 'apiKey', in: 'header', name: API_KEY_HEADER }, API_KEY_SCHEME)
      .build(),
  );
  markPublicOperations(document);
  documentUnavailable(document);
  return document;
}

/**
 * Routes are closed by default and each access decorator names its security scheme, so an
 * operation without one is a @Public() route. OpenAPI reads a missing `security` as "not
 * stated"; `security: []` says "no credentials needed", which is what a client generator needs.
 */
function markPublicOperations(document: OpenAPIObject): void {
  for (const operation of operationsOf(document)) {
    if (!operation.security) operation.security = [];
  }
}

function setUpSwagger(app: INestApplication): void {
  SwaggerModule.setup('api/docs', app, createOpenApiDocument(app), {
    jsonDocumentUrl: 'api/docs-json',
    yamlDocumentUrl: 'api/docs-yaml',
  });
}
