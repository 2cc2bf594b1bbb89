import type { ControlId, ControlLevel, ControlStatus, Domain, Finding, Severity } from '../types.js';

export type Risk = 'NONE' | Exclude<Severity, 'INFO'>;

export interface ReportControl {
  id: ControlId;
  name: string;
  domain: Domain;
  level: ControlLevel;
  status: ControlStatus;
  reason: string;
  requires?: string[];
  errors: string[];
  findings: string[];
  duration_ms: number;
}

export interface Compliance {
  level: number;
  level_name: 'None' | 'Basic' | 'Standard' | 'Verified' | 'Attested';
  display: string;
  score: number;
  satisfied: number;
  passed: number;
  failed: number;
  skipped: number;
  unverified: number;
  errored: number;
  total: number;
  degraded: boolean;
}

export interface GateResult {
  min_level: number | null;
  fail_on: string | null;
  held: boolean;
  violations: string[];
}

/** The report of mtf-controls.md §7 (schema_version 1.0.0). Keys are in report order. */
export interface ScanReport {
  schema_version: '1.0.0';
  framework: { name: 'MTF'; version: '0.1'; profile: 'mpak-1.0' };
  bundle: { name: string; version: string; sha256: string; unsigned_sha256: string; size: number };
  scanner: { name: 'mpak'; version: string; rules_version: string };
  started_at: string;
  duration_ms: number;
  inputs: {
    advisories: { entries: number; newest_modified: string | null } | null;
    kev: boolean;
    epss: boolean;
    vex: boolean;
    trust_anchors: string[];
    source: { head: string | null } | null;
    run: boolean;
  };
  compliance: Compliance;
  risk: Risk;
  controls: ReportControl[];
  findings: Finding[];
  sbom: { format: 'CycloneDX'; spec_version: '1.6'; component_count: number; by_ecosystem: Record<string, number>; sha256: string };
  gate?: GateResult;
}
