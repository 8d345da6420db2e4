import { NestFactory } from '@nestjs/core';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { OperationObject, ResponseObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { AppModule } from '../src/app.module';
import { createOpenApiDocument, setRoutePrefix } from '../src/app.setup';
import { createTestApp, TestApp } from './support/test-app';

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

function operationsOf(document: OpenAPIObject): [string, OperationObject][] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    METHODS.flatMap((method) => (item[method] ? [[`${method.toUpperCase()} ${path}`, item[method]]] : [])),
  ) as [string, OperationObject][];
}

/**
 * The OpenAPI document is a contract: the one served is the one `npm run openapi` writes (and
 * CI lints) without a database, and every route says what it answers on success.
 */
describe('OpenAPI document', () => {
  let t: TestApp;
  let served: OpenAPIObject;

  beforeAll(async () => {
    t = await createTestApp();
    served = (await t.http.get('/api/docs-json').expect(200)).body as OpenAPIObject;
  });

  afterAll(async () => {
    await t.close();
  });

  it('is the document generated without a database', async () => {
    const preview = await NestFactory.create(AppModule, { preview: true, logger: false });
    setRoutePrefix(preview);
    const generated = createOpenApiDocument(preview);
    await preview.close();
    expect(served).toEqual(JSON.parse(JSON.stringify(generated)));
  });

  it('describes the success answer of every route with a schema', () => {
    const missing = operationsOf(served).filter(([, operation]) => {
      const success = Object.entries(operation.responses).filter(([code]) => /^2\d\d$/.test(code));
      return (
        success.length === 0 ||
        success.some(([code, response]) => {
          if (code === '204') return false;
          const content = Object.values((response as ResponseObject).content ?? {});
          return content.length === 0 || content.some((media) => media.schema === undefined);
        })
      );
    });
    expect(missing.map(([name]) => name)).toEqual([]);
  });

  it('describes failures with the one error shape', () => {
    const ref = '#/components/schemas/ErrorResponse';
    const others = operationsOf(served).flatMap(([name, operation]) =>
      Object.entries(operation.responses)
        .filter(([code]) => /^[45]\d\d$/.test(code))
        .filter(([, response]) => {
          const schema = (response as ResponseObject).content?.['application/json']?.schema;
          return !schema || !('$ref' in schema) || schema.$ref !== ref;
        })
        .map(([code]) => `${name} ${code}`),
    );
    expect(others).toEqual([]);
  });

  it('says which routes need no credentials, and they are only the public ones', () => {
    const open = operationsOf(served)
      .filter(([, operation]) => operation.security?.length === 0)
      .map(([name]) => name)
      .sort();
    expect(open).toEqual(['GET /api/v1/health', 'GET /metrics', 'POST /api/v1/auth/login']);
  });

  it('documents 429 with Retry-After on the rate-limited routes (login, /jobs, /analytics) and only there', () => {
    const limited = operationsOf(served)
      .filter(([, operation]) => {
        const refusal = operation.responses['429'] as ResponseObject | undefined;
        return refusal?.headers?.['Retry-After'] !== undefined;
      })
      .map(([name]) => name);
    const expected = operationsOf(served)
      .map(([name]) => name)
      .filter((name) => /^GET \/api\/v1\/(jobs|analytics)\b/.test(name) || name === 'POST /api/v1/auth/login');
    expect(limited.sort()).toEqual(expected.sort());
    expect(expected).toEqual(expect.arrayContaining(['GET /api/v1/jobs', 'GET /api/v1/analytics/cost/export']));
    const undocumented = operationsOf(served).filter(([name, op]) => op.responses['429'] && !limited.includes(name));
    expect(undocumented.map(([name]) => name)).toEqual([]);
  });

  it('documents 503 with Retry-After on every route that needs the database, and only /metrics without', () => {
    const without = operationsOf(served)
      .filter(
        ([, operation]) =>
          (operation.responses['503'] as ResponseObject | undefined)?.headers?.['Retry-After'] === undefined,
      )
      .map(([name]) => name);
    expect(without).toEqual(['GET /metrics']);
    const health = served.paths['/api/v1/health'].get!.responses['503'] as ResponseObject;
    expect(health.description).toBe('The database does not answer');
    expect(JSON.stringify(served)).not.toContain('x-without-database');
  });
});
