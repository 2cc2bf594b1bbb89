import { chmod, mkdir, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { applyRunnerFixes, checkCompatibility, currentPlatform } from '../../src/run/spawn.js';
import { planLaunch, type RunManifest } from '../../src/run/resolve.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});
async function dir() {
  const t = await tempDir();
  cleanups.push(t.cleanup);
  return t.dir;
}

const manifest = (server: RunManifest['server'], extra: Partial<RunManifest> = {}): RunManifest => ({ name: '@t/x', server, ...extra });
const plan = (m: RunManifest, bundleDir: string) => planLaunch({ manifest: m, bundleDir, platform: 'linux', arch: 'x64', home: '/h', hostEnv: {} });

describe('runner fixes (§3)', () => {
  it('falls back from python to python3 when python is not on PATH', async () => {
    const d = await dir();
    const binDir = join(d, 'bin');
    await mkdir(binDir);
    await symlink(process.execPath, join(binDir, 'python3'));
    const m = manifest({ type: 'python', mcp_config: { command: 'python', args: [] } });
    const fixed = await applyRunnerFixes({ plan: plan(m, d), manifest: m, bundleDir: d, hostEnv: { PATH: binDir }, platform: 'linux' });
    expect(fixed.command).toBe('python3');
    await symlink(process.execPath, join(binDir, 'python'));
    expect((await applyRunnerFixes({ plan: plan(m, d), manifest: m, bundleDir: d, hostEnv: { PATH: binDir }, platform: 'linux' })).command).toBe('python');
  });

  it('chmods a bundle-internal command without an exec bit to 0755', async () => {
    const d = await dir();
    await mkdir(join(d, 'server'));
    await writeFile(join(d, 'server', 'srv'), '#!/bin/sh\n');
    await chmod(join(d, 'server', 'srv'), 0o644);
    const m = manifest({ type: 'binary', mcp_config: { command: '${__dirname}/server/srv' } });
    await applyRunnerFixes({ plan: plan(m, d), manifest: m, bundleDir: d, hostEnv: {}, platform: 'linux' });
    expect((await stat(join(d, 'server', 'srv'))).mode & 0o777).toBe(0o755);
  });

  it('puts vendored server/lib first on PYTHONPATH only when the manifest does not set it', async () => {
    const d = await dir();
    await mkdir(join(d, 'server', 'lib'), { recursive: true });
    const m = manifest({ type: 'python', mcp_config: { command: 'python3', args: [] } });
    const fixed = await applyRunnerFixes({ plan: plan(m, d), manifest: m, bundleDir: d, hostEnv: { PATH: '', PYTHONPATH: '/host' }, platform: 'linux' });
    expect(fixed.env.PYTHONPATH).toBe(`${join(d, 'server', 'lib')}:/host`);
    const own = manifest({ type: 'python', mcp_config: { command: 'python3', env: { PYTHONPATH: '${__dirname}/deps' } } });
    expect((await applyRunnerFixes({ plan: plan(own, d), manifest: own, bundleDir: d, hostEnv: {}, platform: 'linux' })).env.PYTHONPATH).toBe(`${d}/deps`);
  });

  it('warns that uv bundles need the network', async () => {
    const d = await dir();
    const m = manifest({ type: 'uv', mcp_config: { command: 'uv', args: ['run'] } });
    const fixed = await applyRunnerFixes({ plan: plan(m, d), manifest: m, bundleDir: d, hostEnv: {}, platform: 'linux' });
    expect(fixed.warnings.join()).toMatch(/uv bundle.*network/);
  });

  it('refuses a bundle whose compatibility.platforms excludes this OS, and unsupported platforms', () => {
    const m = manifest({ type: 'node', mcp_config: { command: 'node' } }, { compatibility: { platforms: ['darwin'] } });
    expect(() => checkCompatibility(m, 'linux')).toThrow(/supports darwin, not linux/);
    expect(() => checkCompatibility(m, 'darwin')).not.toThrow();
    expect(() => currentPlatform('freebsd', 'x64')).toThrow(/unsupported platform: freebsd-x64/);
    expect(currentPlatform('linux', 'arm64')).toEqual({ os: 'linux', arch: 'arm64' });
  });
});
