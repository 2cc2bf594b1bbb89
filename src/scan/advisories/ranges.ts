import { comparePep440, parsePep440 } from './pep440.js';

export type Ecosystem = 'npm' | 'PyPI';

export interface OsvEvent {
  introduced?: string;
  fixed?: string;
  last_affected?: string;
  limit?: string;
}

export interface OsvRange {
  type: string;
  events: OsvEvent[];
}

/** Ordering of versions in an ecosystem (npm: SemVer 2.0 precedence with prereleases; PyPI: PEP 440). */
export async function comparatorFor(ecosystem: Ecosystem): Promise<{ valid(v: string): boolean; compare(a: string, b: string): number }> {
  if (ecosystem === 'PyPI') return { valid: (v) => !!parsePep440(v), compare: comparePep440 };
  const semver = (await import('semver')).default;
  return { valid: (v) => semver.valid(v) !== null, compare: (a, b) => semver.compare(a, b) };
}

/**
 * Walks one SEMVER/ECOSYSTEM range for a version: `introduced` inclusive (`"0"` = from the start),
 * `fixed` exclusive, `last_affected` inclusive, `limit` an exclusive upper bound.
 */
export function inRange(range: OsvRange, version: string, cmp: { valid(v: string): boolean; compare(a: string, b: string): number }): boolean {
  const events = range.events
    .map((e, i) => {
      const [kind, value] = Object.entries(e)[0] ?? [];
      return { kind: kind as keyof OsvEvent, value: String(value ?? ''), i };
    })
    .filter((e) => e.kind && (e.value === '0' || cmp.valid(e.value)));
  events.sort((a, b) => {
    if (a.value === '0' && b.value !== '0') return -1;
    if (b.value === '0' && a.value !== '0') return 1;
    const c = a.value === '0' ? 0 : cmp.compare(a.value, b.value);
    return c || a.i - b.i;
  });
  let affected = false;
  for (const e of events) {
    if (e.kind === 'introduced') {
      if (e.value === '0' || cmp.compare(version, e.value) >= 0) affected = true;
    } else if (e.kind === 'fixed' || e.kind === 'limit') {
      if (cmp.compare(version, e.value) >= 0) affected = false;
    } else if (e.kind === 'last_affected') {
      if (cmp.compare(version, e.value) > 0) affected = false;
    }
  }
  return affected;
}
