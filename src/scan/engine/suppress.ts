import type { ControlId, RawFinding, ScanFile, SuppressionInfo } from '../types.js';
import { CONTROL_IDS } from '../types.js';

/** One suppression rule from an inline comment or a policy line (§4.3). */
export interface SuppressionRule {
  source: SuppressionInfo['source'];
  control: ControlId;
  rule?: string;
  reason: string;
  /** Inline: the file and the lines it covers. */
  file?: string;
  lines?: [number, number];
  /** Policy: gitignore-style glob matcher. */
  matches?: (path: string | undefined) => boolean;
}

const INLINE = /mpak-ignore:\s*([A-Z]{2}-\d{2})(?:\/([a-z0-9][a-z0-9-/]*))?(?:[ \t]+([^\n]*?))?\s*(?:\*\/|-->)?\s*$/;
const POLICY_LINE = /^([A-Z]{2}-\d{2})(?:\/(\S+))?\s+(\S+)(?:\s+(.*))?$/;

function justified(reason: string | undefined): boolean {
  return (reason ?? '').replace(/\s/g, '').length >= 10;
}

function unjustified(control: ControlId, file: string, line: number, text: string, where: string): RawFinding {
  return {
    control,
    rule: 'unjustified-suppression',
    severity: 'LOW',
    title: 'Suppression without a justification',
    description: `${where} suppresses ${control} without a reason of at least 10 characters, so it is ignored.`,
    remediation: `Add a reason after the control id, e.g. "mpak-ignore: ${control} <why this is safe>".`,
    file,
    line,
    excerpt: text.trim().slice(0, 200),
  };
}

/** Reads inline `mpak-ignore:` comments from server-code text files. */
export async function inlineSuppressions(files: ScanFile[]): Promise<{ rules: SuppressionRule[]; findings: RawFinding[] }> {
  const rules: SuppressionRule[] = [];
  const findings: RawFinding[] = [];
  for (const f of files) {
    if (f.isBinary || f.isDependency || f.size > 5 * 1024 * 1024) continue;
    const bytes = await f.bytes();
    if (bytes.indexOf('mpak-ignore:') === -1) continue;
    const lines = (await f.text()).split('\n');
    lines.forEach((text, idx) => {
      const m = INLINE.exec(text.replace(/\r$/, ''));
      if (!m || !(CONTROL_IDS as readonly string[]).includes(m[1]!)) return;
      const control = m[1] as ControlId;
      const reason = (m[3] ?? '').trim();
      if (!justified(reason)) {
        findings.push(unjustified(control, f.path, idx + 1, text, 'An inline mpak-ignore comment'));
        return;
      }
      rules.push({ source: 'inline', control, ...(m[2] ? { rule: m[2] } : {}), reason, file: f.path, lines: [idx + 1, idx + 2] });
    });
  }
  return { rules, findings };
}

/** Parses a policy file (`.mpakignore` or `--policy`): `<CONTROL-ID>[/<rule>] <path-glob> <reason…>`. */
export async function policySuppressions(
  text: string,
  source: 'bundle-policy' | 'operator-policy',
  policyFile: string | undefined,
): Promise<{ rules: SuppressionRule[]; findings: RawFinding[] }> {
  const { default: ignore } = await import('ignore');
  const rules: SuppressionRule[] = [];
  const findings: RawFinding[] = [];
  text.split(/\r?\n/).forEach((raw, idx) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const m = POLICY_LINE.exec(line);
    if (!m || !(CONTROL_IDS as readonly string[]).includes(m[1]!)) return;
    const control = m[1] as ControlId;
    if (!justified(m[4])) {
      // Operator policies live outside the bundle: the finding is bundle-level.
      const f = unjustified(control, policyFile ?? '', idx + 1, raw, `Policy line ${idx + 1}`);
      if (!policyFile) {
        delete f.file;
        delete f.line;
      }
      findings.push(f);
      return;
    }
    const glob = m[3]!;
    const matcher = ignore().add(glob);
    const everything = glob === '*' || glob === '**' || glob === '/' || glob === '**/*';
    rules.push({
      source,
      control,
      ...(m[2] ? { rule: m[2] } : {}),
      reason: m[4]!.trim(),
      matches: (path) => (path === undefined ? everything : everything || matcher.ignores(path)),
    });
  });
  return { rules, findings };
}

/** The first rule that suppresses a finding, honouring the limits of §4.3. */
export function suppressionFor(
  finding: { control: ControlId; rule: string; severity: string; file?: string; line?: number; in_dependency: boolean },
  rules: SuppressionRule[],
): SuppressionInfo | null {
  if (finding.control === 'CQ-02' && finding.severity === 'CRITICAL') return null;
  for (const r of rules) {
    if (r.control !== finding.control) continue;
    if (r.rule && r.rule !== finding.rule) continue;
    if (finding.control === 'CD-03' && finding.severity === 'CRITICAL' && r.source !== 'operator-policy') continue;
    if (r.source === 'inline') {
      if (finding.in_dependency || r.file !== finding.file) continue;
      // A file-level finding (no line) is suppressed by a comment on the file's first line.
      const line = finding.line ?? 1;
      if (line < r.lines![0] || line > r.lines![1]) continue;
    } else if (!r.matches!(finding.file)) continue;
    return { source: r.source, reason: r.reason };
  }
  return null;
}
