import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { startFakeGitHub, type FakeGitHub } from '../helpers/github-server.js';
import { startStaticServer, type StaticServer } from '../helpers/static-server.js';
import { addToIndex, type AddToIndexOptions } from '../../src/registry/add.js';
import { readRegistryConfig, readSourceEntry, writeRegistryConfig } from '../../src/registry/source.js';
import { makeBundle } from './bundles.js';
import { createRegistry } from './fixtures.js';

const COMMIT = 'a'.repeat(40);
const OTHER_COMMIT = 'b'.repeat(40);

describe('index add', () => {
  let tmp: { dir: string; cleanup: () => Promise<void> };
  let reg: string;
  let home: string;
  let gh: FakeGitHub;
  let bundle100: string;
  let bundle110: string;
  let other100: string;

  const add = (source: string, extra: Partial<AddToIndexOptions> = {}) =>
    addToIndex({ dir: reg, source, cwd: tmp.dir, now: new Date('2026-01-15T10:00:00Z'), mpakHome: home, github: { baseUrl: gh.apiUrl, token: 'test-token' }, ...extra });

  beforeAll(async () => {
    tmp = await tempDir();
    home = join(tmp.dir, 'home');
    reg = join(tmp.dir, 'reg');
    await createRegistry(reg, home);
    const config = await readRegistryConfig(reg);
    // the scanner is still growing controls, so admission is tested at L0 and refusal at L4
    await writeRegistryConfig(reg, { ...config, policy: { minLevel: 0 } });
    const git = simpleGit({ baseDir: reg, config: ['user.name=t', 'user.email=t@example.com'] });
    await git.add('registry.json').commit('policy L0');
    bundle100 = await makeBundle(tmp.dir, '@acme/weather', '1.0.0');
    bundle110 = await makeBundle(tmp.dir, '@acme/weather', '1.1.0');
    other100 = await makeBundle(join(tmp.dir, 'other'), '@acme/weather', '1.0.0', { description: 'Different bytes, same version.' });
    gh = await startFakeGitHub({
      'acme/weather-mcp': {
        releases: [{ tag: 'v1.1.0', commit: COMMIT, publishedAt: '2026-01-10T08:00:00Z', assets: [{ name: 'weather-1.1.0.mcpb', bytes: await readFile(bundle110) }] }],
        files: { [COMMIT]: { 'mpak.json': JSON.stringify({ name: '@acme/weather', maintainers: ['acme-dev'] }) } },
      },
      'mallory/weather': {
        releases: [{ tag: 'v1.1.0', commit: OTHER_COMMIT, publishedAt: '2026-01-11T08:00:00Z', assets: [{ name: 'weather.mcpb', bytes: await readFile(bundle110) }] }],
        files: { [OTHER_COMMIT]: { 'mpak.json': JSON.stringify({ name: '@acme/weather', maintainers: ['mallory'] }) } },
      },
    });
  }, 120_000);
  afterAll(async () => {
    await gh?.close();
    await tmp?.cleanup();
  });

  it('adds a local bundle, stores its blob and commits; the same bytes again are unchanged', async () => {
    const dry = await add(bundle100, { dryRun: true });
    expect(dry.outcome).toBe('added');
    await expect(access(join(reg, 'packages/@acme/weather.json'))).rejects.toThrow();

    const result = await add(bundle100);
    expect(result.outcome).toBe('added');
    expect(result.entryPath).toBe('packages/@acme/weather.json');
    expect(result.entryText).toBe(dry.entryText);
    expect(await readFile(join(reg, result.entryPath), 'utf8')).toBe(result.entryText);
    const sha = result.entry.artifacts[0]!.sha256;
    expect(result.entry.artifacts[0]!.url).toBe(`blobs/sha256/${sha}`);
    expect((await readFile(join(reg, 'blobs/sha256', sha))).equals(await readFile(bundle100))).toBe(true);
    expect(result.entry.publishedAt).toBe('2026-01-15T10:00:00Z');
    expect(result.claim.status).toBe('unverified');
    const log = await simpleGit(reg).log();
    expect(log.latest?.message).toMatch(/^Add @acme\/weather 1\.0\.0 \(L\d \d+/);
    expect(log.latest?.hash).toBe(result.commit);
    expect(await simpleGit(reg).status()).toMatchObject({ files: [] });

    const again = await add(bundle100);
    expect(again.outcome).toBe('unchanged');
    expect((await simpleGit(reg).log()).total).toBe(log.total);
  }, 120_000);

  it('refuses different bytes for an existing version', async () => {
    const result = await add(other100);
    expect(result.outcome).toBe('refused');
    expect(result.reasons.map((r) => r.code)).toEqual(['VERSION_EXISTS']);
    const entry = await readSourceEntry(reg, '@acme/weather', 'bundle');
    expect(entry?.versions.map((v) => v.version)).toEqual(['1.0.0']);
  }, 120_000);

  it('refuses a version below the admission policy', async () => {
    const config = await readRegistryConfig(reg);
    await writeRegistryConfig(reg, { ...config, policy: { minLevel: 4 } });
    try {
      const result = await add(bundle110, { dryRun: true });
      expect(result.outcome).toBe('refused');
      expect(result.reasons.map((r) => r.code)).toContain('POLICY_MIN_LEVEL');
    } finally {
      await writeRegistryConfig(reg, config);
    }
  }, 120_000);

  it('adds a GitHub release: follows the asset redirect, checks the claim at the release commit', async () => {
    // the local add above left the package unclaimed; a GitHub release claims it
    const result = await add('github:acme/weather-mcp@v1.1.0');
    expect(result.reasons).toEqual([]);
    expect(result.outcome).toBe('added');
    expect(result.claim).toEqual({ status: 'verified', repository: 'https://github.com/acme/weather-mcp', maintainers: ['acme-dev'] });
    expect(result.entry.publishedAt).toBe('2026-01-10T08:00:00Z');
    expect(result.entry.provenance).toEqual({ repository: 'https://github.com/acme/weather-mcp', commit: COMMIT, tag: 'v1.1.0' });
    expect(result.entry.artifacts).toEqual([
      { url: 'https://github.com/acme/weather-mcp/releases/download/v1.1.0/weather-1.1.0.mcpb', sha256: expect.stringMatching(/^[a-f0-9]{64}$/), size: (await readFile(bundle110)).length },
    ]);
    const assetRequest = gh.requests.find((r) => r.path.startsWith('/repos/acme/weather-mcp/releases/assets/'));
    expect(assetRequest?.accept).toBe('application/octet-stream');
    expect(assetRequest?.authorization).toBe('Bearer test-token');
    expect(gh.requests.some((r) => r.path === `/repos/acme/weather-mcp/contents/mpak.json?ref=${COMMIT}`)).toBe(true);
    const entry = await readSourceEntry(reg, '@acme/weather', 'bundle');
    expect(entry?.versions.map((v) => v.version)).toEqual(['1.1.0', '1.0.0']);
    expect(entry?.claim.repository).toBe('https://github.com/acme/weather-mcp');
  }, 120_000);

  it('refuses a release from a repository that does not own the scope', async () => {
    const result = await add('github:mallory/weather@v1.1.0', { dryRun: true });
    expect(result.outcome).toBe('refused');
    expect(result.reasons.map((r) => r.code)).toContain('CLAIM_SCOPE');
  }, 120_000);

  it('refuses a plain URL for a package claimed by a repository, and plain http off loopback', async () => {
    const server: StaticServer = await startStaticServer({ root: tmp.dir });
    try {
      const url = `${server.url}${encodeURIComponent(bundle110.split('/').pop()!)}`;
      const result = await add(url, { dryRun: true });
      expect(result.outcome).toBe('refused');
      expect(result.reasons.map((r) => r.code)).toContain('CLAIM_UNVERIFIABLE');

      const beta = await makeBundle(join(tmp.dir, 'beta'), '@beta/tool', '2.0.0-rc.1');
      const betaUrl = `${server.url}beta/${encodeURIComponent(beta.split('/').pop()!)}`;
      const unclaimed = await add(betaUrl, { dryRun: true });
      expect(unclaimed.outcome).toBe('added');
      expect(unclaimed.entry.artifacts).toEqual([{ url: betaUrl, sha256: expect.stringMatching(/^[a-f0-9]{64}$/), size: (await readFile(beta)).length }]);
      expect(unclaimed.entry.version).toBe('2.0.0-rc.1');
    } finally {
      await server.close();
    }
    await expect(add('http://registry.example/x.mcpb')).rejects.toMatchObject({ code: 'SOURCE_INSECURE' });
  }, 120_000);

  it('fails closed on a GitHub asset whose size does not match', async () => {
    const repo = gh.repos.get('acme/weather-mcp')!;
    repo.releases.push({ tag: 'v1.2.0', commit: COMMIT, publishedAt: '2026-01-12T08:00:00Z', assets: [{ name: 'w.mcpb', bytes: await readFile(bundle110), reportedSize: 12 }] });
    await expect(add('github:acme/weather-mcp@v1.2.0', { dryRun: true })).rejects.toMatchObject({ code: 'DOWNLOAD_TOO_LARGE' });
  }, 120_000);
});
