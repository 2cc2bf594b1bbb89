import { CONTROL_IDS, SEVERITIES } from './types.js';

const hex64 = { type: 'string', pattern: '^[a-f0-9]{64}$' } as const;
const nonNegInt = { type: 'integer', minimum: 0 } as const;

/**
 * JSON Schema (2020-12) of the scan report, schema_version 1.0.0 (mtf-controls.md §7). The MTF 0.1
 * reference report schema (shared/schemas/mtf-report.schema.json) describes a different shape
 * (`version`, `scan`, `domains`, lower-case severities), so mpak ships its own for 1.0.0.
 */
export const REPORT_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://mpak.dev/schemas/mtf-report-1.0.0.schema.json',
  title: 'mpak MTF scan report 1.0.0',
  type: 'object',
  additionalProperties: false,
  required: ['schema_version', 'framework', 'bundle', 'scanner', 'started_at', 'duration_ms', 'inputs', 'compliance', 'risk', 'controls', 'findings', 'sbom'],
  properties: {
    schema_version: { const: '1.0.0' },
    framework: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'version', 'profile'],
      properties: { name: { const: 'MTF' }, version: { const: '0.1' }, profile: { const: 'mpak-1.0' } },
    },
    bundle: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'version', 'sha256', 'unsigned_sha256', 'size'],
      properties: { name: { type: 'string' }, version: { type: 'string' }, sha256: hex64, unsigned_sha256: hex64, size: nonNegInt },
    },
    scanner: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'version', 'rules_version'],
      properties: { name: { const: 'mpak' }, version: { type: 'string' }, rules_version: { type: 'string' } },
    },
    started_at: { type: 'string', format: 'date-time' },
    duration_ms: nonNegInt,
    inputs: {
      type: 'object',
      additionalProperties: false,
      required: ['advisories', 'kev', 'epss', 'trust_anchors', 'source', 'run'],
      properties: {
        advisories: {
          oneOf: [
            { type: 'null' },
            { type: 'object', additionalProperties: false, required: ['entries', 'newest_modified'], properties: { entries: nonNegInt, newest_modified: { type: ['string', 'null'] } } },
          ],
        },
        kev: { type: 'boolean' },
        epss: { type: 'boolean' },
        vex: { type: 'boolean' },
        trust_anchors: { type: 'array', items: { type: 'string', pattern: '^sha256:[a-f0-9]{64}$' } },
        source: { oneOf: [{ type: 'null' }, { type: 'object', additionalProperties: false, required: ['head'], properties: { head: { type: ['string', 'null'] } } }] },
        run: { type: 'boolean' },
      },
    },
    compliance: {
      type: 'object',
      additionalProperties: false,
      required: ['level', 'level_name', 'display', 'score', 'satisfied', 'passed', 'failed', 'skipped', 'unverified', 'errored', 'total', 'degraded'],
      properties: {
        level: { type: 'integer', minimum: 0, maximum: 4 },
        level_name: { enum: ['None', 'Basic', 'Standard', 'Verified', 'Attested'] },
        display: { type: 'string', pattern: '^L[0-4] (?:100|[1-9]?[0-9])$' },
        score: { type: 'integer', minimum: 0, maximum: 100 },
        satisfied: nonNegInt,
        passed: nonNegInt,
        failed: nonNegInt,
        skipped: nonNegInt,
        unverified: nonNegInt,
        errored: nonNegInt,
        total: { const: 25 },
        degraded: { type: 'boolean' },
      },
    },
    risk: { enum: ['NONE', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] },
    controls: {
      type: 'array',
      minItems: 25,
      maxItems: 25,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'name', 'domain', 'level', 'status', 'reason', 'errors', 'findings'],
        properties: {
          id: { enum: [...CONTROL_IDS] },
          name: { type: 'string' },
          domain: { enum: ['artifact_integrity', 'supply_chain', 'code_quality', 'capability_declaration', 'provenance'] },
          level: { type: 'integer', minimum: 1, maximum: 4 },
          status: { enum: ['pass', 'fail', 'skip', 'unverified', 'error'] },
          reason: { type: 'string' },
          requires: { type: 'array', minItems: 1, items: { type: 'string', pattern: '^--' } },
          errors: { type: 'array', items: { type: 'string' } },
          findings: { type: 'array', items: { type: 'string', pattern: '^[A-Z]{2}-\\d{2}-\\d{4}$' } },
          duration_ms: nonNegInt,
        },
      },
    },
    findings: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'control', 'rule', 'severity', 'blocking', 'title', 'description', 'remediation', 'in_dependency', 'details', 'suppressed', 'fingerprint'],
        properties: {
          id: { type: 'string', pattern: '^[A-Z]{2}-\\d{2}-\\d{4}$' },
          control: { enum: [...CONTROL_IDS] },
          rule: { type: 'string', pattern: '^[a-z0-9][a-z0-9/-]*$' },
          severity: { enum: [...SEVERITIES] },
          blocking: { type: 'boolean' },
          title: { type: 'string' },
          description: { type: 'string' },
          file: { type: 'string', not: { pattern: '^/|\\\\|(^|/)\\.\\.(/|$)' } },
          line: { type: 'integer', minimum: 1 },
          column: { type: 'integer', minimum: 1 },
          end_line: { type: 'integer', minimum: 1 },
          excerpt: { type: 'string', maxLength: 200 },
          remediation: { type: 'string' },
          component: { type: 'string', pattern: '^pkg:' },
          in_dependency: { type: 'boolean' },
          details: { type: 'object' },
          suppressed: {
            oneOf: [
              { type: 'null' },
              { type: 'object', additionalProperties: false, required: ['source', 'reason'], properties: { source: { enum: ['inline', 'bundle-policy', 'operator-policy'] }, reason: { type: 'string', minLength: 10 } } },
            ],
          },
          fingerprint: hex64,
        },
      },
    },
    sbom: {
      type: 'object',
      additionalProperties: false,
      required: ['format', 'spec_version', 'component_count', 'by_ecosystem', 'sha256'],
      properties: {
        format: { const: 'CycloneDX' },
        spec_version: { const: '1.6' },
        component_count: nonNegInt,
        by_ecosystem: { type: 'object', additionalProperties: nonNegInt },
        sha256: hex64,
      },
    },
    gate: {
      type: 'object',
      additionalProperties: false,
      required: ['min_level', 'fail_on', 'held', 'violations'],
      properties: {
        min_level: { type: ['integer', 'null'], minimum: 0, maximum: 4 },
        fail_on: { enum: ['critical', 'high', 'medium', 'low', null] },
        held: { type: 'boolean' },
        violations: { type: 'array', items: { type: 'string' } },
      },
    },
  },
} as const;

/** The generated-file entry (`npm run generate`). */
export function scanGeneratedFiles(): { path: string; content: string }[] {
  return [{ path: 'schemas/mtf-report-1.0.0.schema.json', content: `${JSON.stringify(REPORT_SCHEMA, null, 2)}\n` }];
}
