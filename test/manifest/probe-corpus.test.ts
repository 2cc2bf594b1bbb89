import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateManifest } from '../../src/manifest/index.js';
import { repoRoot } from '../helpers/cli.js';
import { EXTRA_CASES, PROBE_CORPUS } from './probe-corpus.js';

// The official validator (@anthropic-ai/mcpb 2.1.2, zod 3.25) as an oracle: its strict schemas and
// its version resolution, loaded from the installed dev dependency.
const official = await import('@anthropic-ai/mcpb/browser');
const { getManifestVersionFromRawData } = await import(
  join(repoRoot, 'node_modules/@anthropic-ai/mcpb/dist/shared/manifestVersionResolve.js')
);

function officialAccepts(input: unknown): boolean {
  const v = getManifestVersionFromRawData(input) as keyof typeof official.MANIFEST_SCHEMAS | null;
  if (!v) return false;
  return official.MANIFEST_SCHEMAS[v].safeParse(input).success;
}

describe('mcpb-format.md §1.5 probe corpus', () => {
  it('covers all 16 rows', () => {
    expect(new Set(PROBE_CORPUS.map((c) => c.row))).toEqual(new Set(Array.from({ length: 16 }, (_, i) => i + 1)));
  });

  for (const c of PROBE_CORPUS) {
    it(`row ${c.row}: ${c.label} → ${c.accept ? 'accept' : 'reject'}`, () => {
      const result = validateManifest(c.manifest);
      expect(result.valid, JSON.stringify(result.errors)).toBe(c.accept);
      if (c.accept) expect(result.errors).toEqual([]);
      else expect(result.errors.length).toBeGreaterThan(0);
      // The official validator agrees with the spec row, and so with us.
      expect(officialAccepts(c.manifest)).toBe(c.accept);
    });
  }

  it('warnings never change acceptance, and --strict only adds errors for accepted manifests', () => {
    for (const c of PROBE_CORPUS) {
      const loose = validateManifest(c.manifest);
      const strict = validateManifest(c.manifest, { strict: true });
      expect(strict.errors.length).toBe(loose.errors.length + loose.warnings.length);
      expect(strict.warnings).toEqual([]);
    }
  });
});

describe('agreement with the official validator beyond the table', () => {
  for (const c of EXTRA_CASES) {
    it(c.label, () => {
      expect(validateManifest(c.manifest).valid).toBe(officialAccepts(c.manifest));
    });
  }
});

describe('agreement with the official validator on systematic mutations', () => {
  // A manifest that uses every field, then every path replaced by each sample value, in each version.
  const full = (v: '0.1' | '0.2' | '0.3' | '0.4'): Record<string, any> => ({
    $schema: 'https://x.example/s.json',
    manifest_version: v,
    name: 'full',
    display_name: 'Full',
    version: '1.0.0',
    description: 'd',
    long_description: 'l',
    author: { name: 'A', email: 'a@b.co', url: 'https://a.example' },
    repository: { type: 'git', url: 'https://github.com/a/b' },
    homepage: 'https://h.example',
    documentation: 'https://d.example',
    support: 'https://s.example',
    icon: 'icon.png',
    screenshots: ['s.png'],
    server: {
      type: 'node',
      entry_point: 'server/index.js',
      mcp_config: { command: 'node', args: ['a'], env: { A: 'b' }, platform_overrides: { win32: { command: 'node.exe', args: [], env: {} } } },
    },
    tools: [{ name: 't', description: 'd' }],
    tools_generated: true,
    prompts: [{ name: 'p', description: 'd', arguments: ['x'], text: 't' }],
    prompts_generated: false,
    keywords: ['k'],
    license: 'MIT',
    compatibility: { claude_desktop: '>=0.10', platforms: ['linux'], runtimes: { node: '>=18', python: '>=3.9' } },
    user_config: { k: { type: 'number', title: 't', description: 'd', required: false, default: 1, multiple: false, sensitive: true, min: 0, max: 9 } },
    ...(v !== '0.1' ? { privacy_policies: ['https://p.example'] } : {}),
    ...(v === '0.3' || v === '0.4'
      ? { icons: [{ src: 'i.png', size: '16x16', theme: 'dark' }], localization: { resources: 'r/${locale}.json', default_locale: 'en' }, _meta: { 'a.b': { c: 1 } } }
      : {}),
  });

  function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
    if (value === null || typeof value !== 'object') return [prefix];
    const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
    return [prefix, ...entries.flatMap(([k, v]) => paths(v, [...prefix, k]))];
  }

  function setAt(root: any, path: (string | number)[], value: unknown): any {
    const copy = structuredClone(root);
    let cur = copy;
    for (const seg of path.slice(0, -1)) cur = cur[seg];
    const last = path.at(-1)!;
    if (value === undefined) delete cur[last];
    else cur[last] = value;
    return copy;
  }

  const samples: unknown[] = [undefined, 'x', '', 'https://x.example', 0, 1.5, true, null, [], ['x'], {}, { extra: 1 }];

  for (const v of ['0.1', '0.2', '0.3', '0.4'] as const) {
    it(`every path of a full ${v} manifest`, () => {
      const base = full(v);
      expect(officialAccepts(base)).toBe(true);
      expect(validateManifest(base).valid).toBe(true);
      const disagreements: string[] = [];
      let compared = 0;
      for (const path of paths(base)) {
        if (path.length === 0) continue;
        for (const sample of samples) {
          const mutated = setAt(base, path, sample);
          compared++;
          const ours = validateManifest(mutated).valid;
          if (ours !== officialAccepts(mutated)) disagreements.push(`${path.join('.')} = ${JSON.stringify(sample)}: ours ${ours}`);
        }
      }
      expect(compared).toBeGreaterThan(500);
      expect(disagreements).toEqual([]);
    });
  }
});
