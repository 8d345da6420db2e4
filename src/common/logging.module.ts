import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Injectable, MiddlewareConsumer, Module, NestMiddleware, NestModule, RequestMethod } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { LoggerModule, PinoLogger } from 'nestjs-pino';
import type { Logger as Pino } from 'pino';
import { Env } from '../config/env';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

type RequestWithId = Omit<IncomingMessage, 'id'> & { id?: string | number | object };

/**
 * Gives the request its id (the caller's `X-Request-Id` when it is sane, else a new UUID) and
 * echoes it in the response header. Runs first, before the body parsers, whose errors must carry
 * the id too.
 */
export function assignRequestId(req: RequestWithId, res: ServerResponse): string {
  if (typeof req.id === 'string') return req.id;
  const given = req.headers['x-request-id'];
  req.id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  res.setHeader('X-Request-Id', req.id);
  return req.id;
}

/** Health probes and scrapes would drown the log. */
const QUIET_PATHS = /\/(health|metrics)(\?|$)/;

/**
 * One line per request when it ends: `request completed` (level error for a 5xx, else info) or
 * `request aborted` when the client went away before the answer, each with `request_id`, the
 * method, the URL, the status and the time taken. Nothing is built when the level is off.
 *
 * Why not pino-http's middleware: it made two child loggers per request (one serialising and
 * redacting the request) even at level warn, and nestjs-pino's request scope ran every request
 * inside an AsyncLocalStorage, whose promise hooks tax every await. Together they were a sixth of
 * the API's CPU per `GET /jobs` (docs/decisions.md, "Request logging"). Lines about a request
 * carry its id explicitly instead (the error filter's, this one's).
 */
@Injectable()
export class RequestLogMiddleware implements NestMiddleware {
  private root?: Pino;

  constructor(private readonly logger: PinoLogger) {}

  /** nestjs-pino makes its root logger when the app's middleware is configured, after this is built. */
  private get log(): Pino {
    return (this.root ??= this.logger.logger);
  }

  use(req: RequestWithId & { originalUrl?: string }, res: ServerResponse, next: () => void): void {
    const url = req.originalUrl ?? req.url ?? '';
    if (!this.log.isLevelEnabled('info') || QUIET_PATHS.test(url)) return next();
    const started = performance.now();
    const done = (event: 'finish' | 'close') => {
      res.off('finish', onFinish);
      res.off('close', onClose);
      const line = {
        request_id: req.id,
        req: { method: req.method, url },
        res: { statusCode: res.statusCode },
        responseTime: Math.round(performance.now() - started),
      };
      if (event === 'close') this.log.info(line, 'request aborted');
      else if (res.statusCode >= 500) this.log.error(line, 'request completed');
      else this.log.info(line, 'request completed');
    };
    const onFinish = () => done('finish');
    const onClose = () => done('close');
    res.once('finish', onFinish);
    res.once('close', onClose);
    next();
  }
}

/** Structured JSON logs through pino: the app's logger, and one line per request. */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService<Env, true>) => ({
        // nestjs-pino's own per-request middleware is not used (RequestLogMiddleware is).
        forRoutes: [],
        pinoHttp: {
          level: config.get('LOG_LEVEL', { infer: true }),
          redact: ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie'],
        },
      }),
    }),
  ],
  providers: [RequestLogMiddleware],
})
export class LoggingModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(RequestLogMiddleware).forRoutes({ path: '{*splat}', method: RequestMethod.ALL });
  }
}
