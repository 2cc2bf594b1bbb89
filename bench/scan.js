#!/usr/bin/env node
// Benchmark of `scanBundle` on the three MCP reference servers plus their dependency closure from
// the root node_modules, packed as one bundle folder (~4,000 files). Runs each scan in a fresh
// child process (so peak RSS is the scan's own) and compares against a baseline measured in the
// same run: reading and hashing every file once. Needs `npm run build`. Usage: node bench/scan.js [runs]
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.argv[2] ?? 3);
const SERVERS = ['@modelcontextprotocol/server-filesystem', '@modelcontextprotocol/server-memory', '@modelcontextprotocol/server-everything'];

if (process.argv[2] === '--child') {
  const { scanBundle } = await import(join(root, 'dist/src/scan/index.js'));
  const { allControls } = await import(join(root, 'dist/src/scan/controls/index.js'));
  // --engine-only: without the code-analysis controls (CQ-01..CQ-06, CD-01..CD-04 share their parse).
  const controls = process.argv[4] === '--engine-only' ? allControls().filter((c) => !c.id.startsWith('CQ-') && !['CD-01', 'CD-02', 'CD-03', 'CD-04'].includes(c.id)) : undefined;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const report = await scanBundle({ path: process.argv[3], now: '2026-11-29T12:00:00Z', ...(controls ? { controls } : {}) });
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  // CPU time of every thread (analysis workers included): the fair figure on a shared machine.
  process.stdout.write(JSON.stringify({ ms, cpuMs: (cpu.user + cpu.system) / 1000, rssMb: process.resourceUsage().maxRSS / 1024, display: report.compliance.display, controls: report.controls.map((c) => [c.id, c.duration_ms, c.status]), findings: report.findings.length }));
  process.exit(0);
}

/** The dependency closure of the servers, resolved like node does from the root node_modules. */
function closure() {
  const seen = new Map();
  const queue = SERVERS.map((n) => join(root, 'node_modules', n));
  while (queue.length) {
    const dir = queue.pop();
    if (seen.has(dir) || !existsSync(join(dir, 'package.json'))) continue;
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    seen.set(dir, pkg);
    for (const dep of Object.keys({ ...(pkg.dependencies ?? {}), ...(pkg.optionalDependencies ?? {}) })) {
      let base = dir;
      for (;;) {
        const candidate = join(base, 'node_modules', dep);
        if (existsSync(candidate)) {
          queue.push(candidate);
          break;
        }
        const up = base.lastIndexOf('/node_modules/');
        if (up === -1) break;
        base = base.slice(0, up);
      }
    }
  }
  return [...seen.keys()];
}

function walk(dir, out = []) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.isFile()) out.push(p);
  }
  return out;
}

const work = mkdtempSync(join(tmpdir(), 'mpak-bench-scan-'));
try {
  const bundle = join(work, 'bundle');
  for (const dir of closure()) cpSync(dir, join(bundle, 'node_modules', dir.slice(join(root, 'node_modules').length + 1)), { recursive: true, dereference: true, filter: (src) => !src.slice(dir.length).includes('/node_modules/') });
  mkdirSync(join(bundle, 'server'), { recursive: true });
  writeFileSync(join(bundle, 'server', 'index.js'), "import '../node_modules/@modelcontextprotocol/server-filesystem/dist/index.js';\n");
  writeFileSync(join(bundle, 'manifest.json'), JSON.stringify({
    manifest_version: '0.3', name: '@bench/reference-servers', version: '1.0.0', description: 'bench', author: { name: 'bench', email: 'bench@acme.example' },
    server: { type: 'node', entry_point: 'server/index.js', mcp_config: { command: 'node', args: ['${__dirname}/server/index.js'] } },
    tools: [{ name: 'read_file', description: 'Reads a file' }],
  }, null, 2));
  const files = walk(bundle);
  const bytes = files.reduce((n, f) => n + statSync(f).size, 0);

  // Baseline: read and hash every file once, in this process.
  const b0 = performance.now();
  for (const f of files) createHash('sha256').update(readFileSync(f)).digest();
  const baselineMs = performance.now() - b0;

  const results = [];
  for (let i = 0; i < runs; i++) {
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', bundle], { encoding: 'utf8', maxBuffer: 64 << 20 });
    if (r.status !== 0) throw new Error(r.stderr);
    results.push(JSON.parse(r.stdout));
  }
  results.sort((a, b) => a.ms - b.ms);
  const engine = [];
  for (let i = 0; i < runs; i++) {
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', bundle, '--engine-only'], { encoding: 'utf8', maxBuffer: 64 << 20 });
    if (r.status !== 0) throw new Error(r.stderr);
    engine.push(JSON.parse(r.stdout));
  }
  engine.sort((a, b) => a.ms - b.ms);
  const engineMed = engine[Math.floor(engine.length / 2)];
  const med = results[Math.floor(results.length / 2)];
  const mb = bytes / 1024 / 1024;
  console.log(`bundle: ${files.length} files, ${mb.toFixed(1)} MB (${closure().length} packages); result ${med.display}, ${med.findings} findings`);
  console.log('| measure | value |');
  console.log('| --- | --- |');
  console.log(`| scan median of ${runs} (no --run) | ${(med.ms / 1000).toFixed(2)} s |`);
  console.log(`| scan runs | ${results.map((r) => (r.ms / 1000).toFixed(2)).join(' / ')} s |`);
  console.log(`| CPU time (all threads), runs | ${results.map((r) => (r.cpuMs / 1000).toFixed(2)).join(' / ')} s |`);
  console.log(`| peak RSS (max of runs) | ${Math.max(...results.map((r) => r.rssMb)).toFixed(0)} MB |`);
  console.log(`| files/s | ${(files.length / (med.ms / 1000)).toFixed(0)} |`);
  console.log(`| MB/s | ${(mb / (med.ms / 1000)).toFixed(1)} |`);
  console.log(`| engine + non-AST controls only, median | ${(engineMed.ms / 1000).toFixed(2)} s (CPU ${(engineMed.cpuMs / 1000).toFixed(2)} s), peak RSS ${Math.max(...engine.map((r) => r.rssMb)).toFixed(0)} MB |`);
  console.log(`| baseline: read + sha256 every file | ${(baselineMs / 1000).toFixed(2)} s (scan = ${(med.ms / baselineMs).toFixed(1)}× baseline) |`);
  console.log('\nper control (median run):');
  console.log('| control | ms | status |');
  console.log('| --- | --- | --- |');
  for (const [id, ms, status] of med.controls) console.log(`| ${id} | ${ms} | ${status} |`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
