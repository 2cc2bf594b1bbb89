import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ActiveRegistry, ClientContext } from './context.js';
import { registryCacheDir } from './context.js';

/**
 * Local search over the cached, verified summary shards: no network, no zod, no heavy imports
 * (it runs on every `mpak search`). Shards were schema-checked and hash-verified when cached.
 */

export interface SearchRecord {
  name: string;
  kind: 'bundle' | 'skill';
  version: string;
  description: string;
  keywords: string[];
  level: number;
  score: number;
  display: string;
  serverType: string | null;
  platforms: string[];
  publishedAt: string;
  status: string;
}

export interface SearchHit extends SearchRecord {
  registry: string;
  /** Why it matched: exact, prefix, name, keyword, description, fuzzy. */
  match: string;
  rank: number;
}

export interface SearchOptions {
  query: string;
  kind?: 'bundle' | 'skill';
  type?: string;
  /** Minimum trust level 0..4. */
  minLevel?: number;
  limit?: number;
}

export interface SearchResult {
  query: string;
  hits: SearchHit[];
  /** Registries without a verified cache (search never fetches; `mpak registry update` does). */
  uncached: string[];
  registries: string[];
}

interface SummaryTable {
  col: Record<string, number>;
  rows: unknown[][];
}

/** Reads a registry's cached summary shards as tables (rows stay arrays until they match). */
async function cachedTables(ctx: ClientContext, reg: ActiveRegistry): Promise<SummaryTable[] | undefined> {
  const dir = registryCacheDir(ctx, reg);
  let state: { url: string; summary: { path: string }[] };
  try {
    state = JSON.parse(await readFile(join(dir, 'verified.json'), 'utf8'));
  } catch {
    return undefined;
  }
  if (state.url !== reg.url) return undefined;
  const tables: SummaryTable[] = [];
  for (const shard of state.summary) {
    const data = JSON.parse(await readFile(join(dir, 'files', ...shard.path.split('/')), 'utf8')) as { columns: string[]; rows: unknown[][] };
    tables.push({ col: Object.fromEntries(data.columns.map((c, i) => [c, i])), rows: data.rows });
  }
  return tables;
}

function toRecord(t: SummaryTable, row: unknown[]): SearchRecord {
  const rec = {} as Record<string, unknown>;
  for (const [c, i] of Object.entries(t.col)) rec[c] = row[i];
  return rec as unknown as SearchRecord;
}

/** Reads a registry's cached summary records (undefined when it was never refreshed). */
export async function cachedSummary(ctx: ClientContext, reg: ActiveRegistry): Promise<SearchRecord[] | undefined> {
  const tables = await cachedTables(ctx, reg);
  return tables?.flatMap((t) => t.rows.map((row) => toRecord(t, row)));
}

// Two reusable rows: edit distance runs up to ~50,000 times per search; no allocation per call.
let prevRow = new Uint16Array(64);
let curRow = new Uint16Array(64);

/** Levenshtein distance with an early exit once it exceeds `max`. */
export function editDistance(a: string, b: string, max = Infinity): number {
  return editDistanceRange(a, b, 0, b.length, max);
}

/** Edit distance between `a` and `b.slice(from, to)`, without making the slice. */
function editDistanceRange(a: string, b: string, from: number, to: number, max: number): number {
  const n = to - from;
  if (Math.abs(a.length - n) > max) return max + 1;
  if (n + 1 > prevRow.length) {
    prevRow = new Uint16Array(n + 1);
    curRow = new Uint16Array(n + 1);
  }
  let prev = prevRow;
  let cur = curRow;
  for (let j = 0; j <= n; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let best = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= n; j++) {
      const v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (ca === b.charCodeAt(from + j - 1) ? 0 : 1));
      cur[j] = v;
      if (v < best) best = v;
    }
    if (best > max) return max + 1;
    const swap = prev;
    prev = cur;
    cur = swap;
  }
  return prev[n]!;
}

interface PreparedQuery {
  q: string;
  words: string[];
  /** Case-insensitive matchers of each word: no lowercased copy of 10,000 descriptions. */
  wordRes: RegExp[];
  max: number;
}

