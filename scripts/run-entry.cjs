#!/usr/bin/env node
/**
 * `node scripts/run-entry.cjs src/allocation/rebuild.cli [args…]`: runs one of the operator
 * commands (`npm run ingest`, `allocation:rebuild`, `archive`) wherever Heliox is installed.
 *
 * - In a checkout with the development dependencies: the TypeScript source, through ts-node, so
 *   the command needs no build and never runs a stale one.
 * - Where there is no source or no ts-node (the Docker image holds `dist/` and the production
 *   dependencies only): the compiled file in `dist/` that `npm run build` wrote.
 *
 * Plain JavaScript, so that it runs in both places. The command runs as the main module and
 * sees its own arguments in `process.argv.slice(2)`, as when it is started directly.
 */
'use strict';
const { existsSync } = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');

/** ts-node's entry, or null where the development dependencies are not installed. */
function tsNode() {
  try {
    return require.resolve('ts-node', { paths: [root] });
  } catch {
    return null;
  }
}

/** Which file runs `entry` (a path under the root without extension), and how. */
function resolveEntry(entry) {
  const source = path.join(root, `${entry}.ts`);
  const compiled = path.join(root, 'dist', `${entry}.js`);
  const compiler = existsSync(source) ? tsNode() : null;
  if (compiler) return { file: source, compiler };
  if (existsSync(compiled)) return { file: compiled, compiler: null };
  return {
    error:
      `Cannot run ${entry}: ` +
      (existsSync(source)
        ? `ts-node is not installed (npm ci installs it) and ${path.relative(root, compiled)} is not built (npm run build)`
        : `neither ${entry}.ts nor ${path.relative(root, compiled)} exists`),
  };
}

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('Usage: node scripts/run-entry.cjs <path under the project, without extension> [arguments…]');
  process.exit(2);
}
const target = resolveEntry(entry);
if (target.error) {
  console.error(target.error);
  process.exit(1);
}
if (target.compiler)
  require(target.compiler).register({ transpileOnly: true, project: path.join(root, 'tsconfig.json') });
// Run as the main module, as ts-node's own command does, so `require.main === module` holds.
process.argv = [process.argv[0], target.file, ...args];
require('node:module').runMain();
