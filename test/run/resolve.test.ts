import { describe, expect, it } from 'vitest';
import { isMpakError } from '../../src/errors.js';
import { isUsable, planLaunch, resolveServerConfig, type RunManifest } from '../../src/run/resolve.js';

const base = (over: Partial<RunManifest> = {}): RunManifest => ({
  name: '@t/srv',
  server: { type: 'node', mcp_config: { command: 'node', args: ['${__dirname}/index.js'], env: { A: '1', B: '2' } } },
  ...over,
});

const plan = (manifest: RunManifest, o: Partial<Parameters<typeof planLaunch>[0]> = {}) =>
  planLaunch({ manifest, bundleDir: '/b', platform: 'linux', arch: 'x64', home: '/home/u', hostEnv: {}, ...o });

describe('server config resolution (§3 step 1)', () => {
  it('takes each field whole from _meta os-arch override, then the platform override, then the base', () => {
    const m = base({
      server: {
        type: 'node',
        mcp_config: {
          command: 'node',
          args: ['base'],
          env: { A: '1', B: '2' },
          platform_overrides: { linux: { args: ['linux'], env: { C: '3' } } },
        },
      },
      _meta: { 'dev.mpak': { platform_overrides: { 'linux-x64': { command: 'node22' } } } },
    });
    const r = resolveServerConfig(m, 'linux', 'x64');
    expect(r).toEqual({ command: 'node22', args: ['linux'], env: { C: '3' } });
    expect(resolveServerConfig(m, 'linux', 'arm64')).toEqual({ command: 'node', args: ['linux'], env: { C: '3' } });
    expect(resolveServerConfig(m, 'darwin', 'arm64')).toEqual({ command: 'node', args: ['base'], env: { A: '1', B: '2' } });
    expect(r).not.toHaveProperty('platform_overrides');
  });

  it('follows the official truthiness: command "" does not override, args [] and env {} do', () => {
    const m = base({
      server: { type: 'node', mcp_config: { command: 'node', args: ['a'], env: { A: '1' }, platform_overrides: { linux: { command: '', args: [], env: {} } } } },
    });
    expect(resolveServerConfig(m, 'linux', 'x64')).toEqual({ command: 'node', args: [], env: {} });
  });
});

describe('options (§3 steps 2–4)', () => {
  const withOption = (option: object, env: Record<string, string> = { K: '${user_config.k}' }) =>
    base({
      server: { type: 'node', mcp_config: { command: 'node', args: ['--k=${user_config.k}'], env } },
      user_config: { k: { type: 'string', title: 'K', ...option } as never },
    });

  it('orders explicit > stored config > env alias > default', () => {
    const m = withOption({ default: 'def' });
    expect(plan(m, { explicit: { k: 'ex' }, stored: { k: 'st' }, hostEnv: { K: 'env' } }).args).toEqual(['--k=ex']);
    expect(plan(m, { stored: { k: 'st' }, hostEnv: { K: 'env' } }).args).toEqual(['--k=st']);
    expect(plan(m, { hostEnv: { K: 'env' } }).args).toEqual(['--k=env']);
    expect(plan(m, { hostEnv: { K: '' } }).args).toEqual(['--k=def']);
    const p = plan(m, { hostEnv: { K: 'env' } });
    expect(p.options.sources.k).toBe('env');
  });

  it('skips unusable values: "", [] and arrays holding empty items', () => {
    expect([undefined, null, '', [], ['a', '']].map(isUsable)).toEqual([false, false, false, false, false]);
    expect(isUsable(['a'])).toBe(true);
    const m = withOption({ default: 'def', multiple: true });
    expect(plan(m, { explicit: { k: '' }, stored: { k: [] } }).args).toEqual(['--k=def']);
  });

  it('expands built-ins in defaults once, never in user values', () => {
    const m = withOption({ default: '${HOME}/Documents' });
    expect(plan(m).args).toEqual(['--k=/home/u/Documents']);
    expect(plan(m, { stored: { k: '${HOME}/x' } }).args).toEqual(['--k=${HOME}/x']);
  });

  it('counts a usable default for a required option; a miss fails with exit 2 naming the fix', () => {
    expect(plan(withOption({ required: true, default: 'd' })).args).toEqual(['--k=d']);
    let err: unknown;
    try {
      plan(withOption({ required: true }));
    } catch (e) {
      err = e;
    }
    expect(isMpakError(err) && err.exitCode).toBe(2);
    expect(isMpakError(err) && err.code).toBe('USER_CONFIG_MISSING');
    expect(isMpakError(err) && err.suggestions).toContain('mpak config set @t/srv k=value');
    expect((err as Error).message).toMatch(/k \(K\)/);
  });

  it('checks numbers (finite, min/max) and booleans, and stringifies them', () => {
    const num = withOption({ type: 'number', min: 1, max: 10 });
    expect(plan(num, { stored: { k: '1e1' } }).args).toEqual(['--k=10']);
    expect(() => plan(num, { stored: { k: '11' } })).toThrow(/≤ 10/);
    expect(() => plan(num, { stored: { k: 'abc' } })).toThrow(/finite number/);
    const bool = withOption({ type: 'boolean', default: true });
    expect(plan(bool).args).toEqual(['--k=true']);
    expect(() => plan(bool, { stored: { k: 'yes' } })).toThrow(/true or false/);
  });

  it('substitutes command, args and env values; extra args after -- are appended unsubstituted', () => {
    const m = base({ server: { type: 'binary', mcp_config: { command: '${__dirname}/bin/srv', args: ['${HOME}'], env: { P: '${__dirname}${/}lib' } } } });
    const p = plan(m, { extraArgs: ['${HOME}', '--x'] });
    expect(p.command).toBe('/b/bin/srv');
    expect(p.args).toEqual(['/home/u', '${HOME}', '--x']);
    expect(p.env).toEqual({ P: '/b/lib' });
    expect(p.cwd).toBe('/b');
  });
});
