import { ConfigService } from '@nestjs/config';
import { createSecretKey, KeyObject } from 'node:crypto';
import { Env } from '../config/env';

/**
 * The HS256 key as a KeyObject, made once by each user of it: given a string, jsonwebtoken
 * first tries (and fails) to parse it as a public key on every use, which costs more than the
 * HMAC itself.
 */
export function jwtSecretKey(config: ConfigService<Env, true>): KeyObject {
  const secret: string = config.get('JWT_SECRET', { infer: true });
  return createSecretKey(Buffer.from(secret, 'utf8'));
}
