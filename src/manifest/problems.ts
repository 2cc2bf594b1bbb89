import type * as z from 'zod';

/** One thing wrong (or worth fixing) in a manifest, located by its JSON path. */
export interface Problem {
  severity: 'error' | 'warning';
  /** Segments from the manifest root; numbers index arrays. */
  path: (string | number)[];
  /** The path in dot form, odd keys bracket-quoted: `user_config["my key"].type`; `""` for the root. */
  pathText: string;
  message: string;
  /** The offending value, when there is one. */
  value?: unknown;
  /** What to change, when we can say it precisely. */
  fix?: string;
}

const PLAIN_KEY = /^[A-Za-z0-9_$@-]+$/;

/** `["user_config", "my key", "type"]` → `user_config["my key"].type`; array indexes stay dotted (`tools.0.name`) like the official tool. */
export function formatPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += out === '' ? String(seg) : `.${seg}`;
    else if (PLAIN_KEY.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

export function problem(
  severity: Problem['severity'],
  path: (string | number)[],
  message: string,
  extra: { value?: unknown; fix?: string } = {},
): Problem {
  const p: Problem = { severity, path, pathText: formatPath(path), message };
  if (extra.value !== undefined) p.value = extra.value;
  if (extra.fix !== undefined) p.fix = extra.fix;
  return p;
}

/** The value at `path` inside `root`, or undefined. */
export function valueAt(root: unknown, path: readonly (string | number | symbol)[]): unknown {
  let cur: unknown = root;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    if (typeof seg === 'symbol') return undefined;
    if (!Object.prototype.hasOwnProperty.call(cur, seg)) return undefined;
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  return cur;
}

/** A short description of what was found, for "expected X, found Y". */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') {
    const json = JSON.stringify(value);
    return json.length > 80 ? `${json.slice(0, 77)}…"` : json;
  }
  return `${typeof value} ${String(value)}`;
}

/** Levenshtein distance, small inputs only (key names). */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

/** The closest candidate within edit distance 2 (case-insensitive), if any. */
export function didYouMean(key: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const c of candidates) {
    const d = editDistance(key.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

type AnySchema = z.ZodType;

function unwrap(schema: AnySchema): AnySchema {
  let s: any = schema;
  while (s?._zod?.def && ['optional', 'nullable', 'default', 'readonly', 'nonoptional'].includes(s._zod.def.type)) {
    s = s._zod.def.innerType;
  }
  return s;
}

/** The schema that describes the value at `path`, by walking objects, arrays and records. */
export function schemaAt(schema: AnySchema, path: readonly (string | number)[]): AnySchema | undefined {
  let s: any = unwrap(schema);
  for (const seg of path) {
    const def = s?._zod?.def;
    if (!def) return undefined;
    if (def.type === 'object') s = def.shape[seg];
    else if (def.type === 'array') s = def.element;
    else if (def.type === 'record') s = def.valueType;
    else return undefined;
    if (s === undefined) return undefined;
    s = unwrap(s);
  }
  return s;
}

/** The keys an object schema accepts (empty when the schema at that spot is not an object). */
export function objectKeys(schema: AnySchema | undefined): string[] {
  const def = (schema as any)?._zod?.def;
  return def?.type === 'object' ? Object.keys(def.shape) : [];
}
