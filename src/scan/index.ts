/** The MTF scanner (mtf-controls.md): `scanBundle`, SARIF/SBOM writers, registry summaries. */
import type { ScanReport } from './engine/report-types.js';
import type { ControlId, ControlStatus } from './types.js';

export { scanBundle, scanBundleDetailed, scannerVersion, RULES_VERSION } from './engine/scan.js';
export type { ScanOptions, ScanOutcome } from './engine/scan.js';
export type { ScanReport, ReportControl, Compliance, GateResult, Risk } from './engine/report-types.js';
export { toSarif } from './sarif.js';
export { evaluateGate } from './gate.js';
export type { GateOptions } from './gate.js';
export { CATALOGUE, LEVEL_NAMES } from './catalogue.js';
export type * from './types.js';

export interface ScanSummary {
  level: number;
  score: number;
  display: string;
  degraded: boolean;
  controls: Record<ControlId, ControlStatus>;
  counts: { critical: number; high: number; medium: number; low: number; info: number };
  scannerVersion: string;
}

/** The compact summary a registry entry carries (unsuppressed findings are counted). */
export function summarizeScan(report: ScanReport): ScanSummary {
  const counts = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  for (const f of report.findings) if (!f.suppressed) counts[f.severity.toLowerCase() as keyof typeof counts]++;
  return {
    level: report.compliance.level,
    score: report.compliance.score,
    display: report.compliance.display,
    degraded: report.compliance.degraded,
    controls: Object.fromEntries(report.controls.map((c) => [c.id, c.status])) as Record<ControlId, ControlStatus>,
    counts,
    scannerVersion: report.scanner.version,
  };
}
