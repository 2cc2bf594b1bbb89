import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { MtfExtensionSchema } from '../../src/manifest/index.js';

// Our zod reading of _meta["org.mpaktrust"] must accept exactly what the published MTF v0.1 JSON
// Schema (shared/schemas/mtf-extension.schema.json) accepts, checked with ajv + ajv-formats.
const addFormats = addFormatsModule as unknown as (ajv: object) => void;
const ajv = new Ajv2020({ strict: false });
addFormats(ajv);
const shared = ajv.compile(JSON.parse(readFileSync('/work/shared/schemas/mtf-extension.schema.json', 'utf8')));

const sha = 'a'.repeat(40);
const cases: [string, unknown][] = [
  ['minimal', { mtf_version: '0.1' }],
  ['missing mtf_version', {}],
  ['mtf_version 1', { mtf_version: 1 }],
  ['mtf_version "0.1.2"', { mtf_version: '0.1.2' }],
  ['mtf_version "10.22"', { mtf_version: '10.22' }],
  ['level 0', { mtf_version: '0.1', level: 0 }],
  ['level 4', { mtf_version: '0.1', level: 4 }],
  ['level 2.5', { mtf_version: '0.1', level: 2.5 }],
  ['level 5', { mtf_version: '0.1', level: 5 }],
  ['all permissions', { mtf_version: '0.1', permissions: { filesystem: 'full', network: 'inbound', environment: 'write', subprocess: 'restricted', native: 'required' } }],
  ['subprocess allow', { mtf_version: '0.1', permissions: { subprocess: 'allow' } }],
  ['unknown permission', { mtf_version: '0.1', permissions: { gpu: 'none' } }],
  ['permissions array', { mtf_version: '0.1', permissions: [] }],
  ['credential ok', { mtf_version: '0.1', credentials: [{ provider: 'github', scopes: ['repo'], justification: 'reads issues' }] }],
  ['credential no scopes', { mtf_version: '0.1', credentials: [{ provider: 'github', scopes: [], justification: 'x' }] }],
  ['credential missing justification', { mtf_version: '0.1', credentials: [{ provider: 'g', scopes: ['a'] }] }],
  ['token handling ok', { mtf_version: '0.1', credentials: [{ provider: 'g', scopes: ['a'], justification: 'j', token_handling: { storage: 'keychain', max_lifetime_seconds: 0, refresh: false } }] }],
  ['token lifetime -1', { mtf_version: '0.1', credentials: [{ provider: 'g', scopes: ['a'], justification: 'j', token_handling: { max_lifetime_seconds: -1 } }] }],
  ['token storage file', { mtf_version: '0.1', credentials: [{ provider: 'g', scopes: ['a'], justification: 'j', token_handling: { storage: 'file' } }] }],
  ['source ok', { mtf_version: '0.1', source: { commit: sha, signed: true } }],
  ['source uppercase', { mtf_version: '0.1', source: { commit: 'A'.repeat(40) } }],
  ['source short', { mtf_version: '0.1', source: { commit: 'abc' } }],
  ['source tag (not in the schema)', { mtf_version: '0.1', source: { commit: sha, tag: 'v1' } }],
  ['build ok', { mtf_version: '0.1', build: { builder: 'github-actions', reproducible: true } }],
  ['build instructions (not in the schema)', { mtf_version: '0.1', build: { builder: 'x', instructions: 'make' } }],
  ['signature ok', { mtf_version: '0.1', signature: { type: 'sigstore', signer_identity: 'https://github.com/login/oauth' } }],
  ['signature bad identity', { mtf_version: '0.1', signature: { type: 'sigstore', signer_identity: 'not a uri' } }],
  ['signature mailto identity', { mtf_version: '0.1', signature: { type: 'gpg', signer_identity: 'mailto:a@b.c' } }],
  ['signature type x509', { mtf_version: '0.1', signature: { type: 'x509' } }],
  ['attestation ok', { mtf_version: '0.1', attestation: { type: 'https://slsa.dev/provenance/v1', bundle_url: 'https://x.example/a.json' } }],
  ['attestation v0.2', { mtf_version: '0.1', attestation: { type: 'https://slsa.dev/provenance/v0.2' } }],
  ['scorecard ok', { mtf_version: '0.1', scorecard: { score: 7.5, scan_date: '2026-02-28', checks: { 'Code-Review': -1, Maintained: 10 } } }],
  ['scorecard bad date', { mtf_version: '0.1', scorecard: { score: 7, scan_date: '2026-02-30' } }],
  ['scorecard leap day', { mtf_version: '0.1', scorecard: { score: 7, scan_date: '2024-02-29' } }],
  ['scorecard score 11', { mtf_version: '0.1', scorecard: { score: 11, scan_date: '2026-01-01' } }],
  ['scorecard check 11', { mtf_version: '0.1', scorecard: { score: 1, scan_date: '2026-01-01', checks: { x: 11 } } }],
  ['scorecard report url relative', { mtf_version: '0.1', scorecard: { score: 1, scan_date: '2026-01-01', report_url: '/r' } }],
  ['legacy files[]', { mtf_version: '0.1', files: [{ path: 'a', sha256: 'b'.repeat(64), size: 1 }] }],
  ['top-level extra', { mtf_version: '0.1', extra: 1 }],
  ['not an object', 'x'],
];

describe('MtfExtensionSchema agrees with the shared MTF JSON Schema (ajv)', () => {
  for (const [label, value] of cases) {
    it(label, () => {
      expect(MtfExtensionSchema.safeParse(value).success).toBe(shared(value));
    });
  }
  it('the corpus holds both accepted and rejected blocks', () => {
    const accepted = cases.filter(([, v]) => shared(v)).length;
    expect(accepted).toBeGreaterThan(8);
    expect(cases.length - accepted).toBeGreaterThan(15);
  });
});
