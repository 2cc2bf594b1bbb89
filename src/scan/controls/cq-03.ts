/**
 * CQ-03 Static Analysis (L2): server code only, test files excluded (§4.2), on the shared
 * ASTs. A server-code file that does not parse is itself a HIGH finding (fail closed).
 */
import { bundleAnalysis, type SourceFile } from '../analysis/bundle.js';
import { toFinding } from '../analysis/hits.js';
import { staticHits, unanalysableHit } from '../analysis/rules/static.js';
import type { Control, RawFinding } from '../types.js';

/** Server code the CQ-03/04/05 rules inspect: not dependency code, not a test file. */
export function serverCode(files: SourceFile[]): SourceFile[] {
  return files.filter((f) => !f.isDependency && !f.isTest && (f.language === 'js' || f.language === 'python'));
}

export const cq03: Control = {
  id: 'CQ-03',
  name: 'Static Analysis',
  level: 2,
  domain: 'code_quality',
  async evaluate(ctx) {
    const analysis = await bundleAnalysis(ctx);
    const files = serverCode(analysis.files);
    if (files.length === 0) return { status: 'skip', reason: 'no JS, TS or Python server code in the bundle', findings: [] };
    const findings: RawFinding[] = [];
    for (const file of files) {
      if (file.parseError || !file.facts) {
        findings.push(toFinding('CQ-03', file, unanalysableHit(file)));
        continue;
      }
      for (const h of staticHits(file)) findings.push(toFinding('CQ-03', file, h));
    }
    return { status: 'pass', reason: `${files.length} server-code file(s) analysed`, findings };
  },
};
