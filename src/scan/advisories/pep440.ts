/**
 * PEP 440 version parsing and ordering (epochs, pre/post/dev releases, local versions), following
 * the reference implementation in `packaging.version`. Used for PyPI advisory ranges.
 */
export interface Pep440 {
  epoch: number;
  release: number[];
  pre?: [number, number];
  post?: number;
  dev?: number;
  local?: (number | string)[];
}

const RE =
  /^\s*v?(?:(\d+)!)?(\d+(?:\.\d+)*)(?:[-_.]?(alpha|a|beta|b|preview|pre|c|rc)[-_.]?(\d+)?)?(?:-(\d+)|[-_.]?(post|rev|r)[-_.]?(\d+)?)?(?:[-_.]?(dev)[-_.]?(\d+)?)?(?:\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?\s*$/i;

const PRE_RANK: Record<string, number> = { a: 0, alpha: 0, b: 1, beta: 1, c: 2, rc: 2, pre: 2, preview: 2 };

export function parsePep440(version: string): Pep440 | undefined {
  const m = RE.exec(version);
  if (!m) return undefined;
  const v: Pep440 = { epoch: m[1] ? Number(m[1]) : 0, release: m[2]!.split('.').map(Number) };
  if (m[3]) v.pre = [PRE_RANK[m[3].toLowerCase()]!, m[4] ? Number(m[4]) : 0];
  if (m[5] !== undefined) v.post = Number(m[5]);
  else if (m[6]) v.post = m[7] ? Number(m[7]) : 0;
  if (m[8]) v.dev = m[9] ? Number(m[9]) : 0;
  if (m[10]) v.local = m[10].toLowerCase().split(/[-_.]/).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  return v;
}

const NEG = -Infinity;
const POS = Infinity;

function cmpNum(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function cmpTuple(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const c = cmpNum(a[i] ?? 0, b[i] ?? 0);
    if (c) return c;
  }
  return 0;
}

function key(v: Pep440) {
  const release = [...v.release];
  while (release.length > 1 && release[release.length - 1] === 0) release.pop();
  // A dev release of a final version sorts before its pre-releases (1.0.dev0 < 1.0a0).
  const pre = v.pre === undefined && v.post === undefined && v.dev !== undefined ? [NEG] : v.pre === undefined ? [POS] : v.pre;
  const post = v.post === undefined ? NEG : v.post;
  const dev = v.dev === undefined ? POS : v.dev;
  return { epoch: v.epoch, release, pre, post, dev, local: v.local };
}

function cmpLocal(a: (number | string)[] | undefined, b: (number | string)[] | undefined): number {
  if (!a && !b) return 0;
  if (!a) return -1;
  if (!b) return 1;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (typeof x === 'number' && typeof y === 'number') {
      if (x !== y) return x < y ? -1 : 1;
    } else if (typeof x === 'number') return 1; // numeric segments sort after alphanumeric ones
    else if (typeof y === 'number') return -1;
    else if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** Compares two PEP 440 versions: negative, zero or positive. Throws on an invalid version. */
export function comparePep440(a: string, b: string): number {
  const pa = parsePep440(a);
  const pb = parsePep440(b);
  if (!pa || !pb) throw new Error(`invalid PEP 440 version: ${!pa ? a : b}`);
  const ka = key(pa);
  const kb = key(pb);
  return (
    cmpNum(ka.epoch, kb.epoch) ||
    cmpTuple(ka.release, kb.release) ||
    cmpTuple(ka.pre, kb.pre) ||
    cmpNum(ka.post, kb.post) ||
    cmpNum(ka.dev, kb.dev) ||
    cmpLocal(ka.local, kb.local)
  );
}
