import { Logger, Module, OnModuleInit } from '@nestjs/common';
import { ServeStaticModule } from '@nestjs/serve-static';
import type { ServerResponse } from 'node:http';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { WEB_ASSETS_DIR, WEB_INDEX } from './web-paths';

/** Built file names carry a content hash (web/build.ts), so a browser may keep them for good; the page itself is checked each time. */
function cacheHeaders(res: ServerResponse, file: string): void {
  res.setHeader(
    'Cache-Control',
    path.basename(file) === WEB_INDEX ? 'no-cache' : 'public, max-age=31536000, immutable',
  );
}

/**
 * The dashboard: the bundle `npm run build` writes to dist/web, served at `/` by the same
 * process as the API. Its files are mounted after the API's routes (the module registers them
 * when the app initialises), so an API request never looks for a file.
 */
@Module({
  imports: [
    ServeStaticModule.forRoot({
      rootPath: WEB_ASSETS_DIR,
      // Only the page's own address falls back to index.html: the page routes with the URL's
      // hash, and an unknown path stays a JSON 404.
      renderPath: '/',
      exclude: ['/api/{*path}', '/metrics'],
      serveStaticOptions: { index: WEB_INDEX, fallthrough: true, setHeaders: cacheHeaders },
    }),
  ],
})
export class WebModule implements OnModuleInit {
  private readonly logger = new Logger('Dashboard');

  onModuleInit(): void {
    if (!existsSync(path.join(WEB_ASSETS_DIR, WEB_INDEX)))
      this.logger.warn(`The dashboard is not built (no ${WEB_INDEX} in ${WEB_ASSETS_DIR}): npm run build makes it`);
  }
}
