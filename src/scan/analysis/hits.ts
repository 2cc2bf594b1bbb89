/**
 * Rule hits → the engine's `RawFinding`s. Rules report character offsets; this turns them
 * into 1-based positions and excerpts, and raises module-level matches one step (CQ-02).
 */
import type { ControlId, RawFinding, Severity } from '../types.js';
import type { SourceFile } from './bundle.js';
import { excerptOf } from './source.js';

export const SEVERITY_ORDER: Severity[] = ['INFO', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];

export function raise(s: Severity, steps = 1): Severity {
  return SEVERITY_ORDER[Math.min(SEVERITY_ORDER.length - 1, SEVERITY_ORDER.indexOf(s) + steps)] as Severity;
}

export function lower(s: Severity, steps = 1): Severity {
  return SEVERITY_ORDER[Math.max(0, SEVERITY_ORDER.indexOf(s) - steps)] as Severity;
}

export function atLeast(s: Severity, floor: Severity): boolean {
  return SEVERITY_ORDER.indexOf(s) >= SEVERITY_ORDER.indexOf(floor);
}

export interface Hit {
  rule: string;
  severity: Severity;
  title: string;
  description: string;
  remediation: string;
  /** Character offsets in the file; absent for file-level hits. */
  start?: number;
  end?: number;
  /** Replaces the line excerpt (CQ-01 redaction). */
  excerpt?: string;
  details?: Record<string, unknown>;
  /** `null` = keeps its severity in dependency code (a "full" family); default MEDIUM cap. */
  dependencyCap?: Severity | null;
}

/** Converts a hit in `file` to a raw finding of `control`. */
export function toFinding(control: ControlId, file: SourceFile | { path: string } | undefined, hit: Hit): RawFinding {
  const out: RawFinding = {
    control,
    rule: hit.rule,
    severity: hit.severity,
    title: hit.title,
    description: hit.description,
    remediation: hit.remediation,
  };
  if (file) out.file = file.path;
  if (file && 'lines' in file && hit.start !== undefined) {
    const a = file.lines.position(hit.start);
    out.line = a.line;
    out.column = a.column;
    if (hit.end !== undefined) {
      const b = file.lines.position(Math.max(hit.start, hit.end - 1));
      if (b.line !== a.line) out.end_line = b.line;
    }
    out.excerpt = hit.excerpt ?? excerptOf(file.lines.lineText(a.line), a.column);
  } else if (hit.excerpt !== undefined) out.excerpt = hit.excerpt;
  if (hit.details) out.details = hit.details;
  if (hit.dependencyCap !== undefined) out.dependencyCap = hit.dependencyCap;
  return out;
}

/** Removes duplicate hits (same rule, same start offset). */
export function dedupeHits(hits: Hit[]): Hit[] {
  const seen = new Set<string>();
  return hits.filter((h) => {
    const key = `${h.rule}|${h.start ?? ''}|${h.severity}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
