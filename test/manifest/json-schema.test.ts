import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { manifestGeneratedFiles, manifestJsonSchema } from '../../src/manifest/json-schema.js';
import { MANIFEST_VERSIONS, resolveManifestVersion, validateManifest } from '../../src/manifest/index.js';
import { repoRoot } from '../helpers/cli.js';
import { PROBE_CORPUS } from './probe-corpus.js';

const addFormats = addFormatsModule as unknown as (ajv: object) => void;

function compileAll(make: () => Ajv | Ajv2020, load: (v: string) => object) {
  return Object.fromEntries(
    MANIFEST_VERSIONS.map((v) => {
      const ajv = make();
      addFormats(ajv);
      return [v, ajv.compile(load(v))];
    }),
  );
}

/** Acceptance through JSON Schema: the resolved version's schema, or (unresolvable) no schema may accept. */
function jsonSchemaAccepts(validators: Record<string, (x: unknown) => boolean>, input: unknown): boolean {
  const v = resolveManifestVersion(input);
  if (v) return validators[v]!(input);
  return false;
}

describe('generated JSON Schemas (schemas/mcpb-manifest-v0.X.schema.json)', () => {
  const ours = compileAll(() => new Ajv2020({ strict: false }), (v) => manifestJsonSchema(v as '0.1'));

  it('are checked in and current', () => {
    for (const f of manifestGeneratedFiles()) {
      expect(readFileSync(join(repoRoot, f.path), 'utf8'), f.path).toBe(f.content);
    }
  });

  it('restore the "manifest_version or dxt_version" rule as anyOf of required lists', () => {
    expect(manifestJsonSchema('0.2').anyOf).toEqual([{ required: ['manifest_version'] }, { required: ['dxt_version'] }]);
  });

  for (const c of PROBE_CORPUS) {
    it(`agree with validateManifest: row ${c.row} ${c.label}`, () => {
      expect(jsonSchemaAccepts(ours, c.manifest)).toBe(validateManifest(c.manifest).valid);
      // Without version resolution, no schema of any version accepts an unresolvable manifest.
      if (!resolveManifestVersion(c.manifest)) for (const v of MANIFEST_VERSIONS) expect(ours[v]!(c.manifest)).toBe(false);
    });
  }
});

describe('the official JSON Schemas (shared/schemas) on the probe corpus', () => {
  const official = compileAll(
    () => new Ajv({ strict: false }),
    (v) => JSON.parse(readFileSync(`/work/shared/schemas/mcpb-manifest-v${v}.schema.json`, 'utf8')),
  );
  // Where the official generated files are known to lose a zod rule (mcpb-format.md §1.1): the
  // "at least one version field" refinement, and the case-insensitive flag of the ${locale} regex.
  const knownLosses = new Set(['no version field', 'resources with ${LOCALE}']);

  for (const c of PROBE_CORPUS) {
    it(`row ${c.row} ${c.label}`, () => {
      const v = resolveManifestVersion(c.manifest) ?? (c.manifest.dxt_version === undefined && c.manifest.manifest_version === undefined ? '0.1' : undefined);
      const officialResult = v ? official[v]!(c.manifest) : false;
      if (knownLosses.has(c.label)) expect(officialResult).toBe(!c.accept);
      else expect(officialResult).toBe(c.accept);
    });
  }
});
