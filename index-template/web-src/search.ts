// Typo-tolerant search over package names, keywords and descriptions. The index is built once
// from the summary (a vocabulary of distinct tokens with postings), so each keystroke only scans
// the vocabulary (tens of thousands of short strings) instead of every description.

export interface SearchDoc {
  name: string;
  description: string;
  keywords: readonly string[];
}

export interface SearchHit {
  id: number;
  score: number;
}

const FIELD_WEIGHT = [3, 2, 1]; // name, keyword, description
const FIELD_NAME = 0;
const FIELD_KEYWORD = 1;
const FIELD_DESCRIPTION = 2;

export function tokenize(text: string): string[] {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((t) => t.length > 0 && t.length <= 40);
}

export class SearchIndex {
  readonly size: number;
  private readonly vocab: string[] = [];
  /** Letter-set bitmask of each vocabulary token, to rule tokens out before the typo table. */
  private masks = new Uint32Array(0);
  /** postings[token] = flat list of doc * 4 + field, each (doc, field) at most once. */
  private readonly postings: number[][] = [];
  private readonly candidateCache = new Map<string, Array<[number, number]>>();

  constructor(docs: readonly SearchDoc[]) {
    this.size = docs.length;
    const ids = new Map<string, number>();
    const seen = new Set<number>();
    docs.forEach((doc, d) => {
      seen.clear();
      const add = (token: string, field: number) => {
        let id = ids.get(token);
        if (id === undefined) {
          id = this.vocab.length;
          ids.set(token, id);
          this.vocab.push(token);
          this.postings.push([]);
        }
        const code = d * 4 + field;
        // Fields are added best-first, so the first posting of a token in a doc is its best.
        if (seen.has(id)) return;
        seen.add(id);
        this.postings[id]!.push(code);
      };
      const nameTokens = tokenize(doc.name);
      nameTokens.forEach((t) => add(t, FIELD_NAME));
      // "file-system" is also findable as "filesystem"; the bare name (without scope) too.
      if (nameTokens.length > 1) {
        add(nameTokens.slice(1).join(''), FIELD_NAME);
        add(nameTokens.join(''), FIELD_NAME);
      }
      for (const k of doc.keywords) tokenize(k).forEach((t) => add(t, FIELD_KEYWORD));
      tokenize(doc.description).forEach((t) => add(t, FIELD_DESCRIPTION));
    });
  }

  private ensureMasks(): Uint32Array {
    if (this.masks.length !== this.vocab.length) this.masks = Uint32Array.from(this.vocab, letterMask);
    return this.masks;
  }

  /**
   * Runs a few throwaway searches (exact, prefix, typo) so the engine has compiled the hot paths
   * before the first real keystroke, then forgets their cached candidates.
   */
  warmUp(): void {
    for (const q of ['mcp', 'servr', 'databse files']) this.search(q);
    this.candidateCache.clear();
  }

  get vocabularySize(): number {
    return this.vocab.length;
  }

  /** Ranked hits that match every query word (exactly, by prefix, inside, or within a typo). */
  search(query: string): SearchHit[] {
    const words = [...new Set(tokenize(query))];
    if (words.length === 0) return [];
    const total = new Float64Array(this.size);
    const matched = new Uint8Array(this.size);
    const best = new Float64Array(this.size);
    for (const [w, word] of words.entries()) {
      best.fill(0);
      for (const [tokenId, quality] of this.candidates(word)) {
        for (const code of this.postings[tokenId]!) {
          const doc = code >> 2;
          const s = quality * FIELD_WEIGHT[code & 3]!;
          if (s > best[doc]!) best[doc] = s;
        }
      }
      for (let d = 0; d < this.size; d++) {
        if (best[d]! > 0 && matched[d] === w) {
          matched[d] = w + 1;
          total[d]! += best[d]!;
        }
      }
    }
    const hits: SearchHit[] = [];
    for (let d = 0; d < this.size; d++) if (matched[d] === words.length) hits.push({ id: d, score: total[d]! });
    hits.sort((a, b) => b.score - a.score || a.id - b.id);
    return hits;
  }

  /** Vocabulary tokens that match one query word, with a quality in (0, 1]. */
  private candidates(word: string): Array<[number, number]> {
    const cached = this.candidateCache.get(word);
    if (cached) return cached;
    const maxTypos = word.length >= 8 ? 2 : word.length >= 4 ? 1 : 0;
    const masks = this.ensureMasks();
    const wordMask = letterMask(word);
    const out: Array<[number, number]> = [];
    for (let id = 0; id < this.vocab.length; id++) {
      const token = this.vocab[id]!;
      let quality = 0;
      if (token === word) quality = 1;
      else if (token.startsWith(word)) quality = 0.8;
      else if (word.length >= 3 && token.includes(word)) quality = 0.5;
      else if (maxTypos > 0 && token.length >= word.length - maxTypos && popcount(wordMask & ~masks[id]!) <= maxTypos) {
        const { whole, prefix } = typoDistance(word, token, maxTypos);
        if (whole <= maxTypos) quality = 0.6 - 0.15 * whole;
        else if (prefix <= maxTypos) quality = 0.4 - 0.1 * prefix;
      }
      if (quality > 0) out.push([id, quality]);
    }
    if (this.candidateCache.size > 200) this.candidateCache.clear();
    this.candidateCache.set(word, out);
    return out;
  }
}

/**
 * Which letters (folded into 32 bits) a string contains. Each edit removes at most one of the
 * word's letters from what the token must contain, so a token missing more than `max` of them
 * cannot be within `max` edits: most of the vocabulary is skipped without the table.
 */
function letterMask(text: string): number {
  let mask = 0;
  for (let i = 0; i < text.length; i++) mask |= 1 << (text.charCodeAt(i) & 31);
  return mask >>> 0;
}

function popcount(n: number): number {
  n = n - ((n >>> 1) & 0x55555555);
  n = (n & 0x33333333) + ((n >>> 2) & 0x33333333);
  return (((n + (n >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

// Reused rows: tokens are at most 40 characters, so 64 columns always suffice.
const rowA = new Int32Array(64);
const rowB = new Int32Array(64);
const rowC = new Int32Array(64);

/**
 * Optimal-string-alignment distance (edits and adjacent swaps) between `word` and `token`, and
 * between `word` and the closest prefix of `token` (for words still being typed). Both are capped
 * at `max + 1`; the table never grows past `word.length + max` columns.
 */
export function typoDistance(word: string, token: string, max: number): { whole: number; prefix: number } {
  const m = word.length;
  const n = Math.min(token.length, m + max);
  const cap = max + 1;
  let prev2 = rowA;
  let prev = rowB;
  let cur = rowC;
  for (let j = 0; j <= n; j++) prev[j] = j;
  for (let i = 1; i <= m; i++) {
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= n; j++) {
      const cost = word[i - 1] === token[j - 1] ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && word[i - 1] === token[j - 2] && word[i - 2] === token[j - 1]) v = Math.min(v, prev2[j - 2]! + 1);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return { whole: cap, prefix: cap };
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  let prefix = cap;
  for (let j = 0; j <= n; j++) prefix = Math.min(prefix, prev[j]!);
  const whole = token.length === n ? Math.min(cap, prev[n]!) : cap;
  return { whole, prefix: Math.min(cap, prefix) };
}
