import { Logger, Module, OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { HttpAdapterHost } from '@nestjs/core';
import type { Application } from 'express';
import { existsSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import serveStatic from 'serve-static';
import { Env } from '../config/env';
import { DEFAULT_DASHBOARD_DIR, WEB_INDEX } from './web-paths';

/** Built file names carry a content hash (web/build.ts), so a browser may keep them for good; the page itself is checked each time. */
function cacheHeaders(res: ServerResponse, file: string): void {
  res.setHeader(
    'Cache-Control',
    path.basename(file) === WEB_INDEX ? 'no-cache' : 'public, max-age=31536000, immutable',
  );
}

/**
 * The dashboard: the bundle `npm run build` writes to dist/web, served at `/` by the same
 * process as the API. The files are mounted when the app initialises, after the API's routes
 * are, so an API request never looks for a file, and a path that is neither a route nor a file
 * falls through to the usual JSON 404. The page routes with the URL's hash: the server only
 * ever serves `/` and the files it names.
 */
@Module({})
export class WebModule implements OnModuleInit {
  private readonly logger = new Logger('Dashboard');

  // The adapter is read at init, not at construction: a testing module builds its providers
  // before the app (and its adapter) exists.
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly config: ConfigService<Env, true>,
  ) {}

  onModuleInit(): void {
    const dir = this.config.get('DASHBOARD_DIR', { infer: true }) ?? DEFAULT_DASHBOARD_DIR;
    const app = this.adapterHost.httpAdapter.getInstance<Application>();
    app.use(serveStatic(dir, { index: WEB_INDEX, fallthrough: true, redirect: false, setHeaders: cacheHeaders }));
    if (!existsSync(path.join(dir, WEB_INDEX)))
      this.logger.warn(`The dashboard is not built (no ${WEB_INDEX} in ${dir}): npm run build makes it`);
  }
}
