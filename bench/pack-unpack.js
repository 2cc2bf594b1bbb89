#!/usr/bin/env node
/**
 * On-demand benchmark for `mpak bundle pack` / `unpack` (not part of npm test).
 *
 *   npm run build && node bench/pack-unpack.js        # BENCH_RUNS=3 by default (best of N)
 *
 * Builds a bundle folder from the dependency closure of the MCP reference servers
 * (@modelcontextprotocol/server-filesystem, -memory, -everything, copied from the root
 * node_modules), then measures in one run, against baselines measured in the same run:
 *   pack:    mpak bundle pack   vs  official mcpb pack  vs  zip -qrX
 *   memory:  peak RSS of mpak pack at 1x and 2x the bundle size
 *   unpack:  mpak bundle unpack vs  unzip -q
 *   startup: mpak --version     vs  node -e 0
 *   size:    deflate level 6 (ours) vs level 9
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.env.BENCH_RUNS ?? 3);
const mpak = join(repo, 'bin', 'run.js');
const mcpb = join(repo, 'node_modules', '.bin', 'mcpb');
const hasTime = existsSync('/usr/bin/time');
if (!existsSync(join(repo, 'dist', 'src', 'archive', 'index.js'))) {
  console.error('Run npm run build first.');
  process.exit(2);
}
for (const tool of ['zip', 'unzip']) {
  if (spawnSync(tool, ['-v'], { stdio: 'ignore' }).status !== 0) {
    console.error(`${tool} is missing: apt-get install -y zip unzip`);
    process.exit(2);
  }
}

const work = mkdtempSync(join(tmpdir(), 'mpak-bench-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

// --- the bundle folder -----------------------------------------------------------------------
const roots = ['@modelcontextprotocol/server-filesystem', '@modelcontextprotocol/server-memory', '@modelcontextprotocol/server-everything'];

/** Packages reachable from `roots` through dependencies, resolved in the root node_modules. */
function closure() {
  const seen = new Set();
  const queue = [...roots];
  while (queue.length > 0) {
    const name = queue.shift();
    if (seen.has(name)) continue;
    const pj = join(repo, 'node_modules', name, 'package.json');
    if (!existsSync(pj)) continue; // nested copy inside another package: copied with its parent
    seen.add(name);
    const pkg = JSON.parse(readFileSync(pj, 'utf8'));
    for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) queue.push(dep);
  }
  return [...seen].sort();
}

/**
 * The closure alone is ~4,400 files; a vendored second copy of the two largest packages (the MCP SDK
 * and zod, as a bundle that pins its own copies would carry) takes it past 5,000. `copies` = 2
 * doubles everything for the memory-flatness measurement.
 */
const VENDORED = ['@modelcontextprotocol/sdk', 'zod'];

function makeBundle(dir, copies) {
  const packages = closure();
  for (let i = 0; i < copies; i++) {
    const suffix = i === 0 ? '' : `_copy${i}`;
    const nm = join(dir, `node_modules${suffix}`);
    for (const name of packages) cpSync(join(repo, 'node_modules', name), join(nm, name), { recursive: true, dereference: true });
    for (const name of VENDORED) cpSync(join(repo, 'node_modules', name), join(dir, `vendor${suffix}`, name), { recursive: true, dereference: true });
  }
  writeFileSync(
    join(dir, 'manifest.json'),
    `${JSON.stringify(
      {
        manifest_version: '0.3',
        name: '@bench/reference-servers',
        version: '1.0.0',
        description: 'The MCP reference servers with their dependencies (benchmark input)',
        author: { name: 'mpak bench' },
        server: {
          type: 'node',
          entry_point: 'node_modules/@modelcontextprotocol/server-filesystem/dist/index.js',
          mcp_config: { command: 'node', args: ['${__dirname}/node_modules/@modelcontextprotocol/server-filesystem/dist/index.js'] },
        },
      },
      null,
      2,
    )}\n`,
  );
  return packages.length;
}

function countFiles(dir) {
  let files = 0;
  let bytes = 0;
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        files++;
        bytes += statSync(p).size;
      }
    }
  };
  walk(dir);
  return { files, bytes };
}

// --- measuring ---------------------------------------------------------------------------------
/** Runs a command; returns wall time (ms) and peak RSS (kB, via /usr/bin/time -v). */
function measure(cmd, args, { cwd = work, before } = {}) {
  let best = { ms: Infinity, rssKb: 0 };
  for (let i = 0; i < runs; i++) {
    before?.();
    const argv = hasTime ? ['-v', cmd, ...args] : args;
    const t0 = process.hrtime.bigint();
    const r = spawnSync(hasTime ? '/usr/bin/time' : cmd, argv, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', CI: 'true' } });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
    const rssKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr ?? '')?.[1] ?? 0);
    if (ms < best.ms) best = { ms, rssKb };
  }
  return best;
}

const fmtMs = (ms) => `${ms.toFixed(0)} ms`;
const fmtMb = (kb) => (kb ? `${(kb / 1024).toFixed(0)} MB` : 'n/a');
const fmtSize = (b) => `${(b / 1e6).toFixed(2)} MB`;

