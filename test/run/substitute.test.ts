import { describe, expect, it } from 'vitest';
import { builtinVariables, substituteArgs, substituteEnv, substituteString, type SubstitutionContext } from '../../src/run/substitute.js';

const ctx = (vars: Record<string, string | string[]>, unset: string[] = []): SubstitutionContext => ({
  vars: new Map(Object.entries(vars)),
  unsetOptions: new Set(unset),
  warnings: [],
});

describe('substitution (mcpb-format §3 string and array rules)', () => {
  it('replaces known names literally in one pass; $&, $1 and $$ stay as typed', () => {
    const c = ctx({ 'user_config.k': 'a$&b$1c$$d' });
    expect(substituteString('x=${user_config.k}', c, 'args[0]')).toBe('x=a$&b$1c$$d');
  });

  it('never re-scans substituted text: a user value containing ${HOME} stays', () => {
    const c = ctx({ HOME: '/home/u', 'user_config.p': '${HOME}/x' });
    expect(substituteString('${user_config.p}', c, 'f')).toBe('${HOME}/x');
  });

  it('leaves unknown tokens verbatim and does not treat . as a wildcard', () => {
    const c = ctx({ 'user_config.a.b': 'v' });
    expect(substituteString('${user_config.aXb} ${nope} ${user_config.a.b}', c, 'f')).toBe('${user_config.aXb} ${nope} v');
  });

  it('expands an exact ${user_config.X} args element holding an array into separate arguments', () => {
    const c = ctx({ 'user_config.dirs': ['/a', '/b c'], 'user_config.none': [] });
    expect(substituteArgs(['--x', '${user_config.dirs}', '${user_config.none}', 'end'], c)).toEqual(['--x', '/a', '/b c', 'end']);
  });

  it('does not substitute an array inside a longer string or an env value, and warns naming the option', () => {
    const c = ctx({ 'user_config.dirs': ['/a', '/b'] });
    expect(substituteArgs(['--dir=${user_config.dirs}'], c)).toEqual(['--dir=${user_config.dirs}']);
    expect(substituteEnv({ D: '${user_config.dirs}' }, c)).toEqual({ D: '${user_config.dirs}' });
    expect(c.warnings.join('\n')).toMatch(/dirs is a list/);
    expect(c.warnings).toHaveLength(2);
  });

  it('leaves an unset optional option verbatim with a warning', () => {
    const c = ctx({}, ['token']);
    expect(substituteString('--t=${user_config.token}', c, 'args[1]')).toBe('--t=${user_config.token}');
    expect(c.warnings[0]).toMatch(/token is not set/);
  });

  it('substitutes env values but never env keys', () => {
    const c = ctx({ HOME: '/h' });
    expect(substituteEnv({ '${HOME}': '${HOME}/x' }, c)).toEqual({ '${HOME}': '/h/x' });
  });

  it('defines __dirname without a trailing separator, the home folders, pathSeparator and ${/}', () => {
    const v = builtinVariables({ bundleDir: '/cache/b/', home: '/home/u', platform: 'darwin', env: {} });
    expect(v.get('__dirname')).toBe('/cache/b');
    expect(v.get('DESKTOP')).toBe('/home/u/Desktop');
    expect(v.get('DOCUMENTS')).toBe('/home/u/Documents');
    expect(v.get('DOWNLOADS')).toBe('/home/u/Downloads');
    expect(v.get('pathSeparator')).toBe('/');
    expect(v.get('/')).toBe('/');
    expect(builtinVariables({ home: 'C:\\u', platform: 'win32', env: {} }).get('/')).toBe('\\');
  });

  it('uses XDG user directories on Linux only', () => {
    const env = { XDG_DESKTOP_DIR: '/x/desk', XDG_DOCUMENTS_DIR: '/x/docs', XDG_DOWNLOAD_DIR: '/x/dl' };
    const linux = builtinVariables({ home: '/home/u', platform: 'linux', env });
    expect([linux.get('DESKTOP'), linux.get('DOCUMENTS'), linux.get('DOWNLOADS')]).toEqual(['/x/desk', '/x/docs', '/x/dl']);
    expect(builtinVariables({ home: '/home/u', platform: 'darwin', env }).get('DESKTOP')).toBe('/home/u/Desktop');
  });
});
