import { describe, expect, it } from 'vitest';
import { formatPath, parseManifestText, validateManifest, type Problem } from '../../src/manifest/index.js';
import { minimal } from './probe-corpus.js';

const at = (problems: Problem[], pathText: string) => problems.find((p) => p.pathText === pathText);

describe('problem paths', () => {
  it('dot form, bracket-quoted odd keys, dotted indexes like the official tool', () => {
    expect(formatPath(['user_config', 'my key', 'type'])).toBe('user_config["my key"].type');
    expect(formatPath(['_meta', 'dev.mpak', 'platform_overrides', 'darwin-arm64'])).toBe('_meta["dev.mpak"].platform_overrides.darwin-arm64');
    expect(formatPath(['privacy_policies', 0])).toBe('privacy_policies.0');
    expect(formatPath(['user_config', ''])).toBe('user_config[""]');
    expect(formatPath([])).toBe('');
  });
});

describe('error messages', () => {
  it('reports every problem at once, each with path, expectation and the value found', () => {
    const m = minimal('0.1');
    m.author.email = 'nope';
    m.server.mcp_config.env = { PORT: 8080 };
    m.user_config = { 'my key': { type: 'select', title: 'T' } };
    m.tols = [];
    m.privacy_policies = ['https://x.org/p'];
    delete m.description;
    const r = validateManifest(m);
    expect(r.valid).toBe(false);
    expect(r.version).toBe('0.1');
    expect(r.manifest).toBeUndefined();
    expect(r.errors.map((e) => e.pathText).sort()).toEqual(
      [
        'author.email',
        'description',
        'privacy_policies',
        'server.mcp_config.env.PORT',
        'tols',
        'user_config["my key"].description',
        'user_config["my key"].type',
      ].sort(),
    );
    expect(at(r.errors, 'author.email')).toMatchObject({ severity: 'error', path: ['author', 'email'], value: 'nope' });
    expect(at(r.errors, 'author.email')!.message).toMatch(/email.*found "nope"/);
    expect(at(r.errors, 'server.mcp_config.env.PORT')!.message).toBe('Expected string, found number 8080');
    expect(at(r.errors, 'description')!.message).toBe('Required: expected string, found nothing');
    expect(at(r.errors, 'tols')!.message).toBe('Unrecognized key "tols"; did you mean "tools"?');
    expect(at(r.errors, 'tols')!.fix).toBe('Rename "tols" to "tools".');
    expect(at(r.errors, 'privacy_policies')!.message).toBe('`privacy_policies` needs manifest_version ≥ 0.2 (this manifest is 0.1)');
    expect(at(r.errors, 'user_config["my key"].type')!.fix).toMatch(/"string"/);
  });

  it('union defaults: an object names the allowed types; a bad array item is located', () => {
    const m = minimal('0.1');
    m.user_config = { k: { type: 'string', title: 't', description: 'd', default: {} }, j: { type: 'string', title: 't', description: 'd', default: ['a', 1] } };
    const r = validateManifest(m);
    expect(at(r.errors, 'user_config.k.default')!.message).toBe('Expected string, number, boolean, an array, found an object');
    expect(at(r.errors, 'user_config.j.default.1')!.message).toBe('Expected string, found number 1');
  });

  it('did-you-mean works at depth and only within edit distance 2', () => {
    const m = minimal('0.1');
    m.server.mcp_config.arg = [];
    m.server.mcp_config.zzzzzz = 1;
    const r = validateManifest(m);
    expect(at(r.errors, 'server.mcp_config.arg')!.message).toContain('did you mean "args"?');
    expect(at(r.errors, 'server.mcp_config.zzzzzz')!.message).toBe('Unrecognized key "zzzzzz"');
  });

  it('names the version fix for gated keys and uv', () => {
    const m = minimal('0.2');
    m._meta = { 'x.y': {} };
    m.server.type = 'uv';
    const r = validateManifest(m);
    expect(at(r.errors, '_meta')!.message).toBe('`_meta` needs manifest_version ≥ 0.3 (this manifest is 0.2)');
    expect(at(r.errors, 'server.type')!.message).toContain('needs manifest_version 0.4');
  });

  it('points top-level permissions to the MTF _meta block', () => {
    const m = minimal('0.3');
    m.permissions = { network: 'none' };
    expect(at(validateManifest(m).errors, 'permissions')!.fix).toContain('_meta["org.mpaktrust"]');
  });

  it('explains unsupported versions and still reports the other problems', () => {
    const m = minimal('0.1');
    m.manifest_version = 0.3;
    m.author = {};
    const r = validateManifest(m);
    expect(r.version).toBeUndefined();
    expect(r.errors[0]).toMatchObject({ pathText: 'manifest_version', value: 0.3 });
    expect(r.errors[0]!.message).toMatch(/Unsupported manifest version.*found number 0.3/);
    expect(r.errors[0]!.fix).toBe('Write it as a string: "manifest_version": "0.3".');
    expect(at(r.errors, 'author.name')).toBeDefined();
  });

  it('rejects non-objects', () => {
    for (const input of [null, [], 'x', 3]) {
      const r = validateManifest(input);
      expect(r.valid).toBe(false);
      expect(r.errors[0]!.message).toMatch(/must be a JSON object/);
    }
  });
});

