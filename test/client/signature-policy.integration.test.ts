import { readdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { addRegistry } from '../../src/client/add.js';
import { makeClientContext } from '../../src/client/context.js';
import { pullBundle } from '../../src/client/pull.js';
import { createFixtureRegistry, type FixtureRegistry } from './helpers/registry.js';

let root: { dir: string; cleanup: () => Promise<void> };
let registry: FixtureRegistry;

beforeAll(async () => {
  root = await tempDir('mpak-sigpolicy-');
  // The index claims a signature, but the published file carries none (a stripped signature).
  registry = await createFixtureRegistry(root.dir, [{ name: '@acme/stripped', version: '1.0.0', signature: { status: 'self-signed', signer: 'CN=acme' } }]);
});
afterAll(async () => root?.cleanup());

describe('signature per policy', () => {
  it('refuses a download whose signature the index claims but the file lacks (exit 1), keeping nothing', async () => {
    const home = await tempDir('mpak-home-');
    const ctx = makeClientContext({ env: { MPAK_HOME: home.dir }, warn: () => {} });
    await addRegistry(ctx, { name: 'test', url: registry.distDir });
    await expect(pullBundle(ctx, { spec: '@acme/stripped', platform: 'linux-x64', minLevel: 'L0', extract: true })).rejects.toMatchObject({ code: 'SIGNATURE_INVALID', exitCode: 1 });
    expect(await readdir(ctx.paths.blobsDir).catch(() => [])).toEqual([]);
    expect(await readdir(ctx.paths.bundlesDir).catch(() => [])).toEqual([]);
    await home.cleanup();
  });
});
