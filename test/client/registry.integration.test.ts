import { cp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { mpakPaths } from '../../src/config/paths.js';
import { readConfig } from '../../src/config/store.js';
import { addRegistry } from '../../src/client/add.js';
import { makeClientContext, type ClientContext } from '../../src/client/context.js';
import { activeRegistries } from '../../src/client/registries.js';
import { refreshRegistry } from '../../src/client/refresh.js';
import { searchRegistries } from '../../src/client/search.js';
import { pullBundle } from '../../src/client/pull.js';
import { isMpakError } from '../../src/errors.js';
import { startStaticServer, type StaticServer } from '../../src/registry/serve.js';
import { createFixtureRegistry, type FixtureRegistry } from './helpers/registry.js';

let root: { dir: string; cleanup: () => Promise<void> };
let registry: FixtureRegistry;
let server: StaticServer;

beforeAll(async () => {
  root = await tempDir('mpak-client-');
  registry = await createFixtureRegistry(root.dir, [
    { name: '@acme/weather', version: '1.0.0', keywords: ['forecast'] },
    { name: '@acme/weather', version: '1.2.0', keywords: ['forecast'] },
    { name: '@acme/notes', version: '0.3.0', level: 0, description: 'Take notes in markdown' },
  ]);
  server = await startStaticServer({ root: registry.distDir });
});
afterAll(async () => {
  await server?.close();
  await root?.cleanup();
});

async function freshContext(extra: Partial<ClientContext> = {}): Promise<ClientContext> {
  const home = await tempDir('mpak-home-');
  return makeClientContext({ env: { MPAK_HOME: home.dir }, warn: () => {}, ...extra });
}

async function errorOf(p: Promise<unknown>) {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describe('registry add / refresh over HTTP', () => {
  it('pins keys on first use, verifies, and refreshes with a conditional request', async () => {
    const requests: string[] = [];
    const fetchSpy: typeof fetch = async (input, init) => {
      requests.push(`${String(input).replace(server.url, '/')} ${new Headers(init?.headers).get('if-none-match') ? 'conditional' : ''}`.trim());
      return fetch(input, init);
    };
    const ctx = await freshContext({ fetch: fetchSpy });
    const added = await addRegistry(ctx, { name: 'test', url: server.url });
    expect(added.firstUse).toBe(true);
    expect(added.pinned).toEqual([`sha256:${registry.key.keyid}`]);
    expect((await readConfig(ctx.paths.configFile)).registries[0]!.keys[0]!.keyid).toBe(registry.key.keyid);
    requests.length = 0;
    const [reg] = await activeRegistries(ctx);
    const again = await refreshRegistry(ctx, reg!);
    expect(again.changed).toBe(false);
    expect(requests).toEqual(['/timestamp.json conditional']);
  });

  it('searches the cached summary: exact > prefix, typos, filters', async () => {
    const ctx = await freshContext();
    await addRegistry(ctx, { name: 'test', url: server.url });
    const regs = await activeRegistries(ctx);
    const byName = await searchRegistries(ctx, regs, { query: 'weather' });
    expect(byName.hits[0]).toMatchObject({ name: '@acme/weather', version: '1.2.0', match: 'exact', display: 'L2 76' });
    expect((await searchRegistries(ctx, regs, { query: 'waether' })).hits[0]?.name).toBe('@acme/weather');
    expect((await searchRegistries(ctx, regs, { query: 'markdown' })).hits.map((h) => h.name)).toEqual(['@acme/notes']);
    expect((await searchRegistries(ctx, regs, { query: '', minLevel: 1 })).hits.map((h) => h.name)).toEqual(['@acme/weather']);
  });

  it('pulls a range to the highest matching version, verified, extracted atomically', async () => {
    const ctx = await freshContext();
    await addRegistry(ctx, { name: 'test', url: server.url });
    const r = await pullBundle(ctx, { spec: '@acme/weather@^1.0', platform: 'linux-x64', minLevel: 'L1', extract: true });
    expect(r.version).toBe('1.2.0');
    expect(r.sha256).toBe(registry.bundles['@acme/weather@1.2.0']!.sha256);
    expect(r.bundleDir).toBe(join(ctx.paths.bundlesDir, '@acme', 'weather', '1.2.0'));
    expect(JSON.parse(await readFile(join(r.bundleDir!, 'manifest.json'), 'utf8')).version).toBe('1.2.0');
    const exact = await pullBundle(ctx, { spec: '@acme/weather@1.0.0', platform: 'linux-x64', minLevel: 'L1' });
    expect(exact.version).toBe('1.0.0');
  });

  it('refuses a version below the trust policy naming --min-level and --force (exit 1)', async () => {
    const ctx = await freshContext();
    await addRegistry(ctx, { name: 'test', url: server.url });
    const err = await errorOf(pullBundle(ctx, { spec: '@acme/notes', platform: 'linux-x64', minLevel: 'L1', extract: true }));
    expect(isMpakError(err) && err.exitCode).toBe(1);
    expect(isMpakError(err) && err.suggestions.join(' ')).toMatch(/--min-level L0.*--force/);
    const forced = await pullBundle(ctx, { spec: '@acme/notes', platform: 'linux-x64', minLevel: 'L1', force: true });
    expect(forced.version).toBe('0.3.0');
  });

  it('unknown package is exit 2', async () => {
    const ctx = await freshContext();
    await addRegistry(ctx, { name: 'test', url: server.url });
    const err = await errorOf(pullBundle(ctx, { spec: '@acme/nope', platform: 'linux-x64', minLevel: 'L0' }));
    expect(isMpakError(err) && [err.code, err.exitCode]).toEqual(['PACKAGE_NOT_FOUND', 2]);
  });

  it('uses the last verified cache when the registry is unreachable, warning with its age; exit 3 without a cache', async () => {
    const warnings: string[] = [];
    const ctx = await freshContext({ warn: (m) => warnings.push(m) });
    await addRegistry(ctx, { name: 'test', url: server.url });
    const offline: typeof fetch = async () => {
      throw new TypeError('fetch failed');
    };
    const [reg] = await activeRegistries(ctx);
    const r = await refreshRegistry({ ...ctx, fetch: offline }, reg!);
    expect(r.stale).toBeDefined();
    expect(warnings.join('\n')).toMatch(/unreachable .* using the cache verified \d+s ago/);
    const empty = await freshContext({ fetch: offline });
    const err = await errorOf(addRegistry(empty, { name: 'test', url: server.url }));
    expect(isMpakError(err) && err.exitCode).toBe(3);
  });
});

describe('refusals: tampering, rollback, expiry, wrong key', () => {
  /** A copy of dist served separately, so each test can damage it. */
  async function copyServed() {
    const t = await tempDir('mpak-dist-');
    await cp(registry.distDir, t.dir, { recursive: true });
    const s = await startStaticServer({ root: t.dir });
    return { dir: t.dir, url: s.url, close: async () => (await s.close(), await t.cleanup()) };
  }

  it('a tampered bundle blob is refused with exit 1 and nothing is extracted', async () => {
    const copy = await copyServed();
    try {
      const ctx = await freshContext();
      await addRegistry(ctx, { name: 'test', url: copy.url });
      const blob = join(copy.dir, 'blobs', 'sha256', registry.bundles['@acme/weather@1.2.0']!.sha256);
      const bytes = await readFile(blob);
      bytes[bytes.length - 30] = bytes[bytes.length - 30]! ^ 0xff;
      await writeFile(blob, bytes);
      const err = await errorOf(pullBundle(ctx, { spec: '@acme/weather', platform: 'linux-x64', minLevel: 'L1', extract: true }));
      expect(isMpakError(err) && [err.code, err.exitCode]).toEqual(['INTEGRITY_MISMATCH', 1]);
      expect((err as Error).message).toMatch(/Integrity mismatch: expected [a-f0-9]{64}/);
      expect(await readdir(ctx.paths.bundlesDir).catch(() => [])).toEqual([]);
      expect(await readdir(ctx.paths.blobsDir).catch(() => [])).toEqual([]);
      expect(await readdir(ctx.paths.tmpDir).catch(() => [])).toEqual([]);
    } finally {
      await copy.close();
    }
  });

  it('a tampered timestamp (signature no longer verifies) is refused', async () => {
    const copy = await copyServed();
    try {
      const ctx = await freshContext();
      const ts = JSON.parse(await readFile(join(copy.dir, 'timestamp.json'), 'utf8'));
      ts.signed.expires = '2099-01-01T00:00:00Z';
      await writeFile(join(copy.dir, 'timestamp.json'), JSON.stringify(ts));
      const err = await errorOf(addRegistry(ctx, { name: 'test', url: copy.url }));
      expect(isMpakError(err) && [err.code, err.exitCode]).toEqual(['INDEX_SIGNATURE_INVALID', 1]);
      expect((await readConfig(ctx.paths.configFile)).registries).toEqual([]);
    } finally {
      await copy.close();
    }
  });

  it('a tampered summary shard is refused (hash mismatch against the signed snapshot)', async () => {
    const copy = await copyServed();
    try {
      const ctx = await freshContext();
      const [shard] = await readdir(join(copy.dir, 'summary'));
      const path = join(copy.dir, 'summary', shard!);
      await writeFile(path, (await readFile(path, 'utf8')).replace('L2 76', 'L4 99'));
      const err = await errorOf(addRegistry(ctx, { name: 'test', url: copy.url }));
      expect(isMpakError(err) && [err.code, err.exitCode]).toEqual(['INDEX_HASH_MISMATCH', 1]);
    } finally {
      await copy.close();
    }
  });

  it('a wrong pinned key is refused', async () => {
    const ctx = await freshContext();
    const { generateEd25519KeyPair } = await import('../../src/sign/index-keys.js');
    const other = generateEd25519KeyPair();
    const keyFile = join(ctx.paths.home, 'other.pub');
    await (await import('node:fs/promises')).mkdir(ctx.paths.home, { recursive: true });
    await writeFile(keyFile, other.publicKey);
    const err = await errorOf(addRegistry(ctx, { name: 'test', url: server.url, key: keyFile }));
    expect(isMpakError(err) && [err.code, err.exitCode]).toEqual(['INDEX_SIGNATURE_INVALID', 1]);
    const byFingerprint = await errorOf(addRegistry(ctx, { name: 'test', url: server.url, key: `sha256:${other.keyid}` }));
    expect(isMpakError(byFingerprint) && byFingerprint.code).toBe('REGISTRY_KEY_MISMATCH');
    const ok = await addRegistry(ctx, { name: 'test', url: server.url, key: `sha256:${registry.key.keyid}` });
    expect(ok.firstUse).toBe(false);
  });

  it('an expired timestamp is refused unless --allow-expired', async () => {
    const future = () => new Date(Date.now() + 10 * 365 * 86_400_000);
    const ctx = await freshContext({ now: future });
    const err = await errorOf(addRegistry(ctx, { name: 'test', url: server.url }));
    expect(isMpakError(err) && [err.code, err.exitCode]).toEqual(['INDEX_EXPIRED', 1]);
    const allowed = await addRegistry({ ...ctx, allowExpired: true }, { name: 'test', url: server.url });
    expect(allowed.refresh.version).toBeGreaterThan(0);
  });

  it('a rolled-back index (older signed timestamp) is refused', async () => {
    const copy = await copyServed();
    try {
      const ctx = await freshContext();
      const oldDist = await tempDir('mpak-old-');
      await cp(copy.dir, oldDist.dir, { recursive: true });
      await registry.publish([{ name: '@acme/weather', version: '1.3.0' }]);
      await rm(copy.dir, { recursive: true, force: true });
      await cp(registry.distDir, copy.dir, { recursive: true });
      await addRegistry(ctx, { name: 'test', url: copy.url });
      // The attacker serves the older, validly signed index.
      await rm(copy.dir, { recursive: true, force: true });
      await cp(oldDist.dir, copy.dir, { recursive: true });
      const [reg] = await activeRegistries(ctx);
      const err = await errorOf(refreshRegistry(ctx, reg!));
      expect(isMpakError(err) && [err.code, err.exitCode]).toEqual(['INDEX_ROLLBACK', 1]);
      await oldDist.cleanup();
    } finally {
      await copy.close();
    }
  });
});

describe('the document index (format 2)', () => {
  async function documentIndexPath(dist: string): Promise<string> {
    const ts = JSON.parse(await readFile(join(dist, 'timestamp.json'), 'utf8'));
    const snap = JSON.parse(await readFile(join(dist, ts.signed.snapshot.path), 'utf8'));
    return snap.signed.documents.path as string;
  }

  it('a rolled-back or tampered document index is refused; the genuine one is fetched on demand', async () => {
    const old = await tempDir('mpak-old-');
    const served = await tempDir('mpak-dist-');
    await cp(registry.distDir, old.dir, { recursive: true });
    await registry.publish([{ name: '@acme/probe', version: '1.0.0' }]);
    await cp(registry.distDir, served.dir, { recursive: true });
    const s = await startStaticServer({ root: served.dir });
    try {
      const ctx = await freshContext();
      await addRegistry(ctx, { name: 'test', url: s.url });
      const newPath = join(served.dir, await documentIndexPath(served.dir));
      const genuine = await readFile(newPath);
      // An older, validly built document index served under the new name.
      const oldIndex = await readFile(join(old.dir, await documentIndexPath(old.dir)));
      expect(oldIndex.equals(genuine)).toBe(false);
      await writeFile(newPath, oldIndex);
      const rolledBack = await errorOf(pullBundle(ctx, { spec: '@acme/probe', platform: 'linux-x64', minLevel: 'L0' }));
      expect(isMpakError(rolledBack) && [rolledBack.code, rolledBack.exitCode]).toEqual(['INDEX_HASH_MISMATCH', 1]);
      // Same length, one hash character changed.
      const text = genuine.toString('utf8');
      const at = text.indexOf('"sha256":"') + 10;
      await writeFile(newPath, text.slice(0, at) + (text[at] === 'a' ? 'b' : 'a') + text.slice(at + 1));
      const tampered = await errorOf(pullBundle(ctx, { spec: '@acme/weather@1.0.0', platform: 'linux-x64', minLevel: 'L1' }));
      expect(isMpakError(tampered) && [tampered.code, tampered.exitCode]).toEqual(['INDEX_HASH_MISMATCH', 1]);
      await writeFile(newPath, genuine);
      expect((await pullBundle(ctx, { spec: '@acme/probe', platform: 'linux-x64', minLevel: 'L0' })).version).toBe('1.0.0');
    } finally {
      await s.close();
      await served.cleanup();
      await old.cleanup();
    }
  });
});

describe('registries from MPAK_REGISTRY, folders and git', () => {
  it('MPAK_REGISTRY is used for one run and never written to the config', async () => {
    const home = await tempDir('mpak-home-');
    const ctx = makeClientContext({ env: { MPAK_HOME: home.dir, MPAK_REGISTRY: registry.distDir }, warn: () => {} });
    const r = await pullBundle(ctx, { spec: '@acme/weather@1.0.0', platform: 'linux-x64', minLevel: 'L1' });
    expect(r.registry).toBe('env');
    await expect(readFile(mpakPaths({ MPAK_HOME: home.dir }).configFile)).rejects.toThrow();
  });

  it('reads a file:// registry and a git registry (bare repo)', async () => {
    const ctx = await freshContext();
    await addRegistry(ctx, { name: 'files', url: `file://${registry.distDir}` });
    expect((await pullBundle(ctx, { spec: '@acme/weather@1.0.0', platform: 'linux-x64', minLevel: 'L1' })).registry).toBe('files');
    const { simpleGit } = await import('simple-git');
    const work = await tempDir('mpak-git-');
    await cp(registry.distDir, work.dir, { recursive: true });
    const git = simpleGit({ baseDir: work.dir, config: ['user.name=t', 'user.email=t@localhost'] });
    await git.init();
    await git.add(['-A']);
    await git.commit('dist');
    const bare = `${work.dir}.git`;
    await simpleGit().clone(work.dir, bare, ['--bare']);
    const gctx = await freshContext();
    await addRegistry(gctx, { name: 'git', url: `file://${bare}` });
    const pulled = await pullBundle(gctx, { spec: '@acme/weather@1.0.0', platform: 'linux-x64', minLevel: 'L1', extract: true });
    expect(pulled.registry).toBe('git');
    await work.cleanup();
    await rm(bare, { recursive: true, force: true });
  });
});
