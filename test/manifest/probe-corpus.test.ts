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
