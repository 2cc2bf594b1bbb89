import { describe, expect, it } from 'vitest';
import { editDistance, formatSearchTable, rankRecord, type SearchRecord } from '../../src/client/search.js';

const rec = (name: string, over: Partial<SearchRecord> = {}): SearchRecord => ({
  name, kind: 'bundle', version: '1.0.0', description: '', keywords: [], level: 2, score: 70, display: 'L2 70', serverType: 'node', platforms: [], publishedAt: '2026-01-01T00:00:00Z', status: 'active', ...over,
});

describe('search ranking', () => {
  it('ranks exact name > prefix > substring > keyword > description > typo', () => {
    const q = 'files';
    const ranks = [
      rankRecord(rec('@a/files'), q),
      rankRecord(rec('@a/files-pro'), q),
      rankRecord(rec('@a/myfiles'), q),
      rankRecord(rec('@a/fs', { keywords: ['files'] }), q),
      rankRecord(rec('@a/disk', { description: 'Browse files on disk' }), q),
      rankRecord(rec('@a/filez'), q),
    ].map((r) => r!.rank);
    expect([...ranks].sort((a, b) => b - a)).toEqual(ranks);
    expect(rankRecord(rec('@a/filez'), q)!.match).toBe('fuzzy');
    expect(rankRecord(rec('@a/unrelated'), q)).toBeUndefined();
  });

  it('computes edit distance with an early exit', () => {
    expect(editDistance('weather', 'waether')).toBe(2);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('abc', 'xyzxyz', 1)).toBe(2);
  });

  it('renders the table with a REGISTRY column only when several registries answered', () => {
    const one = formatSearchTable([{ ...rec('@a/x'), registry: 'r1', match: 'exact', rank: 1 }]);
    expect(one.split('\n')[0]).toMatch(/^NAME\s+VERSION\s+TRUST\s+DESCRIPTION$/);
    const two = formatSearchTable([
      { ...rec('@a/x'), registry: 'r1', match: 'exact', rank: 1 },
      { ...rec('@a/x'), registry: 'r2', match: 'exact', rank: 1 },
    ]);
    expect(two.split('\n')[0]).toMatch(/REGISTRY/);
  });
});

describe('search fast path argument parsing', async () => {
  const { parseFastSearchArgs } = await import('../../src/client/search-cli.js');
  it('accepts exactly the declared flags and defers everything else to oclif', () => {
    expect(parseFastSearchArgs(['search', 'weather', '--json', '--type=node', '--min-level', 'L2', '--limit', '5'])).toEqual({ kind: undefined, query: 'weather', json: true, type: 'node', minLevel: 'L2', limit: 5 });
    expect(parseFastSearchArgs(['bundle', 'search'])).toEqual({ kind: 'bundle', query: '', json: false, limit: 50 });
    for (const argv of [['search', '--help'], ['search', '-h'], ['search', 'a', 'b'], ['search', '--type', 'bogus'], ['search', '--limit', '0'], ['search', '--debug'], ['bundle', 'show', 'x']]) {
      expect(parseFastSearchArgs(argv)).toBeUndefined();
    }
  });
});

describe('typo tolerance prefers names over keywords', () => {
  it('ranks a misspelt name above a misspelt keyword', () => {
    const name = rankRecord(rec('@a/weather-1'), 'wether')!;
    const keyword = rankRecord(rec('@a/docs-2', { keywords: ['weather'] }), 'wether')!;
    expect(name.match).toBe('fuzzy');
    expect(keyword.match).toBe('fuzzy');
    expect(name.rank).toBeGreaterThan(keyword.rank);
  });
});
