import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * The checkout's root, found by walking up to its package.json: the same lookup works from
 * `src/web` (ts-node, Jest) and from `dist/src/web` (a build, where dist/ has no package.json).
 */
function repositoryRoot(from = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`No package.json above ${from}`);
  }
}

/** Where `npm run build` writes the dashboard, and where it is served from unless DASHBOARD_DIR says otherwise. */
export const DEFAULT_DASHBOARD_DIR = path.join(repositoryRoot(), 'dist', 'web');
export const WEB_INDEX = 'index.html';
