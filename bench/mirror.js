#!/usr/bin/env node
// Mirror benchmark (issue: air-gapped mirrors). Builds a registry holding ~1 GB of bundles
// (random bytes: the mirror never opens them), serves it on 127.0.0.1, and measures in one run:
//   baseline  cp -r dist/ + sha256sum of every blob (what a careful admin would do by hand)
//   mpak      mpak mirror http://127.0.0.1:PORT/ dest   (verify + copy, from HTTP)
//   mpak      mpak mirror <folder> dest                 (same, from a folder)
//   re-run    mpak mirror with nothing new (one timestamp request)
// Usage: npm run build && node bench/mirror.js [totalMiB=1024] [blobs=40]
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes, createHash } from 'node:crypto';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = (p) => import(join(root, 'dist', 'src', p));
const { initIndex } = await dist('registry/init.js');
const { writeSourceEntry } = await dist('registry/source.js');
const { buildIndex } = await dist('registry/build.js');
const { readIndexSigningKey } = await dist('registry/keys.js');
const { startStaticServer } = await dist('registry/serve.js');

const totalMiB = Number(process.argv[2] ?? 1024);
const count = Number(process.argv[3] ?? 40);
const blobSize = Math.floor((totalMiB * 1024 * 1024) / count);
const work = mkdtempSync(join(tmpdir(), 'mpak-bench-mirror-'));
const src = join(work, 'src');
const out = join(work, 'dist');
const env = { ...process.env, MPAK_HOME: join(work, 'home'), CI: 'true' };

console.error(`building a registry of ${count} bundles × ${(blobSize / 1048576).toFixed(1)} MiB in ${work}`);
const init = await initIndex({ dir: src, templateDir: join(root, 'index-template'), name: 'bench', baseUrl: 'https://bench.example/', minLevel: 0, keysDir: join(work, 'keys'), git: true });
mkdirSync(join(src, 'blobs', 'sha256'), { recursive: true });
for (let i = 0; i < count; i++) {
  const blob = randomBytes(blobSize);
  const hex = createHash('sha256').update(blob).digest('hex');
  writeFileSync(join(src, 'blobs', 'sha256', hex), blob);
  await writeSourceEntry(src, {
    kind: 'bundle', name: `@bench/pkg${i}`, claim: { maintainers: [] },
    versions: [{
      version: '1.0.0', publishedAt: '2026-11-01T00:00:00Z', artifacts: [{ url: `blobs/sha256/${hex}`, sha256: hex, size: blob.length }],
      manifest: { description: 'bench', serverType: 'node', tools: [], prompts: [], userConfig: [], keywords: [] },
      scan: { level: 1, score: 20, display: 'L1 20', degraded: false, controls: {}, counts: { critical: 0, high: 0, medium: 0, low: 0, info: 0 }, scannerVersion: 'bench' },
      signature: { status: 'unsigned' }, provenance: {}, status: 'active',
    }],
  });
}
execFileSync('git', ['-C', src, '-c', 'user.email=b@bench.example', '-c', 'user.name=bench', 'add', '-A']);
execFileSync('git', ['-C', src, '-c', 'user.email=b@bench.example', '-c', 'user.name=bench', 'commit', '-qm', 'bench']);
await buildIndex({ dir: src, outDir: out, key: await readIndexSigningKey(init.key.path) });
const server = await startStaticServer({ root: out });

// Async spawn: the static server lives in this process and must keep answering.
async function time(label, cmd, args) {
  execFileSync('sync');
  const t0 = process.hrtime.bigint();
  const child = spawn(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise((r) => child.on('close', r));
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (code !== 0) throw new Error(`${label} failed: ${stderr}`);
  return ms;
}
const mpak = join(root, 'bin', 'run.js');
const rows = [];
try {
  const cpDest = join(work, 'cp');
  const baseline = (await time('cp -r', 'cp', ['-r', out, cpDest])) +
    (await time('sha256sum', 'sh', ['-c', `sha256sum ${join(cpDest, 'blobs', 'sha256')}/* > /dev/null`]));
  rows.push(['cp -r + sha256sum (baseline)', baseline]);
  rmSync(cpDest, { recursive: true, force: true });
  const httpDest = join(work, 'm-http');
  // run the mirror in a child process with the same node, so process start is counted too
  rows.push(['mpak mirror (HTTP source)', await time('mirror http', process.execPath, [mpak, 'mirror', server.url, httpDest])]);
  rows.push(['mpak mirror re-run, nothing new', await time('rerun', process.execPath, [mpak, 'mirror', server.url, httpDest])]);
  rmSync(httpDest, { recursive: true, force: true });
  const dirDest = join(work, 'm-dir');
  rows.push(['mpak mirror (folder source)', await time('mirror dir', process.execPath, [mpak, 'mirror', out, dirDest])]);
  rows.push(['node -e 0 (startup floor)', await time('node', process.execPath, ['-e', '0'])]);
} finally {
  await server.close();
  rmSync(work, { recursive: true, force: true });
}
const base = rows[0][1];
console.log(`mirror of ${count} bundles, ${(count * blobSize / 1048576).toFixed(0)} MiB`);
console.log('| run | ms | vs baseline |\n| --- | ---: | ---: |');
for (const [label, ms] of rows) console.log(`| ${label} | ${ms.toFixed(0)} | ${(ms / base).toFixed(2)}× |`);
