import type { ControlId, ControlLevel, Domain } from './types.js';

export interface CatalogueEntry {
  id: ControlId;
  name: string;
  /** PascalCase SARIF rule name. */
  sarifName: string;
  level: ControlLevel;
  domain: Domain;
  summary: string;
}

const e = (id: ControlId, name: string, level: ControlLevel, domain: Domain, summary: string): CatalogueEntry => ({
  id,
  name,
  sarifName: name.replace(/[^A-Za-z0-9 ]/g, ' ').split(/\s+/).filter(Boolean).map((w) => w[0]!.toUpperCase() + w.slice(1)).join(''),
  level,
  domain,
  summary,
});

/** The 25 controls of mtf-controls.md §1, in report order (AI, SC, CQ, CD, PR, then by id). */
export const CATALOGUE: readonly CatalogueEntry[] = [
  e('AI-01', 'Manifest Validation', 1, 'artifact_integrity', 'manifest.json parses without duplicate keys and passes the MCPB compatibility validator.'),
  e('AI-02', 'Content Hashes', 2, 'artifact_integrity', 'The bundle carries a SHA-256 list of its files and every entry matches it.'),
  e('AI-03', 'Bundle Signature', 3, 'artifact_integrity', 'The MCPB_SIG_V1 signature verifies and chains to a trusted anchor.'),
  e('AI-04', 'Reproducible Build', 4, 'artifact_integrity', 'Repacking the bundle with the deterministic packer gives the same bytes.'),
  e('AI-05', 'Bundle Completeness', 2, 'artifact_integrity', 'Every archive entry is expected: no stray executables, scripts or source.'),
  e('SC-01', 'SBOM Generation', 1, 'supply_chain', 'A CycloneDX 1.6 SBOM can be built from vendored metadata.'),
  e('SC-02', 'Vulnerability Scanning', 2, 'supply_chain', 'No component matches a known OSV advisory.'),
  e('SC-03', 'Dependency Pinning', 2, 'supply_chain', 'Every dependency and launch command is pinned to an exact version.'),
  e('SC-04', 'Lockfile Integrity', 2, 'supply_chain', 'Lockfiles carry integrity hashes that agree with the vendored tree.'),
  e('SC-05', 'Trusted Sources', 3, 'supply_chain', 'Dependencies come from approved registries over https.'),
  e('CQ-01', 'Secret Detection', 1, 'code_quality', 'No credentials are embedded in the bundle.'),
  e('CQ-02', 'Malware Patterns', 1, 'code_quality', 'No exfiltration, droppers, reverse shells, miners or install-time payloads.'),
  e('CQ-03', 'Static Analysis', 2, 'code_quality', 'Server code avoids known vulnerable shapes (path containment, argument injection, TLS off...).'),
  e('CQ-04', 'Input Validation', 3, 'code_quality', 'Every tool handler validates its arguments against a schema.'),
  e('CQ-05', 'Safe Execution Patterns', 3, 'code_quality', 'No shell execution, eval or unsafe deserialisation of non-constant data.'),
  e('CQ-06', 'Behavioral Analysis', 4, 'code_quality', 'A sandboxed run of the server shows no undeclared behaviour.'),
  e('CD-01', 'Tool Declaration', 1, 'capability_declaration', 'The manifest declares every tool with a valid name and description.'),
  e('CD-02', 'Permission Correlation', 2, 'capability_declaration', 'Declared permissions cover the capabilities the code exercises.'),
  e('CD-03', 'Description Safety', 2, 'capability_declaration', 'Tool, prompt and resource descriptions hold no injected instructions.'),
  e('CD-04', 'Credential Scope and Token Lifetime', 3, 'capability_declaration', 'OAuth scopes are declared, justified and tokens are short-lived.'),
  e('PR-01', 'Source Repository', 2, 'provenance', 'The manifest names a parseable git repository without credentials.'),
  e('PR-02', 'Author Identity', 2, 'provenance', 'The author has a valid e-mail and the name is scoped.'),
  e('PR-03', 'Build Attestation', 3, 'provenance', 'A signed SLSA provenance attestation names this bundle and its source.'),
  e('PR-04', 'Commit Linkage', 4, 'provenance', 'The bundle names a full commit whose tree holds its source files.'),
  e('PR-05', 'Repository Health', 3, 'provenance', 'The source repository passes the Scorecard-lite checks.'),
];

export const LEVEL_NAMES = ['None', 'Basic', 'Standard', 'Verified', 'Attested'] as const;

export function catalogueEntry(id: ControlId): CatalogueEntry {
  const entry = CATALOGUE.find((c) => c.id === id);
  if (!entry) throw new Error(`unknown control ${id}`);
  return entry;
}
