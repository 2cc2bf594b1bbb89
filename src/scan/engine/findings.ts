import { createHash } from 'node:crypto';
import type { ControlId, Finding, RawFinding, ScanFile, Severity } from '../types.js';
import { type SuppressionRule, suppressionFor } from './suppress.js';

export const SEVERITY_RANK: Record<Severity, number> = { INFO: 0, LOW: 1, MEDIUM: 2, HIGH: 3, CRITICAL: 4 };

function cap(severity: Severity, limit: Severity | null): Severity {
  if (limit === null) return severity;
  return SEVERITY_RANK[severity] > SEVERITY_RANK[limit] ? limit : severity;
}

function compareKey(a: RawFinding, b: RawFinding): number {
  const fa = a.file ?? '';
  const fb = b.file ?? '';
  if (fa !== fb) return fa < fb ? -1 : 1;
  if ((a.line ?? 0) !== (b.line ?? 0)) return (a.line ?? 0) - (b.line ?? 0);
  if ((a.column ?? 0) !== (b.column ?? 0)) return (a.column ?? 0) - (b.column ?? 0);
  if (a.rule !== b.rule) return a.rule < b.rule ? -1 : 1;
  return a.title < b.title ? -1 : a.title > b.title ? 1 : 0;
}

export function fingerprintOf(control: string, rule: string, file: string | undefined, excerpt: string | undefined): string {
  const normalised = (excerpt ?? '').replace(/\s+/g, ' ').trim();
  return createHash('sha256').update(`${control}|${rule}|${file ?? ''}|${normalised}`).digest('hex');
}

/**
 * Turns one control's raw findings into report findings (§4.1–4.3): dependency caps, suppression,
 * `blocking`, stable ids numbered in (file, line, column, rule) order, fingerprints.
 */
export function finalizeFindings(
  control: ControlId,
  raw: RawFinding[],
  fileIndex: Map<string, ScanFile>,
  rules: SuppressionRule[],
): Finding[] {
  const sorted = [...raw].sort(compareKey);
  return sorted.map((r, n) => {
    const file = r.file === undefined ? undefined : fileIndex.get(r.file);
    const inDependency = !!file?.isDependency;
    const severity = inDependency ? cap(r.severity, r.dependencyCap === undefined ? 'MEDIUM' : r.dependencyCap) : r.severity;
    const suppressed = suppressionFor({ control, rule: r.rule, severity, file: r.file, line: r.line, in_dependency: inDependency }, rules);
    const excerpt = r.excerpt === undefined ? undefined : r.excerpt.length > 200 ? `${r.excerpt.slice(0, 199)}…` : r.excerpt;
    const finding: Finding = {
      id: `${control}-${String(n + 1).padStart(4, '0')}`,
      control,
      rule: r.rule,
      severity,
      blocking: SEVERITY_RANK[severity] >= SEVERITY_RANK.HIGH && suppressed === null,
      title: r.title,
      description: r.description,
      ...(r.file !== undefined ? { file: r.file } : {}),
      ...(r.line !== undefined ? { line: r.line } : {}),
      ...(r.column !== undefined ? { column: r.column } : {}),
      ...(r.end_line !== undefined ? { end_line: r.end_line } : {}),
      ...(excerpt !== undefined ? { excerpt } : {}),
      remediation: r.remediation,
      ...(file?.component && inDependency ? { component: file.component } : {}),
      in_dependency: inDependency,
      details: r.details ?? {},
      suppressed,
      fingerprint: fingerprintOf(control, r.rule, r.file, excerpt),
    };
    return finding;
  });
}
