/**
 * CQ-05 Safe Execution Patterns (L3): server code as ASTs with aliases resolved (§5), test files
 * excluded, plus the shell command-substitution rule on shipped shell scripts.
 */
import { bundleAnalysis } from '../analysis/bundle.js';
import { toFinding } from '../analysis/hits.js';
import { execHits, shellHits } from '../analysis/rules/exec.js';
import type { Control, RawFinding } from '../types.js';
import { serverCode } from './cq-03.js';

export const cq05: Control = {
  id: 'CQ-05',
  name: 'Safe Execution Patterns',
  level: 3,
  domain: 'code_quality',
  async evaluate(ctx) {
    const analysis = await bundleAnalysis(ctx);
    const files = serverCode(analysis.files);
    const shells = analysis.files.filter((f) => !f.isDependency && !f.isTest && f.language === 'shell');
    if (files.length === 0 && shells.length === 0) return { status: 'skip', reason: 'no server code in the bundle', findings: [] };
    const findings: RawFinding[] = [];
    const errors: string[] = [];
    for (const file of files) {
      if (file.parseError || !file.facts) {
        errors.push(`${file.path}: does not parse (${(file.parseError ?? 'no facts').slice(0, 200)})`);
        continue;
      }
      for (const h of execHits(file)) findings.push(toFinding('CQ-05', file, h));
    }
    for (const file of shells) for (const h of shellHits(file.path, file.text)) findings.push(toFinding('CQ-05', file, h));
    if (errors.length > 0) return { status: 'error', reason: `${errors.length} server-code file(s) could not be parsed`, findings, errors };
    return { status: 'pass', reason: `${files.length + shells.length} server-code file(s) analysed`, findings };
  },
};
