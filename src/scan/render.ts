import type { GateResult, ScanReport } from './engine/report-types.js';
import { SEVERITY_RANK } from './engine/findings.js';

export interface RenderOptions {
  /** ANSI colours (TTY without NO_COLOR). */
  color: boolean;
  /** How many findings to list. */
  top?: number;
}

const STATUS_COLOR: Record<string, string> = { pass: '32', skip: '36', fail: '31', unverified: '33', error: '35' };
const SEV_COLOR: Record<string, string> = { CRITICAL: '31;1', HIGH: '31', MEDIUM: '33', LOW: '36', INFO: '2' };

/**
 * The human view of a report: level and score, one line per control with its status and reason,
 * then the top unsuppressed findings with file:line and remediation. Plain lines when `color` is
 * off, so CI logs stay readable.
 */
export function renderScanTable(report: ScanReport, options: RenderOptions): string {
  const c = (code: string, s: string) => (options.color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const lines: string[] = [];
  const comp = report.compliance;
  lines.push(`${report.bundle.name}@${report.bundle.version}  ${c('1', comp.display)} (${comp.level_name})  risk ${report.risk}${comp.degraded ? c('35', '  DEGRADED') : ''}`);
  lines.push(`sha256 ${report.bundle.sha256}`);
  lines.push(`${comp.passed} passed, ${comp.skipped} skipped, ${comp.failed} failed, ${comp.unverified} unverified, ${comp.errored} errors`);
  lines.push('');
  const width = Math.max(...report.controls.map((x) => x.name.length));
  for (const ctl of report.controls) {
    const status = c(STATUS_COLOR[ctl.status] ?? '0', ctl.status.padEnd(10));
    const reason = ctl.requires?.length ? `${ctl.reason} (needs ${ctl.requires.join(', ')})` : ctl.reason;
    lines.push(`${ctl.id}  L${ctl.level}  ${ctl.name.padEnd(width)}  ${status} ${reason}`);
  }
  const open = report.findings
    .filter((f) => !f.suppressed && f.severity !== 'INFO')
    .sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || (a.id < b.id ? -1 : 1));
  if (open.length) {
    const top = open.slice(0, options.top ?? 15);
    lines.push('', `Findings (${open.length} open${open.length > top.length ? `, top ${top.length}` : ''}):`);
    for (const f of top) {
      const where = f.file ? `${f.file}${f.line ? `:${f.line}` : ''}` : '(bundle)';
      lines.push(`  ${c(SEV_COLOR[f.severity] ?? '0', f.severity.padEnd(8))} ${f.id}  ${f.title}`);
      lines.push(`           ${where}${f.in_dependency ? ` [${f.component ?? 'dependency'}]` : ''}`);
      lines.push(`           → ${f.remediation}`);
    }
  }
  const suppressed = report.findings.filter((f) => f.suppressed).length;
  if (suppressed) lines.push('', `${suppressed} suppressed finding${suppressed === 1 ? '' : 's'} (see --json).`);
  return lines.join('\n');
}

export function renderGate(gate: GateResult): string {
  if (gate.held) return `Gate held${gate.min_level !== null ? ` (--min-level L${gate.min_level})` : ''}${gate.fail_on ? ` (--fail-on ${gate.fail_on})` : ''}.`;
  return ['Gate failed:', ...gate.violations.map((v) => `  ✗ ${v}`)].join('\n');
}
