import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { allControls } from '../../src/scan/controls/index.js';
import type { ControlId } from '../../src/scan/index.js';
import { baseManifest, control, scan, SERVER_JS, writeBundle, type FixtureOptions } from './fixtures.js';

let tmp: { dir: string; cleanup: () => Promise<void> };
let n = 0;
beforeAll(async () => {
  tmp = await tempDir('mpak-scan-controls-');
});
afterAll(() => tmp.cleanup());

/** Scans a fixture folder with only the named controls (plus their cross-control inputs). */
async function only(ids: ControlId[], fixture: FixtureOptions, extra: object = {}, path?: string) {
  const dir = path ?? (await writeBundle(join(tmp.dir, `f${n++}`), fixture));
  const controls = allControls().filter((c) => ids.includes(c.id));
  const report = await scan(dir, { controls, ...extra });
  return (id: ControlId) => control(report, id);
}

const m = (patch: (x: Record<string, any>) => void) => {
  const x = baseManifest();
  patch(x);
  return x;
};
const git = (cwd: string, ...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@acme.example', '-c', 'commit.gpgsign=false', '-c', 'tag.gpgsign=false', ...args], { cwd, encoding: 'utf8' }).trim();

describe('artifact integrity', () => {
  it('AI-01 pass, fail on missing entry point and non-SemVer version', async () => {
    expect((await only(['AI-01'], {}))('AI-01').status).toBe('pass');
    const c = (await only(['AI-01'], { manifest: m((x) => ((x.server.entry_point = 'server/main.js'), (x.version = '1.0'))) }))('AI-01');
    expect(c.status).toBe('fail');
    expect(c.found.map((f) => f.rule)).toEqual(expect.arrayContaining(['entry-point-missing', 'version-not-semver']));
  });

  it('AI-02 pass with content hashes; fail on a modified file, an unlisted file, or no list', async () => {
    expect((await only(['AI-02'], { contentHashes: true }))('AI-02').status).toBe('pass');
    const dir = await writeBundle(join(tmp.dir, 'tampered'), { contentHashes: true });
    await writeFile(join(dir, 'server/index.js'), SERVER_JS + '// changed\n');
    await writeFile(join(dir, 'server/extra.js'), 'module.exports = 1;\n');
    const c = (await only(['AI-02'], {}, {}, dir))('AI-02');
    expect(c.status).toBe('fail');
    expect(c.found.map((f) => f.rule).sort()).toEqual(['hash-mismatch', 'unlisted-file']);
    expect((await only(['AI-02'], {}))('AI-02').found[0]!.rule).toBe('no-content-hashes');
  });

  it('AI-03 pass when signed and trusted, unverified without anchors, fail unsigned or tampered', async () => {
    const { generateKeys, signBundle } = await import('../../src/sign/index.js');
    const { packBundle } = await import('../../src/archive/index.js');
    const dir = await writeBundle(join(tmp.dir, 'signed'));
    const file = join(tmp.dir, 'signed.mcpb');
    await packBundle({ dir, output: file, cwd: tmp.dir });
    expect((await only(['AI-03'], {}, {}, file))('AI-03').found[0]!.rule).toBe('unsigned');
    const keys = await generateKeys({ kind: 'bundle', algorithm: 'ecdsa-p256', out: join(tmp.dir, 'keys'), subject: 'CN=Acme Signing, emailAddress=security@acme.example' });
    const key = keys.files.find((f) => f.role === 'private-key')!.path;
    const cert = keys.files.find((f) => f.role === 'certificate')!.path;
    await signBundle({ file, key, cert });
    expect((await only(['AI-03'], {}, {}, file))('AI-03')).toMatchObject({ status: 'unverified', requires: ['--trust'] });
    expect((await only(['AI-03'], {}, { trust: [cert] }, file))('AI-03').status).toBe('pass');
    const bytes = await import('node:fs/promises').then((fs) => fs.readFile(file));
    bytes[40] = bytes[40]! ^ 0xff; // inside the first local entry's data
    const bad = join(tmp.dir, 'tampered.mcpb');
    await writeFile(bad, bytes);
    const t = await only(['AI-03'], {}, { trust: [cert] }, bad).catch((e) => e);
    // Either the reader rejects the corrupted entry (exit 2) or AI-03 says invalid (CRITICAL).
    if (typeof t === 'function') expect(t('AI-03').found.some((f: any) => f.severity === 'CRITICAL' || f.severity === 'HIGH')).toBe(true);
    else expect(t.exitCode).toBe(2);
  });

  it('AI-04 pass for a deterministic pack, fail for a different container', async () => {
    const { packBundle, writeDeterministicZip } = await import('../../src/archive/index.js');
    const dir = await writeBundle(join(tmp.dir, 'repro'), { manifest: m((x) => (x._meta['org.mpaktrust'].build = { reproducible: true, instructions: 'mpak bundle pack' })) });
    const file = join(tmp.dir, 'repro.mcpb');
    await packBundle({ dir, output: file, cwd: tmp.dir });
    const ok = (await only(['AI-04'], {}, {}, file))('AI-04');
    expect(ok.status).toBe('pass');
    const fs = await import('node:fs/promises');
    const other = join(tmp.dir, 'level9.mcpb');
    const entries = [{ path: 'manifest.json', data: await fs.readFile(join(dir, 'manifest.json')), mode: 0o644 }, { path: 'server/index.js', data: Buffer.from(SERVER_JS.repeat(20)), mode: 0o644 }];
    await writeDeterministicZip(entries, other, { level: 1 });
    const bad = (await only(['AI-04'], {}, {}, other))('AI-04');
    expect(bad.status).toBe('fail');
    expect(bad.found[0]!.details.difference).toBe('container');
  });

  it('AI-05 pass; CRITICAL for an unexpected script, HIGH for stray source and phantom packages', async () => {
    expect((await only(['AI-05'], {}))('AI-05').status).toBe('pass');
    const c = (await only(['AI-05'], { files: { 'tools/run.sh': '#!/bin/sh\necho hi\n', 'old/server.py': 'print(1)\n', 'node_modules/ghost/index.js': 'x\n', 'server/util.js': 'module.exports = 1;\n', 'server/lib/a.js': 'require("./b")\n' } }))('AI-05');
    expect(c.status).toBe('fail');
    const sev = Object.fromEntries(c.found.map((f) => [f.file, f.severity]));
    expect(sev['tools/run.sh']).toBe('CRITICAL');
    expect(sev['old/server.py']).toBe('HIGH');
    expect(c.found.some((f) => f.rule === 'phantom-component')).toBe(true);
    expect(sev['server/util.js']).toBeUndefined(); // the entry point's directory subtree is expected
  });
});

const dep = (name: string, version: string, extra: object = {}) => ({
  [`node_modules/${name}/package.json`]: JSON.stringify({ name, version, license: 'MIT', ...extra }),
  [`node_modules/${name}/index.js`]: 'module.exports = 1;\n',
});
// package-lock.json is a default pack exclusion: fixtures re-include it as authors must.
const KEEP_LOCK = { '.mcpbignore': '!package-lock.json\n' };
const lock = (pkgs: Record<string, object>, version = 3) => JSON.stringify({ name: 'hello', lockfileVersion: version, packages: { '': { name: 'hello' }, ...pkgs } });
const sri = (s: string) => `sha512-${createHash('sha512').update(s).digest('base64')}`;

describe('supply chain', () => {
  it('SC-01 pass with vendored metadata; fail on a package.json without a version', async () => {
    const ok = (await only(['SC-01'], { files: dep('left-pad', '1.3.0') }))('SC-01');
    expect(ok.status).toBe('pass');
    expect(ok.reason).toMatch(/1 components/);
    const bad = (await only(['SC-01'], { files: { 'node_modules/broken/package.json': '{"name":"broken"}', 'node_modules/broken/index.js': '1' } }))('SC-01');
    expect(bad.status).toBe('fail');
    expect(bad.found[0]!.rule).toBe('unreadable-metadata');
  });

  it('SC-03 skip, pass exact, fail on ranges without a lock and on npx without a version', async () => {
    expect((await only(['SC-03'], {}))('SC-03').status).toBe('skip');
    expect((await only(['SC-03'], { files: { 'package.json': JSON.stringify({ dependencies: { zod: '3.25.1' } }) } }))('SC-03').status).toBe('pass');
    const bad = (await only(['SC-03'], { files: { 'package.json': JSON.stringify({ dependencies: { zod: '^3.25.1', x: 'git+https://github.com/a/b.git#main' } }) } }))('SC-03');
    expect(bad.status).toBe('fail');
    expect(bad.found.map((f) => f.rule)).toEqual(expect.arrayContaining(['unpinned', 'git-unpinned']));
    const npx = (await only(['SC-03'], { manifest: m((x) => (x.server.mcp_config = { command: 'npx', args: ['-y', '@acme/tool'] })) }))('SC-03');
    expect(npx.found.map((f) => f.rule)).toContain('launch-unpinned');
    const locked = (await only(['SC-03'], { files: { 'package.json': JSON.stringify({ dependencies: { 'left-pad': '^1.3.0' } }), 'package-lock.json': lock({ 'node_modules/left-pad': { version: '1.3.0', integrity: sri('x') } }), ...KEEP_LOCK } }))('SC-03');
    expect(locked.status).toBe('pass');
    expect(locked.found.map((f) => f.rule)).toEqual(['range-locked']);
  });

  it('SC-04 skip, pass with a matching lock, fail without a lock or on a version mismatch', async () => {
    expect((await only(['SC-04'], {}))('SC-04').status).toBe('skip');
    const files = { ...dep('left-pad', '1.3.0'), ...KEEP_LOCK, 'package-lock.json': lock({ 'node_modules/left-pad': { version: '1.3.0', resolved: 'https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz', integrity: sri('x') } }) };
    expect((await only(['SC-04'], { files }))('SC-04').status).toBe('pass');
    expect((await only(['SC-04'], { files: dep('left-pad', '1.3.0') }))('SC-04').found[0]!.rule).toBe('no-lockfile');
    const mismatch = (await only(['SC-04'], { files: { ...dep('left-pad', '1.3.1'), ...KEEP_LOCK, 'package-lock.json': files['package-lock.json'] } }))('SC-04');
    expect(mismatch.found.find((f) => f.rule === 'version-mismatch')).toMatchObject({ severity: 'HIGH', blocking: true, in_dependency: true });
    const py = (await only(['SC-04'], {
      files: { 'server/lib/foo-1.0.dist-info/METADATA': 'Name: foo\nVersion: 1.0\n', 'server/lib/foo-1.0.dist-info/RECORD': `foo/__init__.py,sha256=${createHash('sha256').update('orig').digest('base64url')},4\n`, 'server/lib/foo/__init__.py': 'evil', 'uv.lock': '[[package]]\nname = "foo"\nversion = "1.0"\nsdist = { url = "https://files.pythonhosted.org/x.tar.gz", hash = "sha256:aa" }\n' },
      manifest: m((x) => (x.server = { type: 'python', entry_point: 'server/main.py', mcp_config: { command: 'python3', args: ['${__dirname}/server/main.py'] } })),
    }))('SC-04');
    expect(py.found.find((f) => f.rule === 'record-mismatch')).toMatchObject({ severity: 'HIGH', in_dependency: true });
  });

  it('SC-05 skip, pass for registry sources, fail for http and file sources', async () => {
    expect((await only(['SC-05'], {}))('SC-05').status).toBe('skip');
    const ok = { ...dep('left-pad', '1.3.0'), ...KEEP_LOCK, 'package-lock.json': lock({ 'node_modules/left-pad': { version: '1.3.0', resolved: 'https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz', integrity: sri('x') } }) };
    expect((await only(['SC-05'], { files: ok }))('SC-05').status).toBe('pass');
    const bad = { ...dep('left-pad', '1.3.0'), ...KEEP_LOCK, 'package-lock.json': lock({ 'node_modules/left-pad': { version: '1.3.0', resolved: 'http://evil.attacker.example/left-pad.tgz', integrity: sri('x') }, 'node_modules/local': { version: '1.0.0', resolved: 'file:../local' } }) };
    const c = (await only(['SC-05'], { files: bad }))('SC-05');
    expect(c.status).toBe('fail');
    expect(c.found.map((f) => f.rule).sort()).toEqual(['insecure-source', 'local-source']);
    expect((await only(['SC-05'], { files: bad }, { allowSources: ['http://evil.attacker.example/'] }))('SC-05').found.length).toBeGreaterThan(0);
  });
});

describe('capability declaration', () => {
  it('CD-01 pass; fail on invalid and undeclared tool names', async () => {
    expect((await only(['CD-01'], {}))('CD-01').status).toBe('pass');
    const c = (await only(['CD-01'], { manifest: m((x) => (x.tools = [{ name: 'say hello!', description: 'x' }])) }))('CD-01');
    expect(c.status).toBe('fail');
    expect(c.found.map((f) => f.rule)).toEqual(expect.arrayContaining(['invalid-name', 'undeclared-tool']));
    expect((await only(['CD-01'], { manifest: m((x) => delete x.tools) }))('CD-01').found.map((f) => f.rule)).toContain('no-tools');
  });

  it('CD-02 pass when declarations cover the code; CRITICAL for undeclared subprocess; HIGH without a block', async () => {
    expect((await only(['CD-02'], {}))('CD-02').status).toBe('pass');
    const code = SERVER_JS + "import { execFile } from 'node:child_process';\nexport const run = () => execFile('ls', []);\nconst key = process.env.OPENAI_API_KEY;\n";
    const c = (await only(['CD-02'], { files: { 'server/index.js': code } }))('CD-02');
    expect(c.status).toBe('fail');
    expect(c.found.find((f) => f.rule === 'undeclared-subprocess')?.severity).toBe('CRITICAL');
    expect(c.found.some((f) => f.rule === 'undeclared-secret-env')).toBe(true);
    expect((await only(['CD-02'], { manifest: m((x) => delete x._meta) }))('CD-02').found[0]!.rule).toBe('missing-permissions');
  });

  it('CD-04 skip without OAuth; fail on an unjustified admin scope; pass for a justified read-only scope', async () => {
    expect((await only(['CD-04'], {}))('CD-04').status).toBe('skip');
    const cred = (scopes: string[], justification: string) => m((x) => (x._meta['org.mpaktrust'].credentials = [{ provider: 'google', scopes, justification, token_handling: { storage: 'memory', max_lifetime_seconds: 3600 } }]));
    const bad = (await only(['CD-04'], { manifest: cred(['https://mail.google.com/'], 'mail') }))('CD-04');
    expect(bad.status).toBe('fail');
    expect(bad.found.find((f) => f.rule === 'unjustified-critical-scope')?.severity).toBe('CRITICAL');
    expect((await only(['CD-04'], { manifest: cred(['https://www.googleapis.com/auth/calendar.readonly'], 'Reads calendar events to answer scheduling questions') }))('CD-04').status).toBe('pass');
    const undeclared = (await only(['CD-04'], { files: { 'server/index.js': SERVER_JS + "const u = 'https://accounts.google.com/o/oauth2/v2/auth?scope=https://www.googleapis.com/auth/drive';\n" } }))('CD-04');
    expect(undeclared.found.map((f) => f.rule)).toEqual(expect.arrayContaining(['undeclared-oauth', 'undeclared-scope']));
  });
});

describe('provenance', () => {
  it('PR-01 pass; fail on credentials in the URL or a missing repository', async () => {
    expect((await only(['PR-01'], {}))('PR-01').status).toBe('pass');
    const c = (await only(['PR-01'], { manifest: m((x) => (x.repository.url = 'https://bob:ghp_notreal@github.com/acme/hello')) }))('PR-01');
    expect(c.found.find((f) => f.rule === 'credentials-in-url')).toMatchObject({ severity: 'HIGH' });
    expect(JSON.stringify(c.found)).not.toContain('ghp_notreal');
    expect((await only(['PR-01'], { manifest: m((x) => delete x.repository) }))('PR-01').status).toBe('fail');
  });

  it('PR-02 pass; fail without an author e-mail or scope', async () => {
    expect((await only(['PR-02'], {}))('PR-02').status).toBe('pass');
    const c = (await only(['PR-02'], { manifest: m((x) => ((x.author = { name: 'A' }), (x.name = 'hello'))) }))('PR-02');
    expect(c.found.map((f) => f.rule).sort()).toEqual(['missing-email', 'registry-identity', 'unscoped-name']);
  });

  it('PR-03 fail without attestation; unverified without --trust; pass with the key; fail for an untrusted builder', async () => {
    const { packBundle } = await import('../../src/archive/index.js');
    const { attestBundle, generateKeys } = await import('../../src/sign/index.js');
    const dir = await writeBundle(join(tmp.dir, 'attest'));
    const file = join(tmp.dir, 'attest', '..', 'attested.mcpb');
    await packBundle({ dir, output: file, cwd: tmp.dir });
    expect((await only(['PR-03'], {}, {}, file))('PR-03').found[0]!.rule).toBe('no-attestation');
    const keys = await generateKeys({ kind: 'bundle', algorithm: 'ecdsa-p256', out: join(tmp.dir, 'attest-keys') });
    const key = keys.files.find((f) => f.role === 'private-key')!.path;
    const cert = keys.files.find((f) => f.role === 'certificate')!.path;
    const commit = 'a'.repeat(40);
    await attestBundle({ file, key, builderId: 'https://github.com/actions/runner/github-hosted', sourceRepo: 'https://github.com/acme/hello', sourceCommit: commit, env: {} });
    const noTrust = (await only(['PR-03'], {}, {}, file))('PR-03');
    expect(noTrust).toMatchObject({ status: 'unverified', requires: ['--trust'] });
    expect((await only(['PR-03'], {}, { trust: [cert] }, file))('PR-03').status).toBe('pass');
    expect((await only(['PR-03'], {}, { trust: [cert], trustedBuilders: [] }, file))('PR-03').status).toBe('pass');
    await attestBundle({ file, key, builderId: 'https://ci.attacker.example/builder', sourceRepo: 'https://github.com/acme/hello', sourceCommit: commit, env: {} });
    const untrusted = (await only(['PR-03'], {}, { trust: [cert] }, file))('PR-03');
    expect(untrusted.found.map((f) => f.rule)).toContain('untrusted-builder');
    expect((await only(['PR-03'], {}, { trust: [cert], trustedBuilders: ['https://ci.attacker.example/'] }, file))('PR-03').status).toBe('pass');
  });

  it('PR-04 and PR-05 with a real git checkout (packed and loose objects)', async () => {
    const src = join(tmp.dir, 'repo');
    await writeBundle(src, {
      files: {
        LICENSE: 'MIT License\n\nPermission is hereby granted, free of charge, to any person...\n',
        'SECURITY.md': 'Report to security@acme.example\n',
        'README.md': '# @acme/hello\n',
        '.github/workflows/ci.yml': 'on: [push]\npermissions:\n  contents: read\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@b4ffde65f46336ab88eb53be808477a3936bae11\n',
        '.github/dependabot.yml': 'version: 2\n',
        'test/hello.test.js': 'test\n',
      },
    });
    git(src, 'init', '-q');
    git(src, 'add', '.');
    git(src, 'commit', '-qm', 'release');
    git(src, 'tag', 'v1.0.0');
    git(src, 'gc', '-q');
    const commit = git(src, 'rev-parse', 'HEAD');
    const linked = m((x) => (x._meta['org.mpaktrust'].source = { commit, tag: 'v1.0.0' }));
    const noSource = await only(['PR-04', 'PR-05'], { manifest: linked });
    expect(noSource('PR-04')).toMatchObject({ status: 'unverified', requires: ['--source'] });
    expect(noSource('PR-05')).toMatchObject({ status: 'unverified', requires: ['--source'] });
    const withSource = await only(['PR-04', 'PR-05'], { manifest: linked }, { source: src });
    expect(withSource('PR-04').status).toBe('pass');
    expect(withSource('PR-05').status).toBe('pass');
    expect(withSource('PR-05').reason).toMatch(/(9|10)\/10/);
    const changed = await only(['PR-04'], { manifest: linked, files: { 'server/index.js': SERVER_JS + '// not in git\n' } }, { source: src });
    expect(changed('PR-04').found.map((f) => f.rule)).toContain('file-differs');
    expect((await only(['PR-04'], { manifest: m((x) => (x._meta['org.mpaktrust'].source = { commit: commit.slice(0, 7) })) }))('PR-04').found[0]!.rule).toBe('malformed-commit');
    const wrong = await only(['PR-04'], { manifest: m((x) => (x._meta['org.mpaktrust'].source = { commit: 'b'.repeat(40) })) }, { source: src });
    expect(wrong('PR-04').found[0]!.rule).toBe('commit-not-found');
    // A bare repository with no CI, licence or tests scores below 5.
    const poor = join(tmp.dir, 'poor');
    await writeBundle(poor, {});
    git(poor, 'init', '-q');
    git(poor, 'add', '.');
    git(poor, 'commit', '-qm', 'x');
    const low = await only(['PR-05'], {}, { source: poor, now: '2027-11-29T12:00:00Z' });
    expect(low('PR-05').status).toBe('fail');
  });
});
