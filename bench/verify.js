#!/usr/bin/env node
// Benchmark: verifying the signature of a 50 MB bundle vs `sha256sum` of the same file.
// The verifier streams the signed bytes through one hash (forked for the B/C variants), so it
// should cost about one SHA-256 pass plus fixed CMS/X.509 work.
// Run on demand after `npm run build`: node bench/verify.js [sizeMB]
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32 } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { generateKeys, signBundle, verifyBundle } = await import(join(root, 'dist/src/sign/index.js'));
const sizeMb = Number(process.argv[2] ?? 50);
const runs = 3;

/** A stored ZIP of incompressible files, about sizeMb in total. */
function bundleBytes() {
  const files = [['manifest.json', Buffer.from('{"manifest_version":"0.3","name":"bench","version":"1.0.0"}')]];
  for (let i = 0; i < sizeMb; i++) files.push([`data/blob-${i}.bin`, randomBytes(1 << 20)]);
  const parts = [];
  const central = [];
  let offset = 0;
  for (const [name, data] of files) {
    const n = Buffer.from(name);
    const crc = crc32(data);
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0); lh.writeUInt16LE(20, 4); lh.writeUInt32LE(crc, 14);
    lh.writeUInt32LE(data.length, 18); lh.writeUInt32LE(data.length, 22); lh.writeUInt16LE(n.length, 26);
    parts.push(lh, n, data);
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(0x02014b50, 0); ch.writeUInt16LE(20, 4); ch.writeUInt16LE(20, 6); ch.writeUInt32LE(crc, 16);
    ch.writeUInt32LE(data.length, 20); ch.writeUInt32LE(data.length, 24); ch.writeUInt16LE(n.length, 28); ch.writeUInt32LE(offset, 42);
    central.push(ch, n);
    offset += 30 + n.length + data.length;
  }
  const cd = Buffer.concat(central);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0); eocd.writeUInt16LE(files.length, 8); eocd.writeUInt16LE(files.length, 10);
  eocd.writeUInt32LE(cd.length, 12); eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, cd, eocd]);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
function timeSpawn(cmd, args, env) {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

const dir = mkdtempSync(join(tmpdir(), 'mpak-bench-verify-'));
try {
  const file = join(dir, 'bench.mcpb');
  writeFileSync(file, bundleBytes());
  const keys = await generateKeys({ kind: 'bundle', out: join(dir, 'keys') }); // RSA-4096, the default
  const [key, cert] = keys.files.map((f) => f.path);
  await signBundle({ file, key, cert });
  execFileSync('cat', [file], { stdio: ['ignore', 'ignore', 'ignore'] }); // warm the page cache

  const sha = [];
  const cli = [];
  const lib = [];
  for (let i = 0; i < runs; i++) {
    sha.push(timeSpawn('sha256sum', [file]));
    cli.push(timeSpawn(process.execPath, [join(root, 'bin/run.js'), 'bundle', 'verify', file, '--trust', cert, '--json'], { MPAK_HOME: join(dir, 'home') }));
    const t = process.hrtime.bigint();
    const r = await verifyBundle({ file, trust: [cert] });
    lib.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (r.state !== 'trusted') throw new Error(`unexpected state ${r.state}: ${r.reason}`);
  }
  const node = [];
  const version = [];
  for (let i = 0; i < runs; i++) {
    node.push(timeSpawn(process.execPath, ['-e', '0']));
    version.push(timeSpawn(process.execPath, [join(root, 'bin/run.js'), '--version']));
  }
  const base = median(sha);
  const rows = [
    ['sha256sum (baseline)', base],
    ['verifyBundle (in-process, RSA-4096, variant B)', median(lib)],
    ['mpak bundle verify (CLI process)', median(cli)],
    ['  fixed cost: `mpak --version` (oclif start-up)', median(version)],
    ['  fixed cost: bare `node -e 0`', median(node)],
  ];
  console.log(`${sizeMb} MB signed bundle, median of ${runs} runs`);
  console.log('| what | ms | × sha256sum |');
  console.log('| --- | ---: | ---: |');
  for (const [name, ms] of rows) console.log(`| ${name} | ${ms.toFixed(0)} | ${(ms / base).toFixed(2)} |`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
