import { LEVEL_NAMES } from '../catalogue.js';
import type { Finding } from '../types.js';
import { SEVERITY_RANK } from './findings.js';
import type { Compliance, ReportControl, Risk } from './report-types.js';

/** §3: level, score, display and degraded from the 25 control statuses. */
export function computeCompliance(controls: ReportControl[]): Compliance {
  const count = (s: string) => controls.filter((c) => c.status === s).length;
  const satisfiedAt = (level: number) => controls.filter((c) => c.level <= level).every((c) => c.status === 'pass' || c.status === 'skip');
  let level = 0;
  for (let k = 1; k <= 4; k++) if (satisfiedAt(k)) level = k;
  else break;
  const passed = count('pass');
  const skipped = count('skip');
  const satisfied = passed + skipped;
  const score = Math.round((100 * satisfied) / 25);
  return {
    level,
    level_name: LEVEL_NAMES[level]!,
    display: `L${level} ${score}`,
    score,
    satisfied,
    passed,
    failed: count('fail'),
    skipped,
    unverified: count('unverified'),
    errored: count('error'),
    total: controls.length,
    degraded: controls.some((c) => c.status === 'error' || c.errors.length > 0),
  };
}

/** §4.2: the highest effective severity among unsuppressed findings, INFO ignored. */
export function computeRisk(findings: Finding[]): Risk {
  let best = 0;
  for (const f of findings) if (!f.suppressed) best = Math.max(best, SEVERITY_RANK[f.severity]);
  return (['NONE', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const)[best]!;
}
