import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';
import { createFixtureRegistry, type FixtureRegistry } from './helpers/registry.js';

let root: { dir: string; cleanup: () => Promise<void> };
let registry: FixtureRegistry;

beforeAll(async () => {
  root = await tempDir('mpak-regcli-');
  registry = await createFixtureRegistry(root.dir, [{ name: '@acme/one', version: '1.0.0' }]);
});
afterAll(async () => root?.cleanup());

describe('registry and config commands', () => {
  it('registry add shows the pinned fingerprint on stderr; list/update/remove with --json', async () => {
    const home = await tempDir('mpak-home-');
    const env = { MPAK_HOME: home.dir };
    const add = await runCli(['registry', 'add', 'local', registry.distDir, '--json'], { env });
    expect(add.code).toBe(0);
    expect(add.stderr).toContain(`sha256:${registry.key.keyid}`);
    expect(JSON.parse(add.stdout)).toMatchObject({ name: 'local', firstUse: true, packages: 1 });
    const list = JSON.parse((await runCli(['registry', 'list', '--json'], { env })).stdout);
    expect(list.registries[0]).toMatchObject({ name: 'local', origin: 'config', packages: 1 });
    const update = JSON.parse((await runCli(['registry', 'update', '--json'], { env })).stdout);
    expect(update.registries[0]).toMatchObject({ name: 'local', changed: false });
    const envList = JSON.parse((await runCli(['registry', 'list', '--json'], { env: { ...env, MPAK_REGISTRY: registry.distDir } })).stdout);
    expect(envList.registries).toEqual([expect.objectContaining({ name: 'env', origin: 'env' })]);
    expect((await runCli(['registry', 'remove', 'local'], { env })).code).toBe(0);
    expect((await runCli(['registry', 'remove', 'local'], { env })).code).toBe(2);
    expect(JSON.parse(await readFile(join(home.dir, 'config.json'), 'utf8')).registries).toEqual([]);
    await home.cleanup();
  });

  it('config set/get/list/unset mask values and never print prose on stdout; a corrupted config is exit 2 and untouched', async () => {
    const home = await tempDir('mpak-home-');
    const env = { MPAK_HOME: home.dir };
    const set = await runCli(['config', 'set', '@acme/one', 'TOKEN=supersecret', 'DIRS=/a', 'DIRS=/b'], { env });
    expect(set.code).toBe(0);
    expect(set.stdout).toBe('');
    expect((await stat(join(home.dir, 'config.json'))).mode & 0o777).toBe(0o600);
    const get = await runCli(['config', 'get', '@acme/one'], { env });
    expect(get.stdout).toContain('TOKEN=supe*******');
    expect(get.stdout).not.toContain('supersecret');
    const list = JSON.parse((await runCli(['config', 'list', '--json'], { env })).stdout);
    expect(list.packages['@acme/one'].DIRS).toEqual(['**', '**']);
    expect(JSON.parse((await runCli(['config', 'unset', '@acme/one', 'TOKEN', '--json'], { env })).stdout).removed).toEqual(['TOKEN']);
    await mkdir(home.dir, { recursive: true });
    await writeFile(join(home.dir, 'config.json'), '{"version":1,"bogus":1}');
    const bad = await runCli(['config', 'set', '@acme/one', 'A=b'], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/config corrupted/);
    expect(await readFile(join(home.dir, 'config.json'), 'utf8')).toBe('{"version":1,"bogus":1}');
    await home.cleanup();
  });
});