describe('parseManifestText', () => {
  it('turns JSON syntax errors into a problem with line and column', () => {
    const r = parseManifestText('{\n  "name": "x",\n  "version": 1.0.0\n}');
    expect(r.valid).toBe(false);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]!.message).toMatch(/^invalid JSON at line 3, column \d+/);
    expect(r.errors[0]!.value).toMatchObject({ line: 3 });
  });

  it('refuses non-UTF-8 bytes, a BOM, and input over 1 MiB', () => {
    expect(parseManifestText(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])).errors[0]!.message).toMatch(/not valid UTF-8/);
    expect(parseManifestText(`\uFEFF${JSON.stringify(minimal())}`).errors[0]!.message).toMatch(/byte-order mark/);
    const huge = JSON.stringify({ ...minimal(), long_description: 'x'.repeat(1024 * 1024) });
    expect(parseManifestText(huge).errors[0]!.message).toMatch(/limit is 1048576/);
  });

  it('survives hostile nesting without crashing', () => {
    const deep = '['.repeat(500_000);
    const r = parseManifestText(deep);
    expect(r.valid).toBe(false);
    expect(r.errors[0]!.message).toMatch(/^invalid JSON/);
    const deepValid = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expect(parseManifestText(deepValid).errors[0]!.message).toMatch(/must be a JSON object|invalid JSON/);
  });

  it('parses and validates good bytes', () => {
    const r = parseManifestText(new TextEncoder().encode(JSON.stringify(minimal('0.3'))));
    expect(r.valid).toBe(true);
    expect(r.version).toBe('0.3');
    expect(r.manifest?.name).toBe('probe');
  });
});

describe('JSON syntax error positions', async () => {
  const { jsonErrorOffset } = await import('../../src/manifest/json-position.js');
  it('agrees with JSON.parse on what is valid', () => {
    for (const ok of ['{}', '[]', '{"a":[1,-2.5e3,true,false,null,"\\u00e9\\n"]}', ' "x" ', '0']) {
      expect(() => JSON.parse(ok)).not.toThrow();
      expect(jsonErrorOffset(ok)).toBeUndefined();
    }
  });
  it('finds the first error', () => {
    const cases: [string, number, RegExp][] = [
      ['{"a":1,}', 7, /trailing comma/],
      ['[1,2,]', 5, /trailing comma/],
      ['{a:1}', 1, /quoted/],
      ['{"a" 1}', 5, /expected ':'/],
      ['{"a":01}', 6, /after|expected/],
      ['{"a":"x', 7, /unterminated/],
      ['{"a":1} x', 8, /after the JSON value/],
      ['', 0, /end of input/],
      ["{'a':1}", 1, /quoted/],
    ];
    for (const [text, offset, message] of cases) {
      expect(() => JSON.parse(text), text).toThrow();
      const r = jsonErrorOffset(text);
      expect(r?.offset, text).toBe(offset);
      expect(r?.message, text).toMatch(message);
    }
  });
});
