import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { startFakeGitHub, type FakeGitHub } from '../helpers/github-server.js';
import { addToIndex } from '../../src/registry/add.js';
import { checkEntryChange } from '../../src/registry/check.js';
import { pollWatched } from '../../src/registry/poll.js';
import { readRegistryConfig, writeRegistryConfig } from '../../src/registry/source.js';
import { makeBundle } from './bundles.js';
import { createRegistry } from './fixtures.js';

const COMMIT = 'c'.repeat(40);
const identity = ['user.name=t', 'user.email=t@example.com'];

describe('index poll and index check (GitHub flows)', () => {
  let tmp: { dir: string; cleanup: () => Promise<void> };
  let reg: string;
  let remote: string;
  let home: string;
  let gh: FakeGitHub;

  beforeAll(async () => {
    tmp = await tempDir();
    home = join(tmp.dir, 'home');
    reg = join(tmp.dir, 'reg');
    remote = join(tmp.dir, 'remote.git');
    await createRegistry(reg, home);
    const config = await readRegistryConfig(reg);
    await writeRegistryConfig(reg, { ...config, policy: { minLevel: 0 }, watch: [{ repository: 'acme/weather-mcp' }] });
    const git = simpleGit({ baseDir: reg, config: identity });
    await git.add('registry.json').commit('watch acme/weather-mcp');
    await simpleGit(tmp.dir).raw(['init', '--bare', '--initial-branch=main', remote]);
    await git.addRemote('origin', remote);
    await git.push('origin', 'main');
    const bundle = await makeBundle(join(tmp.dir, 'b'), '@acme/weather', '1.1.0');
    gh = await startFakeGitHub({
      'acme/weather-mcp': {
        releases: [{ tag: 'v1.1.0', commit: COMMIT, publishedAt: '2026-01-10T08:00:00Z', assets: [{ name: 'weather.mcpb', bytes: await readFile(bundle) }] }],
        files: { [COMMIT]: { 'mpak.json': JSON.stringify({ name: '@acme/weather', maintainers: ['acme-dev'] }) } },
      },
      'acme/registry': { releases: [], files: {} },
    });
  }, 120_000);
  afterAll(async () => {
    await gh?.close();
    await tmp?.cleanup();
  });

  it('opens one pull request per new release and then waits for it', async () => {
    const options = { dir: reg, cwd: tmp.dir, now: new Date('2026-02-01T00:00:00Z'), mpakHome: home, github: { baseUrl: gh.apiUrl }, registryRepository: 'acme/registry' };
    const head = (await simpleGit(reg).revparse(['HEAD'])).trim();
    const { items } = await pollWatched(options);
    expect(items).toEqual([
      expect.objectContaining({ repository: 'acme/weather-mcp', tag: 'v1.1.0', name: '@acme/weather', version: '1.1.0', outcome: 'opened' }),
    ]);
    const pulls = gh.pulls.get('acme/registry')!;
    expect(pulls).toHaveLength(1);
    expect(pulls[0]).toMatchObject({ head: 'mpak/acme-weather-1.1.0', base: 'main', title: 'Add @acme/weather 1.1.0' });
    expect(pulls[0]!.body).toContain('trust: **L');
    // the branch is on the remote with the entry; the checkout is back on an unchanged main
    const remoteBranch = await simpleGit(remote).raw(['show', 'mpak/acme-weather-1.1.0:packages/@acme/weather.json']);
    expect(JSON.parse(remoteBranch).versions[0].version).toBe('1.1.0');
    expect((await simpleGit(reg).revparse(['--abbrev-ref', 'HEAD'])).trim()).toBe('main');
    expect((await simpleGit(reg).revparse(['HEAD'])).trim()).toBe(head);

    const second = await pollWatched(options);
    expect(second.items[0]!.outcome).toBe('pending');
    expect(gh.pulls.get('acme/registry')).toHaveLength(1);
  }, 180_000);

  it('accepts a pull request entry that re-derives byte for byte, and rejects forged or bundled changes', async () => {
    const pr = join(tmp.dir, 'pr');
    await simpleGit(tmp.dir).clone(remote, pr, ['--branch', 'mpak/acme-weather-1.1.0']);
    const entryPath = 'packages/@acme/weather.json';
    const entryFile = join(pr, entryPath);
    const base = { dir: reg, entryPath, cwd: tmp.dir, mpakHome: home, github: { baseUrl: gh.apiUrl } };

    const ok = await checkEntryChange({ ...base, entryFile });
    expect(ok.problems).toEqual([]);
    expect(ok).toMatchObject({ ok: true, name: '@acme/weather', version: '1.1.0', source: 'github:acme/weather-mcp@v1.1.0' });

    const forged = JSON.parse(await readFile(entryFile, 'utf8'));
    forged.versions[0].scan.level = 4;
    forged.versions[0].scan.display = 'L4 100';
    await writeFile(join(tmp.dir, 'forged.json'), JSON.stringify(forged));
    const rejected = await checkEntryChange({ ...base, entryFile: join(tmp.dir, 'forged.json') });
    expect(rejected.ok).toBe(false);
    expect(rejected.problems.join('\n')).toMatch(/differs from what `mpak index add github:acme\/weather-mcp@v1.1.0` produces/);

    const two = JSON.parse(await readFile(entryFile, 'utf8'));
    two.versions.push({ ...two.versions[0], version: '0.0.1' });
    await writeFile(join(tmp.dir, 'two.json'), JSON.stringify(two));
    const bundled = await checkEntryChange({ ...base, entryFile: join(tmp.dir, 'two.json') });
    expect(bundled.ok).toBe(false);
    expect(bundled.problems).toContain('A pull request adds exactly one version; this one adds 2.');

    await expect(checkEntryChange({ ...base, entryFile, entryPath: 'packages/@mallory/weather.json' })).rejects.toMatchObject({ code: 'INDEX_ENTRY_PATH' });
  }, 180_000);

  it('a maintainer can also add the release directly, and it is then up to date for the poll', async () => {
    const added = await addToIndex({ dir: reg, source: 'github:acme/weather-mcp@v1.1.0', cwd: tmp.dir, now: new Date(), mpakHome: home, github: { baseUrl: gh.apiUrl } });
    expect(added.outcome).toBe('added');
    const { items } = await pollWatched({ dir: reg, cwd: tmp.dir, now: new Date(), mpakHome: home, github: { baseUrl: gh.apiUrl }, registryRepository: 'acme/registry' });
    expect(items[0]!.outcome).toBe('up-to-date');
  }, 180_000);
});
