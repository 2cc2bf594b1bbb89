import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { mpakPaths } from '../../src/config/paths.js';
import { readConfig, writeConfig, emptyConfig } from '../../src/config/store.js';
import { checkOptionValue, getPackageConfig, maskPackageValues, maskValue, parseAssignments, setPackageConfig, unsetPackageConfig } from '../../src/config/values.js';
import { isMpakError } from '../../src/errors.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});
async function home() {
  const t = await tempDir();
  cleanups.push(t.cleanup);
  return mpakPaths({ MPAK_HOME: join(t.dir, 'mpak') });
}

describe('config store', () => {
  it('defaults MPAK_HOME to ~/.mpak and honours the variable', () => {
    expect(mpakPaths({}, '/home/u').configFile).toBe('/home/u/.mpak/config.json');
    expect(mpakPaths({ MPAK_HOME: '/x' }).blobsDir).toBe('/x/cache/blobs/sha256');
  });

  it('reads never create the file; the first write creates it 0600 in a 0700 folder', async () => {
    const paths = await home();
    expect(await readConfig(paths.configFile)).toEqual(emptyConfig());
    await expect(stat(paths.home)).rejects.toThrow();
    await setPackageConfig({ configFile: paths.configFile, pkg: '@a/b', values: { K: 'v' } });
    expect((await stat(paths.configFile)).mode & 0o777).toBe(0o600);
    expect((await stat(paths.home)).mode & 0o777).toBe(0o700);
  });

  it('raises "config corrupted" on bad JSON or unknown keys and never rewrites the file', async () => {
    const paths = await home();
    await mkdir(paths.home, { recursive: true });
    for (const text of ['{not json', JSON.stringify({ version: 1, packages: {}, extra: true }), JSON.stringify({ version: 1, packages: { '@a/b': { K: 1 } } })]) {
      await writeFile(paths.configFile, text);
      let err: unknown;
      try {
        await setPackageConfig({ configFile: paths.configFile, pkg: '@a/b', values: { K: 'v' } });
      } catch (e) {
        err = e;
      }
      expect(isMpakError(err) && err.code).toBe('CONFIG_CORRUPTED');
      expect((err as Error).message).toMatch(/config corrupted/);
      expect(await readFile(paths.configFile, 'utf8')).toBe(text);
    }
  });

  it('round-trips registries and policy', async () => {
    const paths = await home();
    const c = emptyConfig();
    c.registries.push({ name: 'r', url: 'https://r.example/', keys: [{ keyid: 'k', publicKey: 'p' }], addedAt: '2026-01-01T00:00:00.000Z' });
    c.policy.minLevel = 'L2';
    await writeConfig(paths.configFile, c);
    const back = await readConfig(paths.configFile);
    expect(back.registries).toEqual(c.registries);
    expect(back.policy).toEqual({ minLevel: 'L2' });
  });
});

describe('per-package values', () => {
  it('parses KEY=value, repeated keys become lists', () => {
    expect(parseAssignments(['A=1', 'B=x=y', 'A=2'])).toEqual({ A: ['1', '2'], B: 'x=y' });
    expect(() => parseAssignments(['novalue'])).toThrow(/KEY=value/);
  });

  it('masks the first 4 characters; unknown sensitivity is masked', () => {
    expect(maskValue('abcdefgh')).toBe('abcd****');
    expect(maskValue('abc')).toBe('***');
    expect(maskPackageValues({ TOKEN: 'secret-1', DIR: '/data' }, { TOKEN: { type: 'string', title: 't', sensitive: true }, DIR: { type: 'directory', title: 'd' } })).toEqual({ TOKEN: 'secr****', DIR: '/data' });
    expect(maskPackageValues({ DIR: '/data/x' })).toEqual({ DIR: '/dat***' });
  });

  it('validates against a known user_config: unknown keys, numbers, booleans, multiple', async () => {
    const paths = await home();
    const schema = { N: { type: 'number' as const, title: 'n', min: 1, max: 5 }, B: { type: 'boolean' as const, title: 'b' }, D: { type: 'directory' as const, title: 'd', multiple: true } };
    await expect(setPackageConfig({ configFile: paths.configFile, pkg: '@a/b', values: { X: '1' }, schema })).rejects.toThrow(/X: not an option/);
    await expect(setPackageConfig({ configFile: paths.configFile, pkg: '@a/b', values: { N: '9' }, schema })).rejects.toThrow(/≤ 5/);
    await expect(setPackageConfig({ configFile: paths.configFile, pkg: '@a/b', values: { B: 'yes' }, schema })).rejects.toThrow(/true or false/);
    expect(checkOptionValue(['a', 'b'], schema.N)).toMatch(/not `multiple`/);
    await setPackageConfig({ configFile: paths.configFile, pkg: '@a/b', values: { N: '3', B: 'true', D: ['/a', '/b'] }, schema });
    expect(await getPackageConfig(paths.configFile, '@a/b')).toEqual({ N: '3', B: 'true', D: ['/a', '/b'] });
    expect(await unsetPackageConfig(paths.configFile, '@a/b', ['N'])).toEqual(['N']);
    expect(await unsetPackageConfig(paths.configFile, '@a/b')).toEqual(['B', 'D']);
    expect((await readConfig(paths.configFile)).packages).toEqual({});
    await expect(getPackageConfig(paths.configFile, 'bad-name')).rejects.toThrow(/Expected scoped format: @scope\/name/);
  });
});

describe('stale temp sweep', async () => {
  const { sweepStale } = await import('../../src/client/cache.js');
  it('removes leftovers older than an hour and keeps young ones', async () => {
    const paths = await home();
    await mkdir(paths.tmpDir, { recursive: true });
    const { utimes } = await import('node:fs/promises');
    await writeFile(join(paths.tmpDir, 'download-old'), 'x');
    await writeFile(join(paths.tmpDir, 'download-new'), 'x');
    const old = new Date(Date.now() - 2 * 3600_000);
    await utimes(join(paths.tmpDir, 'download-old'), old, old);
    await sweepStale(paths.tmpDir);
    const { readdir } = await import('node:fs/promises');
    expect(await readdir(paths.tmpDir)).toEqual(['download-new']);
  });
});