function prepare(query: string): PreparedQuery {
  const q = query.trim().toLowerCase();
  const words = q.split(/\s+/).filter(Boolean);
  const wordRes = words.map((w) => new RegExp(w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i'));
  return { q, words, wordRes, max: q.length <= 5 ? 1 : 2 };
}

const lower = (t: string) => (/[A-Z]/.test(t) ? t.toLowerCase() : t);

/** Distance of `q` to the best of `text[from, to)` and its parts split at - _ . (no slices). */
function fuzzyParts(q: string, text: string, from: number, to: number, max: number, best: number): number {
  if (Math.abs(to - from - q.length) <= max) best = Math.min(best, editDistanceRange(q, text, from, to, max));
  let start = from;
  for (let i = from; i <= to && best > 0; i++) {
    const c = i < to ? text.charCodeAt(i) : 45;
    if (c === 45 || c === 95 || c === 46) {
      if (i > start && !(start === from && i === to) && Math.abs(i - start - q.length) <= max) {
        best = Math.min(best, editDistanceRange(q, text, start, i, max));
      }
      start = i + 1;
    }
  }
  return best;
}

// Runs for every row of every search: written to allocate nothing for rows that do not match.
function rankFields(name: string, keywords: string[], description: string, p: PreparedQuery): { rank: number; match: string } | undefined {
  const { q } = p;
  if (q === '') return { rank: 1, match: 'all' };
  // Names are lowercase by the registry format; lowercasing again only guards hand-made caches.
  const full = lower(name);
  const b = full.indexOf('/') + 1;
  const bareLength = full.length - b;
  if (full === q || (bareLength === q.length && full.endsWith(q))) return { rank: 1000, match: 'exact' };
  if (full.startsWith(q, b) || full.startsWith(q)) return { rank: 800 - Math.min(100, bareLength - q.length), match: 'prefix' };
  if (full.includes(q)) return { rank: 600, match: 'name' };
  let keywordPrefix = false;
  for (const k of keywords) {
    const kl = lower(k);
    if (kl === q) return { rank: 500, match: 'keyword' };
    if (kl.startsWith(q)) keywordPrefix = true;
  }
  if (keywordPrefix) return { rank: 450, match: 'keyword' };
  let all = true;
  for (let i = 0; i < p.words.length && all; i++) {
    const w = p.words[i]!;
    all = full.includes(w) || p.wordRes[i]!.test(description) || keywords.some((k) => lower(k).includes(w));
  }
  if (all) return { rank: 300, match: 'description' };
  if (q.length >= 3) {
    const inName = fuzzyParts(q, full, b, full.length, p.max, p.max + 1);
    if (inName <= p.max) return { rank: 200 - inName * 50, match: 'fuzzy' };
    let inKeywords = p.max + 1;
    for (const k of keywords) if (inKeywords > 0) inKeywords = fuzzyParts(q, lower(k), 0, k.length, p.max, inKeywords);
    if (inKeywords <= p.max) return { rank: 90 - inKeywords * 30, match: 'fuzzy' };
  }
  return undefined;
}

/**
 * Ranks one record: exact name > name prefix > name substring > keyword > description >
 * typo-tolerant name match. Returns undefined when it does not match at all.
 */
export function rankRecord(rec: SearchRecord, query: string): { rank: number; match: string } | undefined {
  return rankFields(rec.name, rec.keywords, rec.description, prepare(query));
}

/** Searches every active registry's cached summary. */
export async function searchRegistries(ctx: ClientContext, registries: ActiveRegistry[], options: SearchOptions): Promise<SearchResult> {
  const found: { t: SummaryTable; row: unknown[]; registry: string; rank: number; match: string; level: number; score: number; name: string }[] = [];
  const uncached: string[] = [];
  const p = prepare(options.query);
  for (const reg of registries) {
    const tables = await cachedTables(ctx, reg);
    if (!tables) {
      uncached.push(reg.name);
      continue;
    }
    for (const t of tables) {
      const { name, kind, keywords, description, level, score, serverType, status } = t.col as Record<string, number>;
      for (const row of t.rows) {
        const st = row[status!];
        if (st === 'deleted' || st === 'yanked') continue;
        if (options.kind && row[kind!] !== options.kind) continue;
        if (options.type && row[serverType!] !== options.type) continue;
        if (options.minLevel !== undefined && (row[level!] as number) < options.minLevel) continue;
        const ranked = rankFields(row[name!] as string, row[keywords!] as string[], row[description!] as string, p);
        if (ranked) found.push({ t, row, registry: reg.name, ...ranked, level: row[level!] as number, score: row[score!] as number, name: row[name!] as string });
      }
    }
  }
  found.sort((a, b) => b.rank - a.rank || b.level - a.level || b.score - a.score || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  // Objects only for what is returned.
  const hits: SearchHit[] = (options.limit ? found.slice(0, options.limit) : found).map((f) => ({ ...toRecord(f.t, f.row), registry: f.registry, match: f.match, rank: f.rank }));
  return { query: options.query, hits, uncached, registries: registries.map((r) => r.name) };
}

/** The human table: NAME / VERSION / TRUST / DESCRIPTION, plus REGISTRY when several registries answered. */
export function formatSearchTable(hits: SearchHit[], options: { showKind?: boolean; width?: number } = {}): string {
  const registries = new Set(hits.map((h) => h.registry));
  const showRegistry = registries.size > 1;
  const header = ['NAME', ...(options.showKind ? ['KIND'] : []), 'VERSION', 'TRUST', ...(showRegistry ? ['REGISTRY'] : []), 'DESCRIPTION'];
  const rows = hits.map((h) => [h.name, ...(options.showKind ? [h.kind] : []), h.version, h.display, ...(showRegistry ? [h.registry] : []), h.description]);
  const widths = header.map((c, i) => (i === header.length - 1 ? 0 : Math.max(c.length, ...rows.map((r) => r[i]!.length))));
  const width = options.width ?? 120;
  return [header, ...rows]
    .map((r) => {
      const line = r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ');
      return line.length > width ? `${line.slice(0, width - 1)}…` : line;
    })
    .join('\n');
}
