#!/usr/bin/env node
// Benchmark of the registry web page in headless Chromium (/usr/bin/chromium):
//   - first useful render (navigation start → results list shown, index verified), in ms
//   - per-keystroke search time (input event → results rendered), measured in the page
//   - bytes transferred for the first render, raw and gzip-compressed (level 6, as static hosts serve)
// for synthetic registries of 1,000 and 10,000 packages built by the real `buildIndex`, against a
// baseline measured in the same run: a naive substring scan over the same summary (no ranking,
// no typo tolerance, no rendering). Synthetic entries are realistic (tools, user_config,
// provenance): since registry format 2 the catalogue is compact and package documents are listed
// in the document index, which the first render does not fetch.
//   node bench/web.js [--sizes 1000,10000]
import { build } from 'esbuild';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const sizesArg = process.argv.indexOf('--sizes');
const sizes = sizesArg > 0 ? process.argv[sizesArg + 1].split(',').map(Number) : [1000, 10000];
const QUERIES = ['weather', 'filesytem', 'kubernets monitor', 'sql'];

const work = await mkdtemp(join(tmpdir(), 'mpak-bench-web-'));
try {
  // The fixture helpers are TypeScript; bundle them (dependencies stay external, so the bundle
  // sits inside the repo, in the gitignored bench/results/, where node_modules resolves).
  const helpers = join(root, 'bench', 'results', `web-helpers-${process.pid}.mjs`);
  await build({
    stdin: {
      contents: "export * from './test/web/fixture.ts'; export * from './test/web/browser.ts';",
      resolveDir: root,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    outfile: helpers,
    logLevel: 'warning',
  });
  const { buildFixtureRegistry, syntheticPackages, serveFolder, launchChromium } = await import(pathToFileURL(helpers).href);
  const browser = await launchChromium();
  const rows = [];
  for (const size of sizes) {
    const t0 = performance.now();
    const { dist } = await buildFixtureRegistry(join(work, `r${size}`), join(root, 'index-template'), syntheticPackages(size));
    const buildMs = performance.now() - t0;
    const server = await serveFolder(dist);
    const page = await browser.newPage();
    const responses = [];
    page.on('response', (r) => responses.push(r));
    await page.goto(server.url);
    await page.waitForFunction(() => performance.getEntriesByName('mpak:first-useful-render').length > 0, null, { timeout: 120_000 });
    const firstRender = await page.evaluate(() => performance.getEntriesByName('mpak:first-useful-render')[0].startTime);
    const phases = await page.evaluate(() => ({
      verified: performance.getEntriesByName('mpak:index-verified')[0]?.startTime ?? NaN,
      searchIndex: performance.getEntriesByName('mpak:search-index')[0]?.duration ?? NaN,
    }));
    let raw = 0;
    let gzip = 0;
    const files = [];
    for (const r of responses) {
      const body = await r.body().catch(() => Buffer.alloc(0));
      raw += body.length;
      const gz = gzipSync(body, { level: 6 }).length;
      gzip += gz;
      files.push([new URL(r.url()).pathname.replace(/[a-f0-9]{64}/, '<sha>'), body.length, gz]);
    }
    // Per keystroke: type each query one character at a time; the page records one measure each.
    await page.evaluate(() => (performance.clearMeasures('mpak:search'), performance.clearMeasures('mpak:query')));
    for (const q of QUERIES) {
      await page.fill('#q', '');
      await page.type('#q', q, { delay: 30 });
    }
    const perKey = await page.evaluate(() => performance.getEntriesByName('mpak:search').map((m) => m.duration));
    const queryOnly = await page.evaluate(() => performance.getEntriesByName('mpak:query').map((m) => m.duration));
    const typed = perKey;
    // Baseline: a naive substring scan over the same summary, in the same page, same prefixes.
    const baseline = await page.evaluate(async (queries) => {
      const ts = await (await fetch('timestamp.json')).json();
      const snap = await (await fetch(ts.signed.snapshot.path)).json();
      const records = [];
      for (const ref of snap.signed.summary) {
        const shard = await (await fetch(ref.path)).json();
        const col = (c) => shard.columns.indexOf(c);
        for (const row of shard.rows) records.push(`${row[col('name')]} ${row[col('description')]} ${row[col('keywords')].join(' ')}`.toLowerCase());
      }
      const times = [];
      for (const q of queries) {
        for (let n = 1; n <= q.length; n++) {
          const prefix = q.slice(0, n);
          const t = performance.now();
          records.filter((r) => r.includes(prefix));
          times.push(performance.now() - t);
        }
      }
      return times;
    }, QUERIES);
    const stats = (xs) => {
      const s = [...xs].sort((a, b) => a - b);
      return { median: s[Math.floor(s.length / 2)], p95: s[Math.floor(s.length * 0.95)], max: s[s.length - 1] };
    };
    rows.push({ size, buildMs, firstRender, phases, perKey, raw, gzip, keys: stats(typed), query: stats(queryOnly), base: stats(baseline), count: typed.length, files });
    await page.close();
    await server.close();
  }
  await browser.close();

  const f = (n) => n.toFixed(1);
  const kb = (n) => `${(n / 1024).toFixed(0)} KiB`;
  console.log('\nRegistry web page in Chromium (headless, shared machine; one run)\n');
  console.log('packages | index build | first useful render | first-render bytes raw / gzip | search per keystroke median / p95 / max | baseline naive scan median / max');
  console.log('---------|-------------|--------------------|-------------------------------|------------------------------------------|-----------------------------------');
  for (const r of rows) {
    console.log(
      `${String(r.size).padStart(8)} | ${f(r.buildMs / 1000).padStart(9)} s | ${f(r.firstRender).padStart(15)} ms | ${kb(r.raw).padStart(12)} / ${kb(r.gzip).padEnd(14)} | ${f(r.keys.median)} / ${f(r.keys.p95)} / ${f(r.keys.max)} ms (${r.count} keystrokes; search alone ${f(r.query.median)} / ${f(r.query.max)}) | ${f(r.base.median)} / ${f(r.base.max)} ms`,
    );
  }
  console.log('\nFirst render phases (ms since navigation start): index fetched and verified → search index built → results shown');
  for (const r of rows) console.log(`  ${r.size}: verified at ${f(r.phases.verified)}, search index built in ${f(r.phases.searchIndex)}, first useful render at ${f(r.firstRender)}`);
  console.log('\nPer keystroke (ms), queries typed one character at a time:', QUERIES.join(' | '));
  for (const r of rows) console.log(`  ${r.size}: ${r.perKey.map((x) => x.toFixed(0)).join(' ')}`);
  const last = rows[rows.length - 1];
  console.log(`\nFirst-render files at ${last.size} packages (path, raw bytes, gzip bytes):`);
  for (const [path, rawBytes, gz] of last.files) console.log(`  ${path.padEnd(40)} ${String(rawBytes).padStart(9)} ${String(gz).padStart(9)}`);
} finally {
  await rm(work, { recursive: true, force: true });
  await rm(join(root, 'bench', 'results', `web-helpers-${process.pid}.mjs`), { force: true });
}
