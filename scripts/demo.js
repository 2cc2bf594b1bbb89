#!/usr/bin/env node
// The main job: the whole mpak loop on the shipped examples, offline, in a throwaway MPAK_HOME.
//   pack → validate → inspect → scan → sign → verify → index (init, add, build, verify)
//   → registry add → search → show → run (a real MCP client talks to `mpak bundle run`)
//   → skills (validate, pack, index, install) → mirror
// Every step runs the real CLI (bin/run.js) the way a user would. Exit 0 only when all pass.
// Usage: node scripts/demo.js [--keep]   (build first: npm run build; scripts/demo.sh does both)
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'run.js');
const keep = process.argv.includes('--keep');
const work = mkdtempSync(join(tmpdir(), 'mpak-demo-'));
const home = join(work, 'mpak-home');
const env = { ...process.env, MPAK_HOME: home, HOME: join(work, 'home'), NO_COLOR: '1', CI: 'true' };
delete env.MPAK_REGISTRY;
const started = Date.now();
let failures = 0;

function mpak(args, { json = true } = {}) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args, ...(json ? ['--json'] : [])], { cwd: work, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => {
      let data;
      try {
        data = json ? JSON.parse(stdout) : stdout;
      } catch {
        data = undefined;
      }
      resolve({ code, data, stdout, stderr });
    });
  });
}

/** One step: run, check, print one line; a failure prints the evidence and the demo goes on. */
async function step(label, fn) {
  const t0 = Date.now();
  try {
    const summary = await fn();
    console.log(`✓ ${label}${summary ? ` — ${summary}` : ''} (${Date.now() - t0} ms)`);
  } catch (err) {
    failures++;
    console.log(`✗ ${label} — ${err.message}`);
  }
}

function expectOk(r, what) {
  if (r.code !== 0) throw new Error(`${what} exited ${r.code}: ${(r.stderr || r.stdout).trim().split('\n').slice(-4).join(' | ')}`);
  return r.data;
}

const short = (hex) => `${hex.slice(0, 12)}…`;

console.log(`mpak demo in ${work}\n`);

