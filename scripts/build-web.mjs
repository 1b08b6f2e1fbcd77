// Builds the dashboard: bundles web/src (preact + uPlot) with esbuild into web/dist — index.html, assets/app.js,
// assets/app.css — so the server serves it with no CDN. Usage: node scripts/build-web.mjs [--out <dir>] [--dev]
// Also importable: `import { buildWeb } from './scripts/build-web.mjs'`.
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Bundles the dashboard into `outDir` (default web/dist); returns the output folder. */
export async function buildWeb({ outDir = join(root, 'web', 'dist'), dev = false } = {}) {
  await mkdir(join(outDir, 'assets'), { recursive: true });
  await build({
    entryPoints: { app: join(root, 'web', 'src', 'main.tsx') },
    outdir: join(outDir, 'assets'),
    bundle: true,
    format: 'esm',
    target: ['es2022'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: !dev,
    sourcemap: dev ? 'inline' : false,
    legalComments: 'none',
    logLevel: 'warning',
  });
  await copyFile(join(root, 'web', 'src', 'index.html'), join(outDir, 'index.html'));
  return outDir;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--out');
  const outDir = await buildWeb({ outDir: at >= 0 ? resolve(args[at + 1]) : undefined, dev: args.includes('--dev') });
  console.log(`build-web: dashboard built into ${outDir}`);
}
