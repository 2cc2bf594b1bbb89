#!/usr/bin/env node
// Benchmark of the static registry at scale (run on demand: `npm run build && node bench/index-build.js`).
//
// Generates a synthetic registry of N realistic packages × 3 versions (source entries written directly),
// then measures in child processes: `index build` wall time and peak RSS, the summary size, and
// `index add` of one new version into that registry. Baselines measured in the same run: a build
// of N/10 packages (is the build linear?) and `index add` into an empty registry (does add depend
// on registry size?). Targets: build < 30 s and < 1 GB for 10,000 × 3; summary < 1 MB per 10,000;
// add < 3 s.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const dist = (p) => join(root, 'dist', 'src', p);
const N = Number(process.env.BENCH_PACKAGES ?? 10_000);
const WORDS = 'weather notes github slack files search calendar email issues docs database metrics logs deploy tickets images translate maps finance music'.split(' ');

const { initIndex } = await import(dist('registry/init.js'));
const { stableJson } = await import(dist('util/canonical-json.js'));
const { readRegistryConfig, writeRegistryConfig } = await import(dist('registry/source.js'));

function hex(i, v) {
  return (i.toString(16).padStart(8, '0') + v.toString(16).padStart(4, '0')).repeat(6).slice(0, 64);
}

const CONTROL_IDS = ['AI-01', 'AI-02', 'AI-03', 'AI-04', 'SC-01', 'SC-02', 'SC-03', 'SC-04', 'SC-05', 'CQ-01', 'CQ-02', 'CQ-03', 'CQ-04', 'CQ-05', 'CQ-06', 'CD-01', 'CD-02', 'CD-03', 'CD-04', 'PR-01', 'PR-02', 'PR-03', 'PR-04'];
const PLATFORMS = ['darwin-arm64', 'linux-x64', 'win32-x64'];

/**
 * A realistic entry as `mpak index add` writes it: 8 tools with sentence descriptions, 3
 * user_config keys, a long description, per-platform artifacts for binary servers, provenance
 * with commit and workflow, and the full control map with per-control reasons.
 */
function entry(i) {
  const scope = `org${String(i % 997).padStart(3, '0')}`;
  const name = `${WORDS[i % WORDS.length]}-${WORDS[(i * 7) % WORDS.length]}-${i}`;
  const w = (k) => WORDS[(i + k) % WORDS.length];
  const versions = ['1.0.0', '1.1.0', '2.0.0'].map((version, v) => ({
    version,
    publishedAt: `2026-0${1 + v}-1${v}T10:00:00Z`,
    artifacts: (i % 4 === 0 ? PLATFORMS : [undefined]).map((platform, p) => ({
      url: `https://github.com/${scope}/${name}/releases/download/v${version}/${name}${platform ? `-${platform}` : ''}.mcpb`,
      sha256: hex(i, v * 4 + p),
      size: 20_000 + i,
      ...(platform ? { platform } : {}),
    })),
    manifest: {
      displayName: `${w(0)} tools ${i}`,
      description: `Read and search ${w(0)} and ${w(3)} from your assistant, with caching and rate limits.`,
      longDescription: `## ${w(0)} for MCP\n\nConnects your assistant to ${w(0)} and ${w(3)}. Supports pagination, filtering and incremental sync; credentials stay in your OS keychain.\n\n- read ${w(1)}\n- search ${w(2)}\n- export to ${w(4)}\n`,
      serverType: i % 4 === 0 ? 'binary' : i % 3 === 0 ? 'python' : 'node',
      tools: [0, 1, 2, 3, 4, 5, 6, 7].map((t) => ({ name: `${w(t)}_${['list', 'get', 'search', 'create', 'update', 'delete', 'sync', 'export'][t]}`, description: `${['Lists', 'Gets', 'Searches', 'Creates', 'Updates', 'Deletes', 'Syncs', 'Exports'][t]} ${w(t)} items in the connected ${w(0)} account, with paging and filters.` })),
      prompts: [{ name: 'summarize', description: `Summarise recent ${w(0)} activity` }],
      userConfig: [
        { key: 'api_key', type: 'string', title: 'API key', required: true, sensitive: true },
        { key: 'base_url', type: 'string', title: 'Base URL', required: false, sensitive: false },
        { key: 'workspace', type: 'directory', title: 'Workspace folder', required: false, sensitive: false },
      ],
      keywords: [w(0), w(3), w(5)],
      license: 'MIT',
      repository: `https://github.com/${scope}/${name}`,
      homepage: `https://${scope}.example/${name}`,
    },
    scan: {
      level: i % 5,
      score: 20 + (i % 20) * 4,
      display: `L${i % 5} ${20 + (i % 20) * 4}`,
      degraded: false,
      controls: Object.fromEntries(CONTROL_IDS.map((id, k) => [id, (i + k) % 11 === 0 ? 'unverified' : (i + k) % 7 === 0 ? 'fail' : 'pass'])),
      counts: { critical: 0, high: i % 2, medium: i % 3, low: 1, info: 2 },
      scannerVersion: '0.1.0',
      details: Object.fromEntries(CONTROL_IDS.map((id, k) => [id, { reason: `${id}: checked ${3 + ((i + k) % 40)} files; ${(i + k) % 7 === 0 ? 'found issues in dependency code' : 'no findings'}`, ...((i + k) % 7 === 0 ? { findings: { medium: 1 + (k % 3) } } : {}) }])),
    },
    signature: i % 2 ? { status: 'unsigned' } : { status: 'self-signed', signer: `CN=${scope}`, fingerprint: `sha256:${hex(i, 99)}` },
    provenance: { repository: `https://github.com/${scope}/${name}`, commit: hex(i, v).slice(0, 40), tag: `v${version}`, workflow: '.github/workflows/release.yml' },
    status: 'active',
  }));
  return { kind: 'bundle', name: `@${scope}/${name}`, claim: { maintainers: [scope], repository: `https://github.com/${scope}/${name}` }, versions: versions.reverse() };
}

