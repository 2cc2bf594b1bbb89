import { describe, expect, it } from 'vitest';
import { MPAK_META_KEY, MTF_META_KEY, readMpakMeta, readMtfExtension, validateManifest, type Problem } from '../../src/manifest/index.js';
import { minimal } from './probe-corpus.js';

const texts = (ps: Problem[]) => ps.map((p) => `${p.pathText}: ${p.message}`);

describe('§1.6 warnings', () => {
  it('a clean manifest has none', () => {
    expect(validateManifest(minimal('0.3')).warnings).toEqual([]);
  });

  it('semver and name sanity warn but never reject', () => {
    const m = minimal('0.1');
    m.version = 'banana';
    m.name = ' My Ext ✓';
    const r = validateManifest(m);
    expect(r.valid).toBe(true);
    expect(texts(r.warnings)).toEqual([
      'version: version "banana" is not semver (MAJOR.MINOR.PATCH)',
      'name: name has surrounding whitespace',
      'name: name uses characters outside [a-z0-9._@/-]; registry claims need "@scope/name"',
    ]);
    expect(validateManifest({ ...m, name: '' }).warnings.some((w) => w.message === 'name is empty')).toBe(true);
    expect(validateManifest({ ...m, name: 'a'.repeat(215) }).warnings.some((w) => /215 characters/.test(w.message))).toBe(true);
  });

  it('--strict turns warnings into errors', () => {
    const m = minimal('0.1');
    m.version = 'banana';
    const r = validateManifest(m, { strict: true });
    expect(r.valid).toBe(false);
    expect(r.warnings).toEqual([]);
    expect(r.errors).toMatchObject([{ severity: 'error', pathText: 'version' }]);
  });

  it('lints user_config: multiple, min/max, default type, default on required', () => {
    const m = minimal('0.1');
    m.user_config = {
      s: { type: 'string', title: 'S', description: 'd', multiple: true, min: 5, max: 1, default: ['a'] },
      n: { type: 'number', title: 'N', description: 'd', default: 'ten', required: true },
      dirs: { type: 'directory', title: 'D', description: 'd', multiple: true, default: ['${HOME}'] },
    };
    const r = validateManifest(m);
    expect(r.valid).toBe(true);
    expect(texts(r.warnings)).toEqual([
      'user_config.s.multiple: multiple is meant for directory/file options, not string',
      'user_config.s.min: min applies to number options, not string',
      'user_config.s.max: max applies to number options, not string',
      'user_config.s.min: min (5) is greater than max (1); no value can satisfy both',
      'user_config.n.default: default "ten" does not fit type number',
      'user_config.n.default: a default on a required option is ignored by official hosts',
    ]);
  });

  it('checks ${user_config.X} references and array options inside longer strings', () => {
    const m = minimal('0.1');
    m.user_config = { dirs: { type: 'directory', title: 'D', description: 'd', multiple: true } };
    m.server.mcp_config.args = ['${user_config.dirs}', '--dir=${user_config.dirs}', '${user_config.nope}'];
    m.server.mcp_config.env = { DIRS: '${user_config.dirs}' };
    const r = validateManifest(m);
    expect(texts(r.warnings)).toEqual([
      'server.mcp_config.args.1: multiple option "dirs" is used inside a longer string; arrays are substituted only as a whole args element',
      'server.mcp_config.args.2: ${user_config.nope} refers to an undeclared user_config option',
      'server.mcp_config.env.DIRS: multiple option "dirs" is used inside an env value; arrays are substituted only as a whole args element',
    ]);
  });

  it('flags unsafe entry points', () => {
    for (const entry of ['/abs/server.js', '../outside.js', 'server\\index.js', 'C:/x.js', 'a\0b']) {
      const m = minimal('0.1');
      m.server.entry_point = entry;
      const r = validateManifest(m);
      expect(r.valid).toBe(true);
      expect(r.warnings.some((w) => w.pathText === 'server.entry_point'), entry).toBe(true);
    }
  });

  it('override keys: arch keys point to _meta["dev.mpak"], unknown platforms warn', () => {
    const m = minimal('0.3');
    m.server.mcp_config.platform_overrides = { 'darwin-arm64': { command: 'x' }, freebsd: { command: 'y' }, beos: {} };
    const r = validateManifest(m);
    expect(r.valid).toBe(true);
    const arch = r.warnings.find((w) => w.pathText === 'server.mcp_config.platform_overrides.darwin-arm64')!;
    expect(arch.fix).toContain(`_meta["${MPAK_META_KEY}"].platform_overrides["darwin-arm64"]`);
    expect(r.warnings.some((w) => w.pathText.endsWith('.beos'))).toBe(true);
    expect(r.warnings.some((w) => w.pathText.endsWith('.freebsd'))).toBe(false);
  });

  it('validates _meta["dev.mpak"]: architecture overrides and content hashes', () => {
    const m = minimal('0.3');
    m._meta = {
      [MPAK_META_KEY]: {
        platform_overrides: { 'linux-arm64': { command: 'node', args: ['${user_config.missing}'] }, 'linux-mips': { cwd: '/' } },
        files: [{ path: 'server/index.js', sha256: 'A'.repeat(64), size: 3 }],
        extra: true,
      },
    };
    const r = validateManifest(m);
    expect(r.valid).toBe(true);
    expect(texts(r.warnings).sort()).toEqual(
      [
        '_meta["dev.mpak"].platform_overrides.linux-mips.cwd: Unrecognized key "cwd"',
        '_meta["dev.mpak"].files.0.sha256: sha256 must be 64 lowercase hex characters, found "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"',
        '_meta["dev.mpak"].extra: Unrecognized key "extra"',
        '_meta["dev.mpak"].platform_overrides.linux-mips: architecture override key "linux-mips" must be <os>-<arch> with os darwin/linux/win32 and arch x64/arm64',
        '_meta["dev.mpak"].platform_overrides.linux-arm64.args.0: ${user_config.missing} refers to an undeclared user_config option',
      ].sort(),
    );
    const meta = readMpakMeta(m);
    expect(meta.present).toBe(true);
    expect(meta.valid).toBe(false);
    expect(Object.keys(meta.platformOverrides)).toEqual(['linux-arm64']);
  });

  it('validates _meta["org.mpaktrust"] as warnings with paths, and moves legacy files[] to dev.mpak', () => {
    const m = minimal('0.3');
    m._meta = {
      [MTF_META_KEY]: {
        mtf_version: '0.1',
        permissions: { subprocess: 'allow', network: 'outbound' },
        files: [{ path: 'a.js', sha256: 'a'.repeat(64), size: 1 }],
      },
    };
    const r = validateManifest(m);
    expect(r.valid).toBe(true);
    expect(texts(r.warnings)).toContain(
      '_meta["org.mpaktrust"].permissions.subprocess: Expected one of "none", "restricted", "full", found "allow"',
    );
    const files = r.warnings.find((w) => w.pathText === '_meta["org.mpaktrust"].files')!;
    expect(files.fix).toContain('_meta["dev.mpak"].files');
    const mtf = readMtfExtension(m);
    expect(mtf).toMatchObject({ present: true, valid: false });
    // permissions did not parse (subprocess: allow), so every category falls back to none
    expect(mtf.permissions.network).toBe('none');
    const legacy = readMpakMeta(m);
    expect(legacy.filesSource).toBe('org.mpaktrust');
    expect(legacy.files).toHaveLength(1);
  });

  it('readMtfExtension fills permission defaults for a valid block', () => {
    const m = minimal('0.3');
    m._meta = { [MTF_META_KEY]: { mtf_version: '0.1', level: 2, permissions: { environment: 'read' } } };
    const mtf = readMtfExtension(m);
    expect(mtf.valid).toBe(true);
    expect(mtf.extension?.level).toBe(2);
    expect(mtf.permissions).toEqual({ filesystem: 'none', network: 'none', environment: 'read', subprocess: 'none', native: 'none' });
    expect(readMtfExtension(minimal('0.1')).present).toBe(false);
  });
});
