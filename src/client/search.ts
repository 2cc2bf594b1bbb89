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

/** Reads a registry's cached summary records (empty when it was never refreshed). */
export async function cachedSummary(ctx: ClientContext, reg: ActiveRegistry): Promise<SearchRecord[] | undefined> {
  const dir = registryCacheDir(ctx, reg);
  let state: { url: string; summary: { path: string }[] };
  try {
    state = JSON.parse(await readFile(join(dir, 'verified.json'), 'utf8'));
  } catch {
    return undefined;
  }
  if (state.url !== reg.url) return undefined;
  const records: SearchRecord[] = [];
  for (const shard of state.summary) {
    const data = JSON.parse(await readFile(join(dir, 'files', ...shard.path.split('/')), 'utf8')) as { columns: string[]; rows: unknown[][] };
    const idx = Object.fromEntries(data.columns.map((c, i) => [c, i]));
    for (const row of data.rows) {
      const rec = {} as Record<string, unknown>;
      for (const c of data.columns) rec[c] = row[idx[c]!];
      records.push(rec as unknown as SearchRecord);
    }
  }
  return records;
}

/** Levenshtein distance with an early exit once it exceeds `max`. */
export function editDistance(a: string, b: string, max = Infinity): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      cur.push(v);
      if (v < best) best = v;
    }
    if (best > max) return max + 1;
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * Ranks one record: exact name > name prefix > name substring > keyword > description >
 * typo-tolerant name match. Returns undefined when it does not match at all.
 */
export function rankRecord(rec: SearchRecord, query: string): { rank: number; match: string } | undefined {
  const q = query.trim().toLowerCase();
  if (q === '') return { rank: 1, match: 'all' };
  const full = rec.name.toLowerCase();
  const bare = full.slice(full.indexOf('/') + 1);
  if (full === q || bare === q) return { rank: 1000, match: 'exact' };
  if (bare.startsWith(q) || full.startsWith(q)) return { rank: 800 - Math.min(100, bare.length - q.length), match: 'prefix' };
  if (full.includes(q)) return { rank: 600, match: 'name' };
  const keywords = rec.keywords.map((k) => k.toLowerCase());
  if (keywords.includes(q)) return { rank: 500, match: 'keyword' };
  if (keywords.some((k) => k.startsWith(q))) return { rank: 450, match: 'keyword' };
  const words = q.split(/\s+/).filter(Boolean);
  const haystack = `${full} ${keywords.join(' ')} ${rec.description.toLowerCase()}`;
  if (words.every((w) => haystack.includes(w))) return { rank: 300, match: 'description' };
  if (q.length >= 3) {
    const max = q.length <= 5 ? 1 : 2;
    const parts = [bare, ...bare.split(/[-_.]/), ...keywords];
    let best = max + 1;
    for (const p of parts) best = Math.min(best, editDistance(q, p, max));
    if (best <= max) return { rank: 200 - best * 50, match: 'fuzzy' };
  }
  return undefined;
}

/** Searches every active registry's cached summary. */
export async function searchRegistries(ctx: ClientContext, registries: ActiveRegistry[], options: SearchOptions): Promise<SearchResult> {
  const hits: SearchHit[] = [];
  const uncached: string[] = [];
  for (const reg of registries) {
    const records = await cachedSummary(ctx, reg);
    if (!records) {
      uncached.push(reg.name);
      continue;
    }
    for (const rec of records) {
      if (rec.status === 'deleted' || rec.status === 'yanked') continue;
      if (options.kind && rec.kind !== options.kind) continue;
      if (options.type && rec.serverType !== options.type) continue;
      if (options.minLevel !== undefined && rec.level < options.minLevel) continue;
      const ranked = rankRecord(rec, options.query);
      if (ranked) hits.push({ ...rec, registry: reg.name, ...ranked });
    }
  }
  hits.sort((a, b) => b.rank - a.rank || b.level - a.level || b.score - a.score || a.name.localeCompare(b.name));
  return { query: options.query, hits: options.limit ? hits.slice(0, options.limit) : hits, uncached, registries: registries.map((r) => r.name) };
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