async function makeRegistry(dir, count, home) {
  const init = await initIndex({ dir, templateDir: join(root, 'index-template'), name: 'bench', baseUrl: 'https://bench.example/', minLevel: 0, keysDir: join(home, 'keys') });
  const config = await readRegistryConfig(dir);
  await writeRegistryConfig(dir, { ...config, policy: { minLevel: 0 } });
  for (let i = 0; i < count; i++) {
    const e = entry(i);
    const [scope, bare] = e.name.split('/');
    await mkdir(join(dir, 'packages', scope), { recursive: true });
    await writeFile(join(dir, 'packages', scope, `${bare}.json`), stableJson(e));
  }
  const git = (...args) => execFileSync('git', ['-C', dir, '-c', 'user.name=bench', '-c', 'user.email=bench@example.com', ...args], { stdio: 'pipe' });
  git('add', '-A');
  git('commit', '-q', '--allow-empty', '-m', `${count} packages`);
  return init.key.path;
}

/** Runs a snippet in a fresh node process; returns its JSON line plus peak RSS (MiB) and wall time. */
function child(code, env = {}) {
  const t0 = performance.now();
  const res = spawnSync(process.execPath, ['--input-type=module', '-e', `${code}\nconsole.log(JSON.stringify({ ...out, maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) }));`], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  if (res.status !== 0) throw new Error(res.stderr);
  return { ...JSON.parse(res.stdout.trim().split('\n').pop()), wallMs: Math.round(performance.now() - t0) };
}

const buildCode = (dir, out, key) => `
const { buildIndex } = await import(${JSON.stringify(dist('registry/build.js'))});
const { readIndexSigningKey } = await import(${JSON.stringify(dist('registry/keys.js'))});
const t = performance.now();
const r = await buildIndex({ dir: ${JSON.stringify(dir)}, outDir: ${JSON.stringify(out)}, key: await readIndexSigningKey(${JSON.stringify(key)}) });
const cpu = process.cpuUsage();
const buildMs = Math.round(performance.now() - t);
const { readFileSync } = await import('node:fs');
const { gzipSync } = await import('node:zlib');
const ts = JSON.parse(readFileSync(${JSON.stringify(out)} + '/timestamp.json', 'utf8'));
const snap = JSON.parse(readFileSync(${JSON.stringify(out)} + '/' + ts.signed.snapshot.path, 'utf8'));
const summaryGzip = snap.signed.summary.reduce((n, s) => n + gzipSync(readFileSync(${JSON.stringify(out)} + '/' + s.path)).length, 0);
const { statSync } = await import('node:fs');
const catalogBytes = statSync(${JSON.stringify(out)} + '/catalog.json').size;
const documentIndexBytes = snap.signed.documents.length;
const out = { summaryGzip, catalogBytes, documentIndexBytes, buildMs, cpuMs: Math.round((cpu.user + cpu.system) / 1000), files: r.files, summaryBytes: r.summary.bytes, shards: r.summary.shards, snapshotBytes: r.snapshot.length };`;

const addCode = (dir, bundle, home) => `
const { addToIndex } = await import(${JSON.stringify(dist('registry/add.js'))});
const t = performance.now();
const r = await addToIndex({ dir: ${JSON.stringify(dir)}, source: ${JSON.stringify(bundle)}, cwd: '/', now: new Date('2026-06-01T00:00:00Z'), mpakHome: ${JSON.stringify(home)} });
const out = { addMs: Math.round(performance.now() - t), outcome: r.outcome, display: r.entry.scan.display };`;

const scanCode = (bundle, home) => `
const { scanBundle } = await import(${JSON.stringify(dist('scan/index.js'))});
const t = performance.now();
await scanBundle({ path: ${JSON.stringify(bundle)}, now: new Date('2026-06-01T00:00:00Z'), mpakHome: ${JSON.stringify(home)} });
const out = { scanMs: Math.round(performance.now() - t) };`;

const tmp = await mkdtemp(join(tmpdir(), 'mpak-bench-index-'));
try {
  const home = join(tmp, 'home');
  const small = Math.max(1, Math.round(N / 10));
  console.error(`generating ${small} and ${N} packages × 3 versions…`);
  let t = performance.now();
  const keySmall = await makeRegistry(join(tmp, 'small'), small, home);
  const keyBig = await makeRegistry(join(tmp, 'big'), N, home);
  const genMs = Math.round(performance.now() - t);
  const empty = join(tmp, 'empty');
  await makeRegistry(empty, 0, home);

  console.error('building…');
  const buildSmall = child(buildCode(join(tmp, 'small'), join(tmp, 'dist-small'), keySmall));
  const buildBig = child(buildCode(join(tmp, 'big'), join(tmp, 'dist-big'), keyBig));

  const { packBundle } = await import(dist('archive/index.js'));
  const src = join(tmp, 'bundle');
  await mkdir(join(src, 'server'), { recursive: true });
  await writeFile(join(src, 'manifest.json'), JSON.stringify({
    manifest_version: '0.3', name: '@bench/new-server', version: '1.0.0', description: 'A new server added to a large registry.',
    author: { name: 'Bench' }, server: { type: 'node', entry_point: 'server/index.js', mcp_config: { command: 'node', args: ['${__dirname}/server/index.js'] } },
    tools: [{ name: 'ping', description: 'Answers pong' }],
  }));
  await writeFile(join(src, 'server', 'index.js'), 'process.stdin.resume();\n');
  const bundle = join(tmp, 'new-server.mcpb');
  await packBundle({ dir: src, output: bundle, cwd: tmp, sourceDateEpoch: 1_700_000_000 });

  console.error('adding…');
  const scan = child(scanCode(bundle, home));
  const addEmpty = child(addCode(empty, bundle, home));
  const addBig = child(addCode(join(tmp, 'big'), bundle, home));

  const rows = [
    ['generate source entries (both registries)', `${genMs} ms`, ''],
    [`index build, ${small} × 3 (baseline)`, `${buildSmall.buildMs} ms`, `${buildSmall.cpuMs} ms CPU, ${buildSmall.maxRssMiB} MiB peak RSS`],
    [`index build, ${N} × 3`, `${buildBig.buildMs} ms`, `${buildBig.cpuMs} ms CPU, ${buildBig.maxRssMiB} MiB peak RSS; ×${(buildBig.buildMs / buildSmall.buildMs).toFixed(1)} for ×${N / small} packages`],
    [`  files / snapshot`, `${buildBig.files} files`, `snapshot ${(buildBig.snapshotBytes / 1024).toFixed(1)} KiB (baseline ${(buildSmall.snapshotBytes / 1024).toFixed(1)} KiB); document index ${(buildBig.documentIndexBytes / 1024 / 1024).toFixed(2)} MiB`],
    [`  catalog.json`, `${(buildBig.catalogBytes / 1024 / 1024).toFixed(2)} MiB`, `cap 16 MiB; ${((buildBig.catalogBytes / N) * 10_000 / 1024 / 1024).toFixed(2)} MiB per 10,000 packages`],
    [`  summary`, `${(buildBig.summaryBytes / 1e6).toFixed(2)} MB in ${buildBig.shards} shard(s)`, `${((buildBig.summaryBytes / N) * 10_000 / 1e6).toFixed(2)} MB per 10,000 packages (${((buildBig.summaryGzip / N) * 10_000 / 1e6).toFixed(2)} MB gzipped, as Pages serves it)`],
    ['scan of the new bundle alone', `${scan.scanMs} ms`, ''],
    ['index add into an empty registry (baseline)', `${addEmpty.addMs} ms`, `${addEmpty.outcome} ${addEmpty.display}`],
    [`index add into ${N} packages`, `${addBig.addMs} ms`, `${addBig.outcome}; ×${(addBig.addMs / addEmpty.addMs).toFixed(2)} vs empty; ${addBig.addMs - scan.scanMs} ms without the scan`],
  ];
  const w = Math.max(...rows.map((r) => r[0].length));
  for (const [a, b, c] of rows) console.log(`${a.padEnd(w)}  ${b.padStart(24)}  ${c}`);
} finally {
  await rm(tmp, { recursive: true, force: true });
}
