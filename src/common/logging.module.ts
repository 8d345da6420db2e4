import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RequestMethod } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { LoggerModule } from 'nestjs-pino';
import { Env } from '../config/env';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

type RequestWithId = Omit<IncomingMessage, 'id'> & { id?: string | number | object };

/**
 * Gives the request its id (the caller's `X-Request-Id` when it is sane, else a new UUID) and
 * echoes it in the response header. Runs first (before the body parsers, whose errors must
 * carry the id too) and again from the logger, which then finds it already set.
 */
export function assignRequestId(req: RequestWithId, res: ServerResponse): string {
  if (typeof req.id === 'string') return req.id;
  const given = req.headers['x-request-id'];
  req.id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  res.setHeader('X-Request-Id', req.id);
  return req.id;
}

/** Structured JSON logs; every line about a request carries its request id. */
export const LoggingModule = LoggerModule.forRootAsync({
  inject: [ConfigService],
  useFactory: (config: ConfigService<Env, true>) => ({
    forRoutes: [{ path: '{*splat}', method: RequestMethod.ALL }],
    pinoHttp: {
      level: config.get('LOG_LEVEL', { infer: true }),
      genReqId: assignRequestId,
      // Every line of a request carries `request_id` through one child logger made per request;
      // customProps would make (and stringify) two more, per request, even when nothing is logged.
      quietReqLogger: true,
      customAttributeKeys: { reqId: 'request_id' },
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      redact: ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie'],
      // Health probes and scrapes would drown the log.
      autoLogging: { ignore: (req: IncomingMessage) => /\/(health|metrics)$/.test(req.url?.split('?')[0] ?? '') },
    },
  }),
});