// The Node example gets its dependencies from the project's own node_modules (no network; its
// node_modules is git-ignored), then the examples are copied so the demo never writes into them.
await step('vendor the Node example dependencies', async () => {
  const r = await new Promise((resolve) => {
    const c = spawn(process.execPath, [join(root, 'examples', 'weather-node', 'scripts', 'vendor.js')], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    c.stderr.on('data', (d) => (err += d));
    c.on('close', (code) => resolve({ code, stderr: err }));
  });
  if (r.code !== 0) throw new Error(r.stderr.trim());
  return 'copied from the local install';
});
const weatherSrc = join(work, 'weather-node');
const notesSrc = join(work, 'notes-python');
const skillSrc = join(work, 'skills', 'bundle-review');
cpSync(join(root, 'examples', 'weather-node'), weatherSrc, { recursive: true });
cpSync(join(root, 'examples', 'notes-python'), notesSrc, { recursive: true });
cpSync(join(root, 'examples', 'skills', 'bundle-review'), skillSrc, { recursive: true });

await step('advisories sync (the shipped OSV snapshot, offline)', async () => {
  const d = expectOk(await mpak(['advisories', 'sync', '--from', join(root, 'examples', 'advisories', 'osv')]), 'advisories sync');
  return `${d.entries} advisories stored under MPAK_HOME`;
});

const keys = join(work, 'keys');
const keyFile = join(keys, 'bundle-signing.key.pem');
const certFile = join(keys, 'bundle-signing.cert.pem');
await step('key generate (bundle signing, RSA-4096 + code-signing certificate)', async () => {
  const d = expectOk(await mpak(['key', 'generate', '--kind', 'bundle', '--out', keys, '--subject', 'CN=mpak demo publisher']), 'key generate');
  return `${d.algorithm}, certificate ${short(String(d.fingerprint ?? '').replace(/^sha256:/, ''))}`;
});

const bundles = {};
for (const [key, dir] of [['weather', weatherSrc], ['notes', notesSrc]]) {
  const file = join(work, `${key}.mcpb`);
  await step(`validate ${key}`, async () => {
    const d = expectOk(await mpak(['bundle', 'validate', dir]), 'validate');
    return `manifest ${d.version}, ${d.errors.length} errors, ${d.warnings.length} warnings`;
  });
  await step(`pack ${key} (reproducible, with content hashes)`, async () => {
    const d = expectOk(await mpak(['bundle', 'pack', dir, '--content-hashes', '-o', file]), 'pack');
    const again = expectOk(await mpak(['bundle', 'pack', dir, '--content-hashes', '-o', join(work, `${key}-again.mcpb`)]), 'pack again');
    if (again.sha256 !== d.sha256) throw new Error('packing twice gave different bytes');
    bundles[key] = { path: file, name: d.name, sha256: d.sha256 };
    return `${d.name}@${d.version}: ${d.files} files, ${d.size ?? d.packedSize} bytes, sha256 ${short(d.sha256)}, same bytes twice`;
  });
  await step(`info ${key}`, async () => {
    const d = expectOk(await mpak(['bundle', 'info', file]), 'info');
    return `${d.tools?.length ?? 0} tools, signature ${d.signature?.state ?? d.signature}`;
  });
  await step(`sign + verify ${key}`, async () => {
    expectOk(await mpak(['bundle', 'sign', file, '--key', keyFile, '--cert', certFile]), 'sign');
    const v = expectOk(await mpak(['bundle', 'verify', file, '--trust', certFile]), 'verify');
    const untrusted = await mpak(['bundle', 'verify', file]);
    return `${v.state} by ${v.signer?.subject ?? '?'}; without --trust: ${untrusted.data?.state} (exit ${untrusted.code})`;
  });
  await step(`attest ${key} (in-toto / SLSA provenance in DSSE)`, async () => {
    const d = expectOk(await mpak(['bundle', 'attest', file, '--key', keyFile, '--source-repo', `https://github.com/mpak-examples/${key}`]), 'attest');
    return String(d.path ?? d.output ?? d.file ?? '').replace(work, '$WORK');
  });
  await step(`scan ${key} (gate --min-level L1)`, async () => {
    const d = expectOk(await mpak(['bundle', 'scan', file, '--trust', certFile, '--min-level', 'L1', '-o', join(work, `${key}.scan.json`)]), 'scan');
    const open = d.controls.filter((c) => c.status !== 'pass' && c.status !== 'skip').map((c) => `${c.id} ${c.status}`);
    return `${d.compliance.display}, risk ${d.risk}${d.compliance.degraded ? ', DEGRADED' : ''}; not yet satisfied: ${open.join(', ') || 'none'}`;
  });
}

await step('skill validate + scan + pack', async () => {
  expectOk(await mpak(['skill', 'validate', skillSrc]), 'skill validate');
  const scan = expectOk(await mpak(['skill', 'scan', skillSrc, '--min-level', 'L2']), 'skill scan');
  const d = expectOk(await mpak(['skill', 'pack', skillSrc, '-o', join(work, 'bundle-review.skill')]), 'skill pack');
  return `${d.name}@${d.version} ${scan.compliance.display}, sha256 ${short(d.sha256)}`;
});

const registry = join(work, 'registry');
const dist = join(work, 'registry-dist');
await step('index init', async () => {
  const d = expectOk(await mpak(['index', 'init', registry, '--name', 'demo', '--base-url', 'https://demo.example/registry/']), 'index init');
  return `key ${short(d.key?.keyid ?? '')}`;
});
for (const key of ['weather', 'notes']) {
  await step(`index add ${key}`, async () => {
    const d = expectOk(await mpak(['index', 'add', bundles[key].path, '--index', registry, '--trust', certFile]), 'index add');
    return `${d.name}@${d.version} ${d.outcome}: ${d.entry?.scan?.display ?? ''}, signature ${d.entry?.signature?.status ?? ''}`;
  });
}
await step('index add skill', async () => {
  const d = expectOk(await mpak(['index', 'add', join(work, 'bundle-review.skill'), '--index', registry]), 'index add skill');
  return `${d.name}@${d.version} ${d.outcome}: ${d.entry?.scan?.display ?? ''}`;
});
await step('index build', async () => {
  const d = expectOk(await mpak(['index', 'build', registry, '-o', dist]), 'index build');
  return `version ${d.version}, ${d.files} files, ${d.packages?.bundle ?? '?'} bundles + ${d.packages?.skill ?? '?'} skills`;
});
await step('index verify', async () => {
  const d = expectOk(await mpak(['index', 'verify', dist]), 'index verify');
  return `${d.checked?.files} files, ${d.checked?.blobs} blobs, ${d.problems.length} problems`;
});

await step('registry add (folder)', async () => {
  const d = expectOk(await mpak(['registry', 'add', 'demo', dist]), 'registry add');
  return `pinned ${JSON.stringify(d.pinned ?? d.keys ?? d.fingerprint ?? '').slice(0, 60)}`;
});
await step('search weather', async () => {
  const d = expectOk(await mpak(['search', 'weather']), 'search');
  const list = d.hits ?? d.results ?? d;
  const hit = list.find((x) => x.name === bundles.weather.name);
  if (!hit) throw new Error(`${bundles.weather.name} not found in ${JSON.stringify(list).slice(0, 200)}`);
  return `${list.length} result(s): ${hit.name} ${hit.version} ${hit.display ?? hit.trust ?? ''}`;
});
await step('bundle show', async () => {
  const d = expectOk(await mpak(['bundle', 'show', bundles.weather.name]), 'show');
  return `${d.versions.length} version(s), ${d.version.manifest.tools.length} tools, ${d.version.scan.display}, signature ${d.version.signature.status}`;
});

async function callThroughMpak(ref, tool, args) {
  const transport = new StdioClientTransport({ command: process.execPath, args: [bin, 'bundle', 'run', ref], env, stderr: 'pipe' });
  const client = new Client({ name: 'mpak-demo', version: '1.0.0' });
  await client.connect(transport);
  try {
    const tools = await client.listTools();
    const res = await client.callTool({ name: tool, arguments: args });
    const text = res.content?.find((c) => c.type === 'text')?.text ?? '';
    return `${tools.tools.length} tools; ${tool} → ${text.replace(/\s+/g, ' ').slice(0, 70)}`;
  } finally {
    await client.close();
  }
}
await step('bundle run @mpak-examples/weather (MCP client over stdio)', () =>
  callThroughMpak(bundles.weather.name, 'convert_temperature', { value: 21, from: 'C', to: 'F' }),
);
await step(`bundle run ${bundles.notes?.name ?? 'notes'} (Python, no dependencies)`, () =>
  callThroughMpak(bundles.notes.name, 'add_note', { title: 'demo', body: 'hello from mpak' }),
);

await step('skill install from the registry', async () => {
  const d = expectOk(await mpak(['skill', 'install', '@mpak-examples/bundle-review', '--dir', join(work, 'skills-installed')]), 'skill install');
  return `${d.name} → ${d.path.replace(work, '$WORK')}`;
});

const mirror = join(work, 'mirror');
await step('mirror + verify the mirror', async () => {
  const d = expectOk(await mpak(['mirror', dist, mirror]), 'mirror');
  const v = expectOk(await mpak(['index', 'verify', mirror]), 'verify mirror');
  const again = expectOk(await mpak(['mirror', dist, mirror]), 'mirror re-run');
  return `${d.blobs.copied} bundles copied; verify ${v.problems.length} problems; re-run unchanged=${again.unchanged}`;
});

console.log(`\n${failures === 0 ? 'All steps passed' : `${failures} step(s) failed`} in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
if (keep) console.log(`Kept ${work}`);
else rmSync(work, { recursive: true, force: true });
process.exit(failures === 0 ? 0 : 1);
