/**
 * CQ-02 Malware Patterns (L1): every file, dependency code included, through the AST/tokenizer
 * facts and the text signals of analysis/rules/malware.ts, plus install hooks. "Full" families
 * carry `dependencyCap: null` so the engine keeps their severity inside dependencies.
 */
import { bundleAnalysis, type SourceFile } from '../analysis/bundle.js';
import { toFinding, type Hit } from '../analysis/hits.js';
import { installHookHits } from '../analysis/rules/install-hooks.js';
import { malwareHits } from '../analysis/rules/malware.js';
import type { Control, RawFinding } from '../types.js';

function executable(f: SourceFile): boolean {
  return f.language !== 'text' || /\.(?:sh|bash|zsh|ps1|bat|cmd|pth)$/i.test(f.path) || (/(?:^|\/)package\.json$/.test(f.path) && /"scripts"\s*:/.test(f.text)) || /(?:^|\/)(?:binding\.gyp|setup\.py)$/.test(f.path);
}

export const cq02: Control = {
  id: 'CQ-02',
  name: 'Malware Patterns',
  level: 1,
  domain: 'code_quality',
  async evaluate(ctx) {
    const analysis = await bundleAnalysis(ctx);
    const findings: RawFinding[] = [];
    const errors: string[] = [];
    const criticalFiles = new Set<string>();
    let executableFiles = 0;
    const dependencyParseErrors: string[] = [];
    const seen = new Set<string>();
    const push = (file: SourceFile, h: Hit) => {
      const key = `${file.path}|${h.rule}|${h.start ?? ''}|${h.severity}`;
      if (seen.has(key)) return;
      seen.add(key);
      findings.push(toFinding('CQ-02', file, h));
    };
    for (const file of analysis.files) {
      if (!executable(file)) continue;
      executableFiles++;
      if (file.parseError) {
        if (file.isDependency) dependencyParseErrors.push(file.path);
        else errors.push(`${file.path}: does not parse (${file.parseError.slice(0, 200)}); text signals only`);
      }
      for (const h of malwareHits(file)) {
        if (h.severity === 'CRITICAL') criticalFiles.add(file.path);
        push(file, h);
      }
    }
    for (const { file, hit } of installHookHits(analysis.files, criticalFiles)) push(file, hit);
    if (executableFiles === 0) {
      return { status: 'skip', reason: 'no executable text: no JS, TS, Python or shell, no package.json scripts, no .pth files', findings };
    }
    const data = { executable_files: executableFiles, dependency_parse_errors: dependencyParseErrors.slice(0, 50) };
    if (errors.length > 0) return { status: 'error', reason: `${errors.length} server-code file(s) could not be parsed`, findings, errors, data };
    return { status: 'pass', reason: `${executableFiles} executable file(s) checked for 14 malware families`, findings, data };
  },
};
