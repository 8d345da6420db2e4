import { json, urlencoded } from 'body-parser';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { checkJsonShape } from './input-checks';
import { MAX_FORM_FIELDS, MAX_INGEST_JSON_VALUES, MAX_JSON_VALUES } from './input-limits';

export interface BodyLimits {
  /** Bytes of any JSON or form body, except on `largeJsonPaths`. */
  limit: string;
  /** Bytes of a JSON body POSTed to one of `largeJsonPaths`. */
  largeJsonLimit: string;
  /** Full paths (`/api/v1/…`) that take large JSON bodies: the JSON ingestion routes. */
  largeJsonPaths: string[];
}

/**
 * The JSON and form body parsers, as one middleware: small bodies everywhere, large JSON only on
 * the routes that ingest records, and every JSON text checked for depth and number of values
 * before it is parsed (`verify` runs on the raw bytes). So a hostile body costs at most its byte
 * cap to read and one pass over those bytes to refuse, and stalls nothing else.
 */
export function bodyParsers(limits: BodyLimits): RequestHandler {
  const largePaths = new Set(limits.largeJsonPaths.map((p) => p.toLowerCase()));
  const smallJson = json({ limit: limits.limit, verify: (_req, _res, text) => checkJsonShape(text, MAX_JSON_VALUES) });
  const largeJson = json({
    limit: limits.largeJsonLimit,
    verify: (_req, _res, text) => checkJsonShape(text, MAX_INGEST_JSON_VALUES),
  });
  const form = urlencoded({ limit: limits.limit, extended: false, parameterLimit: MAX_FORM_FIELDS });

  return (req: Request, res: Response, next: NextFunction) => {
    const large = req.method === 'POST' && largePaths.has(pathOf(req.url));
    (large ? largeJson : smallJson)(req, res, (jsonError?: unknown) => {
      if (jsonError) return next(jsonError);
      form(req, res, next);
    });
  };
}

/** The path of a URL as Express routes it: without query, case or a trailing slash. */
function pathOf(url: string): string {
  const end = url.indexOf('?');
  return (end === -1 ? url : url.slice(0, end)).replace(/\/+$/, '').toLowerCase();
}
