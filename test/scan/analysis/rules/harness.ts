/**
 * semgrep-style annotation harness (mtf-controls §10.1): a comment `ruleid: <CONTROL>/<rule>`
 * means the next code line MUST produce that rule; `ok: <CONTROL>/<rule>` means it must not;
 * `todo-ruleid:` is a tracked gap that does not fail.
 */
import { analyseSource, type SourceFile } from '../../../../src/scan/analysis/bundle.js';
import type { Hit } from '../../../../src/scan/analysis/hits.js';

export interface Expectation {
  kind: 'ruleid' | 'ok' | 'todo-ruleid';
  rule: string;
  line: number;
}

export function expectations(text: string, control: string): Expectation[] {
  const lines = text.split('\n');
  const out: Expectation[] = [];
  lines.forEach((l, i) => {
    for (const m of l.matchAll(/\b(todo-ruleid|ruleid|ok):\s*([A-Z]{2}-\d{2})\/([a-z0-9/-]+)/g)) {
      if (m[2] !== control) continue;
      let target = i + 1;
      while (target < lines.length && /^\s*(?:\/\/|#)\s*(?:todo-ruleid|ruleid|ok):/.test(lines[target] as string)) target++;
      out.push({ kind: m[1] as Expectation['kind'], rule: m[3] as string, line: target + 1 });
    }
  });
  return out;
}

export interface Verdict {
  missed: string[];
  falsePositives: string[];
  checked: number;
}

/** Runs `rules` on the annotated fixture and compares with its annotations. */
export async function verify(path: string, text: string, control: string, rules: (f: SourceFile) => Hit[] | Promise<Hit[]>, opts: { isDependency?: boolean } = {}): Promise<Verdict> {
  const file = await analyseSource({ path, text, isDependency: opts.isDependency });
  const hits = await rules(file);
  const found = hits.map((h) => ({ rule: h.rule, line: h.start === undefined ? 0 : file.lines.position(h.start).line, severity: h.severity }));
  const verdict: Verdict = { missed: [], falsePositives: [], checked: 0 };
  for (const e of expectations(text, control)) {
    const near = found.filter((f) => f.rule === e.rule && Math.abs(f.line - e.line) <= 1);
    verdict.checked++;
    if (e.kind === 'ruleid' && near.length === 0) verdict.missed.push(`${e.rule} @${e.line}`);
    if (e.kind === 'ok' && near.length > 0) verdict.falsePositives.push(`${e.rule} @${e.line} (${near.map((n) => n.severity).join(',')})`);
  }
  return verdict;
}
