import { inputError } from '../errors.js';
import type { GateResult, ScanReport } from './engine/report-types.js';
import { SEVERITY_RANK } from './engine/findings.js';
import type { Severity } from './types.js';

export interface GateOptions {
  /** `L0`..`L4` or `0`..`4`. */
  minLevel?: string;
  /** `critical|high|medium|low`, case-insensitive. */
  failOn?: string;
}

/**
 * The CI gate of §9. Returns undefined when no gate was given. A degraded scan can only lower the
 * level (errors are never satisfied), so it never passes `--min-level` by accident.
 */
export function evaluateGate(report: ScanReport, options: GateOptions): GateResult | undefined {
  if (options.minLevel === undefined && options.failOn === undefined) return undefined;
  const violations: string[] = [];
  let minLevel: number | null = null;
  if (options.minLevel !== undefined) {
    const m = /^L?([0-4])$/i.exec(options.minLevel.trim());
    if (!m) throw inputError('SCAN_BAD_LEVEL', `--min-level ${options.minLevel} is not one of L0..L4`, { suggestions: ['mpak bundle scan <bundle> --min-level L2'] });
    minLevel = Number(m[1]);
    if (report.compliance.level < minLevel) {
      violations.push(`level L${report.compliance.level} is below --min-level L${minLevel}${report.compliance.degraded ? ' (the scan is degraded)' : ''}`);
    }
  }
  let failOn: string | null = null;
  if (options.failOn !== undefined) {
    const sev = options.failOn.trim().toUpperCase() as Severity;
    if (!['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'].includes(sev)) {
      throw inputError('SCAN_BAD_SEVERITY', `--fail-on ${options.failOn} is not one of critical, high, medium, low`, { suggestions: ['mpak bundle scan <bundle> --fail-on high'] });
    }
    failOn = sev.toLowerCase();
    const hits = report.findings.filter((f) => !f.suppressed && SEVERITY_RANK[f.severity] >= SEVERITY_RANK[sev]);
    if (hits.length) violations.push(`${hits.length} unsuppressed finding${hits.length === 1 ? '' : 's'} at or above ${sev} (${hits.slice(0, 3).map((f) => f.id).join(', ')}${hits.length > 3 ? ', …' : ''})`);
  }
  return { min_level: minLevel, fail_on: failOn, held: violations.length === 0, violations };
}
