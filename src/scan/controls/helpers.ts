import { catalogueEntry } from '../catalogue.js';
import type { Control, ControlId, ControlResult, RawFinding, ScanContext, Severity } from '../types.js';

/** Builds a raw finding for a control. */
export function finding(
  control: ControlId,
  rule: string,
  severity: Severity,
  title: string,
  description: string,
  remediation: string,
  extra: Partial<Omit<RawFinding, 'control' | 'rule' | 'severity' | 'title' | 'description' | 'remediation'>> = {},
): RawFinding {
  return { control, rule, severity, title, description, remediation, ...extra };
}

/** Declares a control with its catalogue metadata. */
export function defineControl(id: ControlId, evaluate: (ctx: ScanContext) => Promise<ControlResult>): Control {
  const entry = catalogueEntry(id);
  return { id, name: entry.name, level: entry.level, domain: entry.domain, evaluate };
}

/** §2: a control whose prerequisite (a parseable manifest) is missing fails with one HIGH finding. */
export function manifestPrerequisite(ctx: ScanContext, control: ControlId): ControlResult | undefined {
  if (ctx.manifest) return undefined;
  return {
    status: 'fail',
    reason: 'prerequisite failed: AI-01',
    findings: [
      finding(control, 'prerequisite-failed', 'HIGH', 'prerequisite failed: AI-01', 'manifest.json does not parse, so this control cannot be evaluated.', 'Fix manifest.json (see AI-01) and scan again.', { file: 'manifest.json' }),
    ],
  };
}

/** The raw `_meta["org.mpaktrust"]` object, if any. */
export function mtfBlock(manifest: Record<string, any> | undefined): Record<string, any> | undefined {
  const b = manifest?._meta?.['org.mpaktrust'];
  return b && typeof b === 'object' && !Array.isArray(b) ? b : undefined;
}

/** 1-based line and column of a character offset. */
export function positionOf(text: string, index: number): { line: number; column: number } {
  let line = 1;
  let last = -1;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) {
    line++;
    last = i;
  }
  return { line, column: index - last };
}

/** The line holding a character offset, trimmed to 200 characters. */
export function lineAt(text: string, index: number): string {
  const start = text.lastIndexOf('\n', index - 1) + 1;
  const end = text.indexOf('\n', index);
  return text.slice(start, end === -1 ? undefined : end).trim().slice(0, 200);
}

/** Line (1-based) of the first occurrence of a JSON key path's last key in manifest text. */
export function manifestLine(ctx: ScanContext, needle: string): number | undefined {
  const text = ctx.manifestText;
  if (!text) return undefined;
  const i = text.indexOf(needle);
  return i === -1 ? undefined : positionOf(text, i).line;
}

/** Final status from findings when nothing else is missing: blocking → fail (the engine recomputes anyway). */
export function decided(findings: RawFinding[], passReason: string, extra: Partial<ControlResult> = {}): ControlResult {
  const blocking = findings.filter((f) => f.severity === 'CRITICAL' || f.severity === 'HIGH').length;
  return { status: blocking ? 'fail' : 'pass', reason: blocking ? `${blocking} blocking finding${blocking === 1 ? '' : 's'}` : passReason, findings, ...extra };
}

export const LOCKFILE_NAMES = new Set([
  'package-lock.json', 'npm-shrinkwrap.json', 'pnpm-lock.yaml', 'yarn.lock', 'uv.lock', 'poetry.lock', 'Pipfile.lock', 'pdm.lock',
]);
