import { HttpStatus } from '@nestjs/common';
import type { Request } from 'express';
import { DomainError } from '../common/errors/domain-error';
import type { IngestInput } from './ingestion.service';

const NDJSON_TYPES = ['application/x-ndjson', 'application/ndjson'];
const ACCEPTED_TYPES = ['application/json', ...NDJSON_TYPES, 'text/csv'];

/**
 * What an ingestion request carries, by its Content-Type. JSON was parsed by the body parser
 * (capped by BODY_LIMIT); NDJSON and CSV are left as the request stream, read as it arrives.
 */
export function ingestInputOf(req: Request): IngestInput {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/json') return { format: 'json', body: req.body };
  if (NDJSON_TYPES.includes(type)) return { format: 'ndjson', stream: req };
  if (type === 'text/csv') return { format: 'csv', stream: req };
  req.resume();
  const message = `Content-Type must be one of ${ACCEPTED_TYPES.join(', ')}${type ? ` (got ${type})` : ''}`;
  return unsupported(message);
}

function unsupported(message: string): never {
  throw new DomainError(HttpStatus.UNSUPPORTED_MEDIA_TYPE, message, [{ field: 'Content-Type', message }]);
}
