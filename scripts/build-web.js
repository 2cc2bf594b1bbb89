#!/usr/bin/env node
// Bundles the registry web page (index-template/web-src → index-template/assets) with esbuild.
// The output is committed so `npm run build` and `mpak index build` never need esbuild; a test
// rebuilds into a temp folder and fails when the committed assets are stale.
//   node scripts/build-web.js                 writes index-template/assets/
//   node scripts/build-web.js --outdir <dir>  writes elsewhere (used by the staleness test)
import { build } from 'esbuild';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outFlag = process.argv.indexOf('--outdir');
const outdir = outFlag > 0 ? resolve(process.argv[outFlag + 1]) : join(root, 'index-template', 'assets');

/**
 * Builds the page into `outdir`: `app.js` (one IIFE, no runtime imports, no source map so the
 * bytes do not depend on the machine's paths) and `app.css`. Deterministic for a given esbuild.
 */
async function buildWeb(dir) {
  await mkdir(dir, { recursive: true });
  for (const name of await readdir(dir)) await rm(join(dir, name), { recursive: true, force: true });
  await build({
    // main.ts imports style.css, so esbuild writes app.css beside app.js.
    entryPoints: { app: join(root, 'index-template', 'web-src', 'main.ts') },
    outdir: dir,
    bundle: true,
    minify: true,
    format: 'iife',
    target: ['chrome110', 'firefox115', 'safari16'],
    platform: 'browser',
    legalComments: 'none',
    charset: 'utf8',
    sourcemap: false,
    logLevel: 'warning',
    // Registry pages must never reach the internet: no external imports survive bundling.
    external: [],
  });
}

await buildWeb(outdir);
console.error(`built web page assets into ${outdir}`);
