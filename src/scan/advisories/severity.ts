import { readFile } from 'node:fs/promises';
import type { OsvRecord } from './database.js';

const DB_SEVERITY: Record<string, number> = { CRITICAL: 9.0, HIGH: 7.0, MODERATE: 5.0, MEDIUM: 5.0, LOW: 2.0 };

let calculator: any;
async function cvssLib(): Promise<any> {
  calculator ??= (await import('ae-cvss-calculator' as string)).default;
  return calculator;
}

/** Base score of one CVSS vector (v2, v3.0, v3.1, v4.0), or undefined when it does not parse. */
export async function cvssBaseScore(vector: string): Promise<number | undefined> {
  const lib = await cvssLib();
  try {
    const v = vector.trim();
    const cls = v.startsWith('CVSS:4.0/') ? lib.Cvss4P0 : v.startsWith('CVSS:3.1/') ? lib.Cvss3P1 : v.startsWith('CVSS:3.0/') ? lib.Cvss3P0 : /^\(?AV:[LAN]\/AC:/.test(v) ? lib.Cvss2 : undefined;
    if (!cls) return undefined;
    const s = new cls(v.replace(/^\(|\)$/g, '')).calculateScores();
    const score = typeof s.base === 'number' ? s.base : s.overall;
    return typeof score === 'number' && Number.isFinite(score) ? score : undefined;
  } catch {
    return undefined;
  }
}

/** The score of an advisory: the highest CVSS base score, else GHSA `database_specific.severity`, else 7.0 (fail closed). */
export async function advisoryScore(rec: OsvRecord, affectedIndex: number): Promise<{ score: number; vector: string | null; basis: 'cvss' | 'database_specific' | 'default' }> {
  const entries = [...(rec.severity ?? []), ...(rec.affected?.[affectedIndex]?.severity ?? [])];
  let best: { score: number; vector: string } | undefined;
  for (const e of entries) {
    if (typeof e?.score !== 'string') continue;
    const s = await cvssBaseScore(e.score);
    if (s !== undefined && (!best || s > best.score)) best = { score: s, vector: e.score };
  }
  if (best) return { ...best, basis: 'cvss' };
  const label = String(rec.database_specific?.severity ?? rec.affected?.[affectedIndex]?.database_specific?.severity ?? '').toUpperCase();
  if (DB_SEVERITY[label] !== undefined) return { score: DB_SEVERITY[label]!, vector: null, basis: 'database_specific' };
  return { score: 7.0, vector: null, basis: 'default' };
}

/** CISA KEV catalogue: `vulnerabilities[].cveID`. */
export async function readKev(path: string): Promise<Set<string>> {
  const json = JSON.parse(await readFile(path, 'utf8'));
  if (!Array.isArray(json?.vulnerabilities)) throw new Error(`${path}: not a KEV catalogue (no vulnerabilities[])`);
  return new Set(json.vulnerabilities.map((v: any) => String(v?.cveID ?? '').toUpperCase()).filter(Boolean));
}

/** EPSS snapshot: FIRST CSV `cve,epss,percentile` (comment lines allowed) or JSON `data[].{cve,epss}`. */
export async function readEpss(path: string): Promise<Map<string, number>> {
  const text = await readFile(path, 'utf8');
  const out = new Map<string, number>();
  if (/^\s*[{[]/.test(text)) {
    const json = JSON.parse(text);
    if (!Array.isArray(json?.data)) throw new Error(`${path}: not an EPSS JSON document (no data[])`);
    for (const d of json.data) if (d?.cve && Number.isFinite(Number(d.epss))) out.set(String(d.cve).toUpperCase(), Number(d.epss));
    return out;
  }
  const lines = text.split(/\r?\n/).filter((l) => l.trim() && !l.startsWith('#'));
  const header = lines.shift()?.split(',').map((h) => h.trim().toLowerCase()) ?? [];
  const ci = header.indexOf('cve');
  const ei = header.indexOf('epss');
  if (ci < 0 || ei < 0) throw new Error(`${path}: EPSS CSV needs a "cve,epss" header`);
  for (const l of lines) {
    const cols = l.split(',');
    const v = Number(cols[ei]);
    if (cols[ci] && Number.isFinite(v)) out.set(cols[ci]!.trim().toUpperCase(), v);
  }
  return out;
}

export interface VexStatement {
  ids: string[];
  products: string[];
  status: string;
  justification?: string;
}

/** OpenVEX v0.2.0 statements. */
export async function readVex(path: string): Promise<VexStatement[]> {
  const json = JSON.parse(await readFile(path, 'utf8'));
  if (!Array.isArray(json?.statements)) throw new Error(`${path}: not an OpenVEX document (no statements[])`);
  return json.statements.map((s: any) => {
    const v = s?.vulnerability;
    const ids = typeof v === 'string' ? [v] : [v?.name, v?.['@id'], ...(Array.isArray(v?.aliases) ? v.aliases : [])].filter((x) => typeof x === 'string');
    const products = (Array.isArray(s?.products) ? s.products : []).map((p: any) => (typeof p === 'string' ? p : p?.['@id'])).filter((x: unknown) => typeof x === 'string');
    return { ids, products, status: String(s?.status ?? ''), ...(s?.justification ? { justification: String(s.justification) } : {}) };
  });
}
