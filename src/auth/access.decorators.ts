import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiSecurity, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ErrorResponse } from '../common/errors/error-response';

/**
 * Access levels. Every route has exactly one; a route without a decorator is `user`
 * (deny by default: a valid JWT is required).
 */
export type AccessLevel = 'public' | 'api-key' | 'user' | 'admin' | 'admin-or-api-key';
export const ACCESS_LEVEL = 'heliox:access-level';
export const API_KEY_HEADER = 'X-API-Key';
export const API_KEY_SCHEME = 'api-key';
export const BEARER_SCHEME = 'bearer';

/** Open to anyone: login, health, metrics. */
export const Public = () => SetMetadata(ACCESS_LEVEL, 'public' satisfies AccessLevel);

/** Machines: the admin API key in `X-API-Key`. */
export const ApiKeyAuth = () =>
  applyDecorators(
    SetMetadata(ACCESS_LEVEL, 'api-key' satisfies AccessLevel),
    ApiSecurity(API_KEY_SCHEME),
    ApiUnauthorizedResponse({ description: 'Missing or wrong X-API-Key', type: ErrorResponse }),
  );

/** People: any logged-in user (members are scoped to their team by the service). */
export const Authenticated = () =>
  applyDecorators(
    SetMetadata(ACCESS_LEVEL, 'user' satisfies AccessLevel),
    ApiBearerAuth(BEARER_SCHEME),
    ApiUnauthorizedResponse({ description: 'Missing, invalid or expired token', type: ErrorResponse }),
  );

/** People with the `admin` role. */
export const AdminOnly = () =>
  applyDecorators(
    SetMetadata(ACCESS_LEVEL, 'admin' satisfies AccessLevel),
    ApiBearerAuth(BEARER_SCHEME),
    ApiUnauthorizedResponse({ description: 'Missing, invalid or expired token', type: ErrorResponse }),
    ApiForbiddenResponse({ description: 'The caller is not an admin', type: ErrorResponse }),
  );

/**
 * Read-only admin views that machines and admins both use (the ingestion run history): the API
 * key when the request carries `X-API-Key`, otherwise a bearer token of the `admin` role.
 */
export const AdminOrApiKeyAuth = () =>
  applyDecorators(
    SetMetadata(ACCESS_LEVEL, 'admin-or-api-key' satisfies AccessLevel),
    ApiSecurity(API_KEY_SCHEME),
    ApiBearerAuth(BEARER_SCHEME),
    ApiUnauthorizedResponse({
      description: 'Missing or wrong X-API-Key, or a missing, invalid or expired token',
      type: ErrorResponse,
    }),
    ApiForbiddenResponse({ description: "The token is not an admin's", type: ErrorResponse }),
  );
