import { build } from 'esbuild';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

/**
 * Bundles the dashboard (web/src) into one script and one style sheet with content-hashed names,
 * writes index.html naming them, and refuses a bundle over the size budget. `npm run build` runs
 * it after the API's build; the browser tests run it too, so they test what `npm start` serves.
 */

const WEB_DIR = __dirname;
/** The gzipped size the page's files may add up to: the dashboard must open fast on a slow link. */
export const GZIP_BUDGET_BYTES = 300 * 1024;

export interface WebBuild {
  outDir: string;
  files: { name: string; bytes: number; gzipBytes: number }[];
  gzipBytes: number;
}

export async function buildWeb(outDir: string): Promise<WebBuild> {
  await fs.rm(outDir, { recursive: true, force: true });
  const result = await build({
    entryPoints: [path.join(WEB_DIR, 'src', 'main.tsx')],
    outdir: outDir,
    entryNames: '[name]-[hash]',
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['es2022'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    sourcemap: false,
    legalComments: 'linked',
    metafile: true,
    logLevel: 'silent',
  });
  const outputs = Object.keys(result.metafile.outputs).map((file) => path.basename(file));
  const script = outputs.find((f) => f.endsWith('.js'));
  const styles = outputs.find((f) => f.endsWith('.css'));
  if (!script || !styles)
    throw new Error(`The dashboard build made no script or no style sheet: ${outputs.join(', ')}`);
  const template = await fs.readFile(path.join(WEB_DIR, 'index.html'), 'utf8');
  await fs.writeFile(
    path.join(outDir, 'index.html'),
    template.replace('%SCRIPT%', `/${script}`).replace('%STYLES%', `/${styles}`),
  );

  const files = await Promise.all(
    (await fs.readdir(outDir)).map(async (name) => {
      const content = await fs.readFile(path.join(outDir, name));
      return { name, bytes: content.length, gzipBytes: gzipSync(content, { level: 9 }).length };
    }),
  );
  const gzipBytes = files.reduce((sum, f) => sum + f.gzipBytes, 0);
  if (gzipBytes > GZIP_BUDGET_BYTES)
    throw new Error(
      `The dashboard is ${kB(gzipBytes)} gzipped, over its budget of ${kB(GZIP_BUDGET_BYTES)}: ` +
        files.map((f) => `${f.name} ${kB(f.gzipBytes)}`).join(', '),
    );
  return { outDir, files, gzipBytes };
}

const kB = (bytes: number) => `${(bytes / 1024).toFixed(1)} kB`;

if (require.main === module) {
  const outDir = path.resolve(process.argv[2] ?? path.join(WEB_DIR, '..', 'dist', 'web'));
  buildWeb(outDir).then(
    (built) => {
      const sizes = built.files.map((f) => `${f.name} ${kB(f.bytes)} (${kB(f.gzipBytes)} gzipped)`).join(', ');
      console.log(
        `Dashboard built in ${path.relative(process.cwd(), outDir)}: ${sizes}; ${kB(built.gzipBytes)} gzipped in all`,
      );
    },
    (error: Error) => {
      console.error(error.message);
      process.exit(1);
    },
  );
}
