#!/usr/bin/env node
/**
 * Start-up benchmarks (run on demand after `npm run build`: node bench/startup.js [runs]).
 *
 * 1. `mpak --version` vs `node -e 0` (target: under 3×), and the same through oclif
 *    (MPAK_NO_FAST_PATH=1) for reference.
 * 2. `mpak search` over a cached 10,000-package registry vs `node -e 0`.
 * 3. `mpak bundle run` of a cached registry bundle: time to the initialize answer vs starting the
 *    same server directly with node (target: under +150 ms), fast path and oclif path.
 *
 * Wall times are medians; user+sys CPU (whole process tree, from /usr/bin/time when present) is
 * less sensitive to a loaded machine. For the run rows the CPU column is a whole short session
 * (initialize, then stdin closes and the server exits). Finally the modules each fast path loads
 * are counted (a load hook), to show what start-up still pays for.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = resolve(fileURLToPath(new URL('..', import.meta.url)));
const bin = join(repo, 'bin', 'run.js');
const dist = (p) => import(join(repo, 'dist', p));
const RUNS = Number(process.argv[2] ?? 9);
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

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

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Wall ms and (with /usr/bin/time) user+sys ms of the whole process tree. */
function measure(cmd, args, env = {}, input) {
  const full = TIME ? [TIME, ['-f', '@@%U %S', cmd, ...args]] : [cmd, args];
  const t = process.hrtime.bigint();
  const r = spawnSync(full[0], full[1], { env: { ...process.env, CI: 'true', ...env }, input: input ?? '', stdio: ['pipe', 'pipe', 'pipe'] });
  const wall = Number(process.hrtime.bigint() - t) / 1e6;
  const stderr = r.stderr.toString();
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${stderr}`);
  const m = /@@([\d.]+) ([\d.]+)\s*$/.exec(stderr);
  return { wall, cpu: m ? (Number(m[1]) + Number(m[2])) * 1000 : NaN, stdout: r.stdout.toString() };
}

/** Wall ms from spawn to the first stdout bytes (the initialize answer); the child is then killed. */
function firstAnswer(cmd, args, env) {
  return new Promise((resolvePromise, reject) => {
    const t = process.hrtime.bigint();
    const child = spawn(cmd, args, { env: { ...process.env, CI: 'true', ...env }, stdio: ['pipe', 'pipe', 'ignore'] });
    child.stdout.once('data', () => {
      resolvePromise(Number(process.hrtime.bigint() - t) / 1e6);
      child.stdin.end();
    });
    child.once('error', reject);
    child.stdin.write(initialize);
  });
}
const initialize = `${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1' } } })}\n`;

/** Each row: [what, [wall...], [cpu...], baseline name, [wall...], [cpu...]]. */
const rows = [];
function row(what, runs, base, baseRuns) {
  rows.push({ what, wall: median(runs.map((r) => r.wall)), cpu: median(runs.map((r) => r.cpu)), base, baseWall: median(baseRuns.map((r) => r.wall)), baseCpu: median(baseRuns.map((r) => r.cpu)) });
}

const root = await mkdtemp(join(tmpdir(), 'mpak-bench-startup-'));
const moduleCounts = [];
try {
  // --- registry with one small bundle, pulled and extracted into a cache -------------------------
  const regRoot = join(root, 'registry');
  const init = await initIndex({ dir: regRoot, templateDir: join(repo, 'index-template'), name: 'bench', title: 'Bench', baseUrl: 'https://registry.example/', minLevel: 0, keysDir: join(root, 'keys') });
  const key = await readIndexSigningKey(init.key.path);
  const server = String.raw`const rl=require('node:readline').createInterface({input:process.stdin});rl.on('line',(l)=>{const m=JSON.parse(l);if(m.id===undefined)return;process.stdout.write(JSON.stringify({jsonrpc:'2.0',id:m.id,result:m.method==='initialize'?{protocolVersion:m.params.protocolVersion,capabilities:{tools:{}},serverInfo:{name:'b',version:'1'}}:{tools:[]}})+'\n')});`;
  const srcDir = join(root, 'src');
  await mkdir(join(srcDir, 'server'), { recursive: true });
  await writeFile(join(srcDir, 'server', 'index.js'), server);
  await writeFile(join(srcDir, 'manifest.json'), JSON.stringify({ manifest_version: '0.3', name: '@bench/small', version: '1.0.0', description: 'bench', author: { name: 'bench' }, server: { type: 'node', entry_point: 'server/index.js', mcp_config: { command: 'node', args: ['${__dirname}/server/index.js'] } } }));
  const packed = await packBundle({ dir: srcDir, output: join(root, 'small.mcpb'), cwd: root, force: true });
  await mkdir(join(regRoot, 'blobs', 'sha256'), { recursive: true });
  await writeFile(join(regRoot, 'blobs', 'sha256', packed.sha256), await (await import('node:fs/promises')).readFile(join(root, 'small.mcpb')));
  await writeSourceEntry(regRoot, {
    kind: 'bundle', name: '@bench/small', claim: { maintainers: [] },
    versions: [{
      version: '1.0.0', publishedAt: '2026-01-01T00:00:00Z',
      artifacts: [{ url: `blobs/sha256/${packed.sha256}`, sha256: packed.sha256, size: packed.packedSize }],
      manifest: { description: 'bench', serverType: 'node', tools: [], prompts: [], userConfig: [], keywords: [] },
      scan: { level: 2, score: 80, display: 'L2 80', degraded: false, controls: {}, counts: { critical: 0, high: 0, medium: 0, low: 0, info: 0 }, scannerVersion: 'bench' },
      signature: { status: 'unsigned' }, provenance: {}, status: 'active',
    }],
  });
  const git = await openGit(regRoot);
  await git.add(['-A']);
  await git.commit('bench');
  await buildIndex({ dir: regRoot, outDir: join(root, 'dist'), key });
  const runHome = join(root, 'home-run');
  const runEnv = { MPAK_HOME: runHome };
  measure(process.execPath, [bin, 'registry', 'add', 'bench', join(root, 'dist')], runEnv);
  measure(process.execPath, [bin, 'bundle', 'pull', '@bench/small', '--extract'], runEnv);
  const serverFile = join(runHome, 'cache', 'bundles', '@bench', 'small', '1.0.0', 'server', 'index.js');
  // One run through each path first: the fast path remembers its schema checks after the first.
  measure(process.execPath, [bin, 'bundle', 'run', '@bench/small'], runEnv, initialize);

  // --- a cached 10,000-package search index ----------------------------------------------------
  const searchHome = join(root, 'home-search');
  {
    const url = 'https://registry.example/';
    const id = registryId('big', url);
    const words = ['weather', 'files', 'git', 'sql', 'notes', 'slack', 'search', 'browser', 'docs', 'mail', 'calendar', 'shell'];
    const records = Array.from({ length: 10_000 }, (_, i) => ({
      name: `@scope${i % 97}/${words[i % words.length]}-${i}`, kind: 'bundle', version: `1.${i % 10}.0`,
      description: `A ${words[(i * 7) % words.length]} server number ${i} for tests`, keywords: [words[i % words.length], words[(i * 3) % words.length]],
      level: i % 5, score: 40 + (i % 60), display: `L${i % 5} ${40 + (i % 60)}`, serverType: ['node', 'python', 'binary', 'uv'][i % 4],
      platforms: [], publishedAt: '2026-01-01T00:00:00Z', status: 'active',
    }));
    const shardText = canonicalJson(summaryShard('', records));
    const shardPath = `summary/${sha256(shardText)}.json`;
    const cache = join(searchHome, 'cache', 'registries', id);
    await mkdir(join(cache, 'files', 'summary'), { recursive: true });
    await writeFile(join(cache, 'files', shardPath), shardText);
    await writeFile(join(cache, 'verified.json'), JSON.stringify({ registry: 'big', url, version: 1, expires: '2099-01-01T00:00:00Z', timestampSha256: '', snapshotPath: '', snapshotSha256: '', summary: [{ prefix: '', path: shardPath, count: records.length }], verifiedAt: new Date().toISOString() }));
    await writeFile(join(searchHome, 'config.json'), JSON.stringify({ version: 1, lastUpdated: new Date().toISOString(), packages: {}, registries: [{ name: 'big', url, keys: [], addedAt: new Date().toISOString() }], policy: {} }));
  }

  // Interleaved so that load changes hit every command alike.
  const r = { base: [], version: [], versionOclif: [], search: [], direct: [], run: [], runOclif: [], directCpu: [], runCpu: [], runOclifCpu: [] };
  const oclif = { MPAK_NO_FAST_PATH: '1' };
  for (let i = 0; i < RUNS; i++) {
    r.base.push(measure(process.execPath, ['-e', '0']));
    r.version.push(measure(process.execPath, [bin, '--version']));
    r.versionOclif.push(measure(process.execPath, [bin, '--version'], oclif));
    r.search.push(measure(process.execPath, [bin, 'search', 'wether'], { MPAK_HOME: searchHome }));
    r.direct.push({ wall: await firstAnswer(process.execPath, [serverFile], runEnv) });
    r.run.push({ wall: await firstAnswer(process.execPath, [bin, 'bundle', 'run', '@bench/small'], runEnv) });
    r.runOclif.push({ wall: await firstAnswer(process.execPath, [bin, 'bundle', 'run', '@bench/small'], { ...runEnv, ...oclif }) });
    r.directCpu.push(measure(process.execPath, [serverFile], runEnv, initialize));
    r.runCpu.push(measure(process.execPath, [bin, 'bundle', 'run', '@bench/small'], runEnv, initialize));
    r.runOclifCpu.push(measure(process.execPath, [bin, 'bundle', 'run', '@bench/small'], { ...runEnv, ...oclif }, initialize));
  }
  const withCpu = (walls, cpus) => walls.map((w, i) => ({ wall: w.wall, cpu: cpus[i].cpu }));
  row('mpak --version', r.version, 'node -e 0', r.base);
  row('mpak --version (oclif, MPAK_NO_FAST_PATH=1)', r.versionOclif, 'node -e 0', r.base);
  row('mpak search "wether", 10,000 cached packages', r.search, 'node -e 0', r.base);
  row('bundle run (cached) → initialize answer', withCpu(r.run, r.runCpu), 'node server/index.js directly', withCpu(r.direct, r.directCpu));
  row('bundle run (oclif) → initialize answer', withCpu(r.runOclif, r.runOclifCpu), 'node server/index.js directly', withCpu(r.direct, r.directCpu));

  // --- what each fast path loads ---------------------------------------------------------------
  const hook = join(root, 'count.mjs');
  await writeFile(hook, `import { registerHooks } from 'node:module';\nlet n = 0;\nregisterHooks({ load(url, c, next) { n++; return next(url, c); } });\nprocess.on('exit', () => process.stderr.write('@@modules ' + n + '\\n'));\n`);
  const count = (args, env) => {
    const res = spawnSync(process.execPath, ['--import', pathToFileURL(hook).href, bin, ...args], { env: { ...process.env, CI: 'true', ...env }, input: '' });
    return Number(/@@modules (\d+)/.exec(res.stderr.toString())?.[1] ?? NaN);
  };
  for (const [what, args, env] of [
    ['--version', ['--version'], {}],
    ['--version (oclif)', ['--version'], oclif],
    ['search', ['search', 'wether'], { MPAK_HOME: searchHome }],
    ['bundle run', ['bundle', 'run', '@bench/small'], runEnv],
    ['bundle run (oclif)', ['bundle', 'run', '@bench/small'], { ...runEnv, ...oclif }],
  ]) moduleCounts.push([what, count(args, env)]);
} finally {
  if (process.env.MPAK_BENCH_KEEP === '1') process.stderr.write(`kept ${root}\n`);
  else await rm(root, { recursive: true, force: true });
}

const pad = (s, n) => String(s).padEnd(n);
const f = (n) => (Number.isFinite(n) ? n.toFixed(0) : '-');
console.log(`${RUNS} runs each, medians; cpu = user+sys of the process tree${TIME ? '' : ' (unavailable: no /usr/bin/time)'}`);
console.log(`${pad('benchmark', 48)}${pad('wall ms', 9)}${pad('cpu ms', 8)}${pad('baseline', 31)}${pad('wall ms', 9)}${pad('cpu ms', 8)}ratio wall (cpu)   Δ wall`);
for (const x of rows) {
  console.log(`${pad(x.what, 48)}${pad(f(x.wall), 9)}${pad(f(x.cpu), 8)}${pad(x.base, 31)}${pad(f(x.baseWall), 9)}${pad(f(x.baseCpu), 8)}${pad(`${(x.wall / x.baseWall).toFixed(2)}× (${Number.isFinite(x.cpu) ? (x.cpu / x.baseCpu).toFixed(2) : '-'}×)`, 18)}+${f(x.wall - x.baseWall)} ms`);
}
console.log(`modules loaded: ${moduleCounts.map(([w, n]) => `${w} ${n}`).join(', ')}`);
