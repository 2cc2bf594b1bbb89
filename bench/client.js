#!/usr/bin/env node
/**
 * Client benchmarks (run on demand after `npm run build`: node bench/client.js).
 *
 * 1. `mpak search` over a cached 10,000-package registry vs `node -e 0` (the floor of any node CLI).
 * 2. `mpak bundle run` of a cached registry bundle: time to the first JSON-RPC answer vs starting
 *    the same server directly with node.
 * 3. First run of a 40 MB bundle from a local HTTP registry (`bundle pull --extract`: download,
 *    verify, extract) vs `curl + sha256sum + unzip`.
 *
 * Baselines are measured in the same run; the table prints medians and ratios.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(fileURLToPath(new URL('..', import.meta.url)));
const bin = join(repo, 'bin', 'run.js');
const dist = (p) => import(join(repo, 'dist', p));

const { summaryShard } = await dist('src/registry/format.js');
const { canonicalJson } = await dist('src/util/canonical-json.js');
const { sha256 } = await dist('src/util/hash.js');
const { registryId } = await dist('src/client/context.js');
const { packBundle } = await dist('src/archive/pack.js');
const { initIndex } = await dist('src/registry/init.js');
const { readIndexSigningKey } = await dist('src/registry/keys.js');
const { writeSourceEntry } = await dist('src/registry/source.js');
const { openGit } = await dist('src/registry/git.js');
const { buildIndex } = await dist('src/registry/build.js');
const { startStaticServer } = await dist('src/registry/serve.js');

/** Async, so the in-process HTTP registry keeps answering while the CLI runs. */
function timeAsync(cmd, args, env = {}) {
  return new Promise((resolvePromise, reject) => {
    const t = process.hrtime.bigint();
    const child = spawn(cmd, args, { env: { ...process.env, CI: 'true', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolvePromise(Number(process.hrtime.bigint() - t) / 1e6) : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${err}`))));
  });
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
function time(cmd, args, env = {}) {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env: { ...process.env, CI: 'true', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return Number(process.hrtime.bigint() - t) / 1e6;
}

const root = await mkdtemp(join(tmpdir(), 'mpak-bench-'));
const rows = [];
try {
  // --- 1. search over 10,000 cached packages -------------------------------------------------
  {
    const home = join(root, 'home-search');
    const url = 'https://registry.example/';
    const id = registryId('big', url);
    const words = ['weather', 'files', 'git', 'sql', 'notes', 'slack', 'search', 'browser', 'docs', 'mail', 'calendar', 'shell'];
    const records = Array.from({ length: 10_000 }, (_, i) => ({
      name: `@scope${i % 97}/${words[i % words.length]}-${i}`,
      kind: 'bundle',
      version: `1.${i % 10}.0`,
      description: `A ${words[(i * 7) % words.length]} server number ${i} for tests`,
      keywords: [words[i % words.length], words[(i * 3) % words.length]],
      level: i % 5,
      score: 40 + (i % 60),
      display: `L${i % 5} ${40 + (i % 60)}`,
      serverType: ['node', 'python', 'binary', 'uv'][i % 4],
      platforms: [],
      publishedAt: '2026-01-01T00:00:00Z',
      status: 'active',
    }));
    const shardText = canonicalJson(summaryShard('', records));
    const shardPath = `summary/${sha256(shardText)}.json`;
    const cache = join(home, 'cache', 'registries', id);
    await mkdir(join(cache, 'files', 'summary'), { recursive: true });
    await writeFile(join(cache, 'files', shardPath), shardText);
    await writeFile(join(cache, 'verified.json'), JSON.stringify({ registry: 'big', url, version: 1, expires: '2099-01-01T00:00:00Z', timestampSha256: '', snapshotPath: '', snapshotSha256: '', summary: [{ prefix: '', path: shardPath, count: records.length }], verifiedAt: new Date().toISOString() }));
    await writeFile(join(home, 'config.json'), JSON.stringify({ version: 1, lastUpdated: new Date().toISOString(), packages: {}, registries: [{ name: 'big', url, keys: [], addedAt: new Date().toISOString() }], policy: {} }));
    const base = [];
    const search = [];
    for (let i = 0; i < 7; i++) {
      base.push(time(process.execPath, ['-e', '0']));
      search.push(time(process.execPath, [bin, 'search', 'wether'], { MPAK_HOME: home }));
    }
    rows.push(['search "wether" over 10,000 cached packages', median(search), 'node -e 0', median(base)]);
    process.stderr.write(`summary shard: ${(shardText.length / 1e6).toFixed(2)} MB\n`);
  }

  // --- registry used by 2 and 3 -----------------------------------------------------------
  const regRoot = join(root, 'registry');
  const init = await initIndex({ dir: regRoot, templateDir: join(repo, 'index-template'), name: 'bench', title: 'Bench', baseUrl: 'https://registry.example/', minLevel: 0, keysDir: join(root, 'keys') });
  const key = await readIndexSigningKey(init.key.path);
  const server = String.raw`const rl=require('node:readline').createInterface({input:process.stdin});rl.on('line',(l)=>{const m=JSON.parse(l);if(m.id===undefined)return;process.stdout.write(JSON.stringify({jsonrpc:'2.0',id:m.id,result:m.method==='initialize'?{protocolVersion:m.params.protocolVersion,capabilities:{tools:{}},serverInfo:{name:'b',version:'1'}}:{tools:[]}})+'\n')});`;
  async function addBundle(name, extraFiles) {
    const dir = join(root, 'src', name.replace(/[@/]/g, '_'));
    await mkdir(join(dir, 'server'), { recursive: true });
    await writeFile(join(dir, 'server', 'index.js'), server);
    for (const [p, bytes] of Object.entries(extraFiles)) {
      await mkdir(join(dir, p, '..'), { recursive: true });
      await writeFile(join(dir, p), bytes);
    }
    await writeFile(join(dir, 'manifest.json'), JSON.stringify({ manifest_version: '0.3', name, version: '1.0.0', description: 'bench', author: { name: 'bench' }, server: { type: 'node', entry_point: 'server/index.js', mcp_config: { command: 'node', args: ['${__dirname}/server/index.js'] } } }));
    const out = join(root, `${name.replace(/[@/]/g, '_')}.mcpb`);
    const packed = await packBundle({ dir, output: out, cwd: root, force: true, level: 1 });
    await mkdir(join(regRoot, 'blobs', 'sha256'), { recursive: true });
    await copyFile(out, join(regRoot, 'blobs', 'sha256', packed.sha256));
    await writeSourceEntry(regRoot, {
      kind: 'bundle', name, claim: { maintainers: [] },
      versions: [{
        version: '1.0.0', publishedAt: '2026-01-01T00:00:00Z',
        artifacts: [{ url: `blobs/sha256/${packed.sha256}`, sha256: packed.sha256, size: packed.packedSize }],
        manifest: { description: 'bench', serverType: 'node', tools: [], prompts: [], userConfig: [], keywords: [] },
        scan: { level: 2, score: 80, display: 'L2 80', degraded: false, controls: {}, counts: { critical: 0, high: 0, medium: 0, low: 0, info: 0 }, scannerVersion: 'bench' },
        signature: { status: 'unsigned' }, provenance: {}, status: 'active',
      }],
    });
    return { dir, out, ...packed };
  }
  const small = await addBundle('@bench/small', {});
  const big = await addBundle('@bench/big', { 'data/blob.bin': randomBytes(40 * 1024 * 1024) });
  const git = await openGit(regRoot);
  await git.add(['-A']);
  await git.commit('bench');
  await buildIndex({ dir: regRoot, outDir: join(root, 'dist'), key });
  const http = await startStaticServer({ root: join(root, 'dist') });

  // --- 2. bundle run of a cached bundle: time to first JSON-RPC answer ------------------------
  {
    const home = join(root, 'home-run');
    const env = { MPAK_HOME: home };
    await timeAsync(process.execPath, [bin, 'registry', 'add', 'bench', http.url], env);
    await timeAsync(process.execPath, [bin, 'bundle', 'pull', '@bench/small', '--extract'], env);
    const firstAnswer = (cmd, args) =>
      new Promise((resolvePromise, reject) => {
        const t = process.hrtime.bigint();
        const child = spawn(cmd, args, { env: { ...process.env, ...env, CI: 'true' }, stdio: ['pipe', 'pipe', 'ignore'] });
        child.stdout.once('data', () => {
          resolvePromise(Number(process.hrtime.bigint() - t) / 1e6);
          child.kill();
        });
        child.once('error', reject);
        child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1' } } })}\n`);
      });
    const viaMpak = [];
    const direct = [];
    for (let i = 0; i < 5; i++) {
      direct.push(await firstAnswer(process.execPath, [join(small.dir, 'server', 'index.js')]));
      viaMpak.push(await firstAnswer(process.execPath, [bin, 'bundle', 'run', '@bench/small']));
    }
    rows.push(['bundle run (cached) → first JSON-RPC answer', median(viaMpak), 'node server/index.js directly', median(direct)]);
  }

  // --- 3. first run of a 40 MB bundle from a local HTTP registry -----------------------------
  {
    const mpakTimes = [];
    const shellTimes = [];
    const url = `${http.url}blobs/sha256/${big.sha256}`;
    for (let i = 0; i < 3; i++) {
      const home = join(root, `home-big-${i}`);
      await timeAsync(process.execPath, [bin, 'registry', 'add', 'bench', http.url], { MPAK_HOME: home });
      mpakTimes.push(await timeAsync(process.execPath, [bin, 'bundle', 'pull', '@bench/big', '--extract'], { MPAK_HOME: home }));
      const out = join(root, `curl-${i}`);
      shellTimes.push(await timeAsync('sh', ['-c', `curl -s -o "${out}.mcpb" "${url}" && sha256sum "${out}.mcpb" >/dev/null && unzip -q "${out}.mcpb" -d "${out}"`]));
      await rm(home, { recursive: true, force: true });
      await rm(out, { recursive: true, force: true });
    }
    rows.push([`first run of a ${(big.packedSize / 1048576).toFixed(0)} MB bundle (pull + verify + extract)`, median(mpakTimes), 'curl + sha256sum + unzip', median(shellTimes)]);
  }
  await http.close();
} finally {
  await rm(root, { recursive: true, force: true });
}

const pad = (s, n) => String(s).padEnd(n);
console.log(`${pad('benchmark', 52)}${pad('mpak ms', 10)}${pad('baseline', 34)}${pad('base ms', 10)}ratio`);
for (const [what, ms, base, baseMs] of rows) {
  console.log(`${pad(what, 52)}${pad(ms.toFixed(0), 10)}${pad(base, 34)}${pad(baseMs.toFixed(0), 10)}${(ms / baseMs).toFixed(2)}×`);
}
