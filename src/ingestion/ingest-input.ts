import { HttpStatus } from '@nestjs/common';
import type { Request } from 'express';
import { DomainError } from '../common/errors/domain-error';
import { storableText } from '../common/storable-text';
import type { IngestInput } from './ingestion.service';

const NDJSON_TYPES = ['application/x-ndjson', 'application/ndjson'];
const ACCEPTED_TYPES = ['application/json', ...NDJSON_TYPES, 'text/csv'];
const CHARSET = /;\s*charset\s*=\s*"?([^";\s]*)"?/i;
/** US-ASCII is UTF-8 as far as it goes. */
const UTF8_CHARSETS = ['utf-8', 'utf8', 'us-ascii'];

/**
 * What an ingestion request carries, by its Content-Type. JSON was parsed by the body parser
 * (capped by BODY_LIMIT); NDJSON and CSV are left as the request stream, read as it arrives.
 */
export function ingestInputOf(req: Request): IngestInput {
  const header = req.headers['content-type'] ?? '';
  const type = header.split(';')[0].trim().toLowerCase();
  if (type === 'application/json') return { format: 'json', body: req.body };
  if (NDJSON_TYPES.includes(type) || type === 'text/csv') {
    // Streams are read as UTF-8: text in another charset would be stored as U+FFFD, unsaid.
    const charset = CHARSET.exec(header)?.[1].toLowerCase();
    if (charset === undefined || UTF8_CHARSETS.includes(charset)) {
      return { format: type === 'text/csv' ? 'csv' : 'ndjson', stream: req };
    }
    req.resume();
    return unsupported(`Content-Type charset must be utf-8 (got ${storableText(charset, 64)})`);
  }
  req.resume();
  const message = `Content-Type must be one of ${ACCEPTED_TYPES.join(', ')}${type ? ` (got ${type})` : ''}`;
  return unsupported(message);
}

function unsupported(message: string): never {
  throw new DomainError(HttpStatus.UNSUPPORTED_MEDIA_TYPE, message, [{ field: 'Content-Type', message }]);
}
