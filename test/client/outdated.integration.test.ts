import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { addRegistry } from '../../src/client/add.js';
import { makeClientContext } from '../../src/client/context.js';
import { outdatedBundles, updateBundles } from '../../src/client/outdated.js';
import { pullBundle } from '../../src/client/pull.js';
import { listCachedBundles } from '../../src/client/cache.js';
import { createFixtureRegistry, type FixtureRegistry } from './helpers/registry.js';

let root: { dir: string; cleanup: () => Promise<void> };
let registry: FixtureRegistry;

beforeAll(async () => {
  root = await tempDir('mpak-outdated-');
  registry = await createFixtureRegistry(root.dir, [{ name: '@acme/tool', version: '1.0.0' }]);
});
afterAll(async () => root?.cleanup());

describe('bundle outdated / update', () => {
  it('reports a newer registry version of a cached bundle and updates it', async () => {
    const home = await tempDir('mpak-home-');
    const ctx = makeClientContext({ env: { MPAK_HOME: home.dir }, warn: () => {} });
    await addRegistry(ctx, { name: 'test', url: registry.distDir });
    await pullBundle(ctx, { spec: '@acme/tool', platform: 'linux-x64', minLevel: 'L1', extract: true });
    expect(await outdatedBundles(ctx)).toEqual([{ name: '@acme/tool', current: '1.0.0', latest: '1.0.0', registry: 'test', outdated: false }]);
    await registry.publish([{ name: '@acme/tool', version: '1.1.0' }]);
    const stale = await outdatedBundles(ctx, { refresh: true });
    expect(stale[0]).toMatchObject({ current: '1.0.0', latest: '1.1.0', outdated: true });
    const result = await updateBundles(ctx, { platform: 'linux-x64', minLevel: 'L1' });
    expect(result.updated.map((u) => u.version)).toEqual(['1.1.0']);
    expect((await listCachedBundles(ctx.paths)).map((m) => m.version).sort()).toEqual(['1.0.0', '1.1.0']);
    expect((await outdatedBundles(ctx))[0]!.outdated).toBe(false);
    await home.cleanup();
  });
});
