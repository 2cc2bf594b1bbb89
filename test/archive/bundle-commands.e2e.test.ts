import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';
import { buildRawZip } from './helpers/raw-zip.js';
import { minimalManifest, writeBundleFolder } from './helpers/fixtures.js';

let dir: string;
let cleanup: () => Promise<void>;
let env: Record<string, string>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('mpak-bundle-e2e-'));
  env = { MPAK_HOME: join(dir, 'home') };
});
afterAll(async () => cleanup());

describe('mpak bundle pack / info / unpack', () => {
  it('packs with --json, reproducibly under SOURCE_DATE_EPOCH, and warns on a non-.mcpb -o', async () => {
    writeBundleFolder(join(dir, 'src'), minimalManifest('0.3', { tools: [{ name: 'forecast' }] }));
    const a = await runCli(['bundle', 'pack', 'src', '--json'], { cwd: dir, env: { ...env, SOURCE_DATE_EPOCH: '1700000000' } });
    expect(a.code, a.stderr).toBe(0);
    const result = JSON.parse(a.stdout);
    expect(result).toMatchObject({ name: '@acme/weather', version: '1.2.0', files: 4, written: true, output: join(dir, 'acme-weather-1.2.0.mcpb') });
    const b = await runCli(['bundle', 'pack', 'src', '-o', 'copy.zip'], { cwd: dir, env: { ...env, SOURCE_DATE_EPOCH: '1700000000' } });
    expect(b.code).toBe(0);
    expect(b.stderr).toMatch(/does not end in \.mcpb/);
    expect(b.stdout).toContain(result.sha256);
    expect(b.stdout).toMatch(/written to\s+copy\.zip/);
  });

  it('refuses an invalid manifest with exit 2 and the problem', async () => {
    writeBundleFolder(join(dir, 'bad'), { ...minimalManifest(), server: { type: 'node', entry_point: 'x.js' } });
    const r = await runCli(['bundle', 'pack', 'bad', '--json'], { cwd: dir, env });
    expect(r.code).toBe(2);
    const { error } = JSON.parse(r.stdout);
    expect(error.code).toBe('MANIFEST_INVALID');
    expect(error.message).toMatch(/mcp_config/);
  });

  it('shows info, unpacks to <basename>, and refuses an existing folder without --force', async () => {
    const info = await runCli(['bundle', 'info', 'acme-weather-1.2.0.mcpb', '--json'], { cwd: dir, env });
    expect(info.code).toBe(0);
    expect(JSON.parse(info.stdout)).toMatchObject({ name: '@acme/weather', files: 4, tools: [{ name: 'forecast' }], signature: { state: 'unsigned' } });
    const human = await runCli(['bundle', 'info', 'acme-weather-1.2.0.mcpb'], { cwd: dir, env });
    expect(human.stdout).toMatch(/signature\s+unsigned/);

    const u1 = await runCli(['bundle', 'unpack', 'acme-weather-1.2.0.mcpb', '--json'], { cwd: dir, env });
    expect(u1.code, u1.stderr).toBe(0);
    expect(JSON.parse(u1.stdout)).toMatchObject({ files: 4, path: join(dir, 'acme-weather-1.2.0') });
    const u2 = await runCli(['bundle', 'unpack', 'acme-weather-1.2.0.mcpb'], { cwd: dir, env });
    expect(u2.code).toBe(2);
    expect(u2.stderr).toMatch(/already exists[\s\S]*--force/);
    const u3 = await runCli(['bundle', 'unpack', 'acme-weather-1.2.0.mcpb', '--force'], { cwd: dir, env });
    expect(u3.code).toBe(0);
  });

  it('refuses a hostile archive with exit 2 and writes nothing', async () => {
    const evil = join(dir, 'evil');
    writeFileSync(join(dir, 'evil.mcpb'), buildRawZip([{ name: 'manifest.json', content: Buffer.from('{}') }, { name: '../escaped.txt', content: Buffer.from('x') }]));
    const before = readdirSync(dir).sort();
    const r = await runCli(['bundle', 'unpack', 'evil.mcpb', '--json'], { cwd: dir, env });
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).error.code).toBe('ARCHIVE_HOSTILE');
    expect(existsSync(evil)).toBe(false);
    expect(existsSync(join(dir, 'escaped.txt'))).toBe(false);
    expect(readdirSync(dir).sort()).toEqual(before);
  });
});
