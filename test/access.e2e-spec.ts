import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { MetadataScanner, ModulesContainer, Reflector } from '@nestjs/core';
import { ACCESS_LEVEL, AccessLevel } from '../src/auth/access.decorators';
import { expectErrorShape } from './support/expectations';
import { createTestApp, TestApp } from './support/test-app';

interface ExpressRoute {
  method: string;
  path: string;
}

/** The routes the running app actually serves, read from Express' router (so routes added later are covered too). */
function servedRoutes(t: TestApp): ExpressRoute[] {
  const express = t.app.getHttpAdapter().getInstance() as {
    router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] };
  };
  return (
    express.router.stack
      .filter((layer) => layer.route)
      // Nest mounts middleware (logging, metrics) as a route answering every method; endpoints answer one.
      .filter((layer) => Object.keys(layer.route!.methods).length === 1)
      .flatMap((layer) =>
        Object.keys(layer.route!.methods).map((method) => ({ method: method.toUpperCase(), path: layer.route!.path })),
      )
  );
}

/** Every Nest handler that declares itself @Public(), as "METHOD controller/path". */
function publicHandlers(t: TestApp): string[] {
  const reflector = t.app.get(Reflector);
  const scanner = new MetadataScanner();
  const found: string[] = [];
  for (const module of t.app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as new (...args: unknown[]) => object;
      if (!controller?.prototype) continue;
      for (const name of scanner.getAllMethodNames(controller.prototype)) {
        const handler = (controller.prototype as Record<string, unknown>)[name] as (...args: unknown[]) => unknown;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (method === undefined) continue;
        const level = reflector.getAllAndOverride<AccessLevel | undefined>(ACCESS_LEVEL, [handler, controller]);
        if (level !== 'public') continue;
        const path = [Reflect.getMetadata(PATH_METADATA, controller), Reflect.getMetadata(PATH_METADATA, handler)]
          .map((p: string | undefined) => (p ?? '').replace(/^\/|\/$/g, ''))
          .filter(Boolean)
          .join('/');
        found.push(`${RequestMethod[method]} ${path}`);
      }
    }
  }
  return found.sort();
}

/** A concrete URL for a route pattern: every parameter becomes a well-formed uuid. */
const concrete = (path: string) =>
  path.replace(/:[A-Za-z_]+/g, '00000000-0000-4000-8000-000000000000').replace(/\{\*[A-Za-z_]+\}|\*[A-Za-z_]*/g, 'x');

/** The documentation routes SwaggerModule mounts on Express itself. */
const isDocs = (path: string) => path.startsWith('/api/docs');

describe('Access: deny by default', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('declares exactly login, health and metrics @Public()', () => {
    expect(publicHandlers(t)).toEqual(['GET health', 'GET metrics', 'POST auth/login']);
  });

  it('serves the routes this walk is meant to cover', () => {
    const paths = servedRoutes(t).map((r) => `${r.method} ${r.path}`);
    expect(paths).toEqual(
      expect.arrayContaining([
        'GET /api/v1/jobs',
        'GET /api/v1/jobs/:job_id',
        'GET /api/v1/teams',
        'PATCH /api/v1/teams/:id',
        'GET /api/v1/admin/users',
        'POST /api/v1/admin/users',
        'PATCH /api/v1/admin/users/:id',
        'DELETE /api/v1/admin/users/:id',
        'GET /api/v1/auth/me',
      ]),
    );
  });

  it('refuses an anonymous call to every route that is not public, with 401 in the common shape', async () => {
    const open = ['POST /api/v1/auth/login', 'GET /api/v1/health', 'GET /metrics'];
    const refused: string[] = [];
    const answered: string[] = [];
    for (const route of servedRoutes(t)) {
      const key = `${route.method} ${route.path}`;
      if (open.includes(key) || isDocs(route.path)) continue;
      const res = await t.http[route.method.toLowerCase() as 'get'](concrete(route.path)).send({});
      if (res.status === 401) {
        expectErrorShape(res.body, 401);
        refused.push(key);
      } else {
        answered.push(`${key} → ${res.status}`);
      }
    }
    expect(answered).toEqual([]);
    expect(refused.length).toBeGreaterThanOrEqual(8);
  });

  it('refuses a malformed bearer token on every route that is not public', async () => {
    const answered: string[] = [];
    for (const route of servedRoutes(t)) {
      if (['/api/v1/auth/login', '/api/v1/health', '/metrics'].includes(route.path) || isDocs(route.path)) continue;
      const res = await t.http[route.method.toLowerCase() as 'get'](concrete(route.path))
        .set('Authorization', 'Bearer not.a.token')
        .send({});
      if (res.status !== 401) answered.push(`${route.method} ${route.path} → ${res.status}`);
    }
    expect(answered).toEqual([]);
  });

  it('answers the public routes without credentials', async () => {
    await t.http.get('/api/v1/health').expect(200);
    await t.http.get('/metrics').expect(200);
    await t.http.get('/api/docs-json').expect(200);
    await t.http.post('/api/v1/auth/login').send({ username: 'nobody@example.com', password: 'x' }).expect(401);
  });
});