const bundle1 = join(work, 'bundle');
mkdirSync(bundle1);
const packages = makeBundle(bundle1, 1);
const bundle2 = join(work, 'bundle2x');
mkdirSync(bundle2);
makeBundle(bundle2, 2);
const size1 = countFiles(bundle1);
const size2 = countFiles(bundle2);
console.log(`bundle: ${packages} packages, ${size1.files} files, ${fmtSize(size1.bytes)} (2x: ${size2.files} files, ${fmtSize(size2.bytes)}); best of ${runs} runs`);

const out = (name) => join(work, name);
const clean = (...paths) => () => paths.forEach((p) => rmSync(p, { recursive: true, force: true }));

const packMpak = measure('node', [mpak, 'bundle', 'pack', bundle1, '-o', out('mpak.mcpb'), '--force']);
const packMcpb = measure(mcpb, ['pack', bundle1, out('mcpb.mcpb')], { before: clean(out('mcpb.mcpb')) });
const packZip = measure('zip', ['-qrX', out('zip.zip'), '.'], { cwd: bundle1, before: clean(out('zip.zip')) });
const packMpak2 = measure('node', [mpak, 'bundle', 'pack', bundle2, '-o', out('mpak2.mcpb'), '--force']);
const unpackMpak = measure('node', [mpak, 'bundle', 'unpack', out('mpak.mcpb'), out('un-mpak')], { before: clean(out('un-mpak')) });
const unpackZip = measure('unzip', ['-q', out('mpak.mcpb'), '-d', out('un-zip')], { before: clean(out('un-zip')) });
const version = measure('node', [mpak, '--version']);
const nodeBare = measure('node', ['-e', '0']);

// Deflate level: ours (6) vs 9, same writer, same entries.
const { collectBundleFiles, writeDeterministicZip } = await import(join(repo, 'dist', 'src', 'archive', 'index.js'));
const selection = await collectBundleFiles(bundle1);
const entries = selection.files.map((f) => ({ path: f.path, source: f.source, mode: f.mode }));
const levels = {};
for (const level of [6, 9]) {
  const t0 = process.hrtime.bigint();
  const r = await writeDeterministicZip(entries, out(`level${level}.zip`), { level });
  levels[level] = { size: r.size, ms: Number(process.hrtime.bigint() - t0) / 1e6 };
}

const sizeOf = (p) => statSync(p).size;
const rows = [
  ['pack: mpak bundle pack', fmtMs(packMpak.ms), fmtMb(packMpak.rssKb), fmtSize(sizeOf(out('mpak.mcpb'))), ''],
  ['pack: mcpb pack (official)', fmtMs(packMcpb.ms), fmtMb(packMcpb.rssKb), fmtSize(sizeOf(out('mcpb.mcpb'))), `mpak is ${(packMcpb.ms / packMpak.ms).toFixed(2)}x faster (target >= 2x)`],
  ['pack: zip -qrX', fmtMs(packZip.ms), fmtMb(packZip.rssKb), fmtSize(sizeOf(out('zip.zip'))), `mpak/zip = ${(packMpak.ms / packZip.ms).toFixed(2)} (target <= 1.5)`],
  ['pack 2x: mpak bundle pack', fmtMs(packMpak2.ms), fmtMb(packMpak2.rssKb), fmtSize(sizeOf(out('mpak2.mcpb'))), `RSS 1x ${fmtMb(packMpak.rssKb)} -> 2x ${fmtMb(packMpak2.rssKb)} (target < 150 MB, flat)`],
  ['unpack: mpak bundle unpack', fmtMs(unpackMpak.ms), fmtMb(unpackMpak.rssKb), '', ''],
  ['unpack: unzip -q', fmtMs(unpackZip.ms), fmtMb(unpackZip.rssKb), '', `mpak/unzip = ${(unpackMpak.ms / unpackZip.ms).toFixed(2)} (target <= 1.5)`],
  ['startup: mpak --version', fmtMs(version.ms), fmtMb(version.rssKb), '', `/node -e 0 = ${(version.ms / nodeBare.ms).toFixed(2)} (target < 3)`],
  ['startup: node -e 0', fmtMs(nodeBare.ms), fmtMb(nodeBare.rssKb), '', ''],
  ['deflate level 6 (in-process)', fmtMs(levels[6].ms), '', fmtSize(levels[6].size), ''],
  ['deflate level 9 (in-process)', fmtMs(levels[9].ms), '', fmtSize(levels[9].size), `level 9 is ${(((levels[6].size - levels[9].size) / levels[6].size) * 100).toFixed(2)}% smaller, ${(levels[9].ms / levels[6].ms).toFixed(2)}x the time`],
];
const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i].length), ['what', 'time', 'peak RSS', 'output'][i].length));
const line = (r) => r.map((c, i) => (i < 4 ? c.padEnd(widths[i]) : c)).join('  ');
console.log(line(['what', 'time', 'peak RSS', 'output', 'ratio']));
for (const r of rows) console.log(line(r));
console.log(`node ${process.version}, ${process.platform}-${process.arch}, load average ${execFileSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).split(' ').slice(0, 3).join(' ')}`);
