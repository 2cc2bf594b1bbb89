import { describe, expect, it } from 'vitest';
import { SearchIndex, tokenize, typoDistance } from '../../index-template/web-src/search.js';

const docs = [
  { name: '@acme/filesystem', description: 'Secure file access for MCP clients.', keywords: ['files'] },
  { name: '@acme/postgres-query', description: 'Read-only PostgreSQL queries.', keywords: ['database', 'sql'] },
  { name: '@weather/forecast', description: 'Weather forecasts and alerts.', keywords: ['weather'] },
  { name: '@tools/file-search', description: 'Search file contents with ripgrep.', keywords: [] },
];
const names = (index: SearchIndex, q: string) => index.search(q).map((h) => docs[h.id]!.name);

describe('search index', () => {
  const index = new SearchIndex(docs);

  it('tokenizes names, folding case and accents', () => {
    expect(tokenize('@Acme/Café-Tools')).toEqual(['acme', 'cafe', 'tools']);
  });

  it('finds by exact word, prefix and substring, ranking name matches first', () => {
    expect(names(index, 'weather')).toEqual(['@weather/forecast']);
    expect(names(index, 'postg')).toEqual(['@acme/postgres-query']);
    expect(names(index, 'file')[0]).toBe('@tools/file-search');
    expect(names(index, 'file')).toContain('@acme/filesystem');
    expect(names(index, 'sql')).toEqual(['@acme/postgres-query']);
  });

  it('tolerates typos (edits and swapped letters) and half-typed words', () => {
    expect(names(index, 'wether')).toEqual(['@weather/forecast']);
    expect(names(index, 'forcast')).toEqual(['@weather/forecast']);
    expect(names(index, 'filesytem')).toEqual(['@acme/filesystem']);
    expect(names(index, 'databsae')).toEqual(['@acme/postgres-query']);
    expect(names(index, 'postgers')).toEqual(['@acme/postgres-query']);
    expect(names(index, 'qeather')).toEqual(['@weather/forecast']);
  });

  it('requires every word to match and finds joined names', () => {
    expect(names(index, 'file search')).toEqual(['@tools/file-search']);
    expect(names(index, 'filesearch')).toEqual(['@tools/file-search']);
    expect(names(index, 'weather sql')).toEqual([]);
    expect(names(index, 'zzzzzz')).toEqual([]);
    expect(index.search('  ')).toEqual([]);
  });

  it('computes bounded optimal-string-alignment distances', () => {
    expect(typoDistance('forcast', 'forecast', 1)).toEqual({ whole: 1, prefix: 1 });
    expect(typoDistance('waether', 'weather', 1).whole).toBe(1);
    expect(typoDistance('wehater', 'weather', 1).whole).toBe(2);
    expect(typoDistance('kitten', 'sitting', 1).whole).toBe(2);
    expect(typoDistance('filesy', 'filesystem', 1).prefix).toBe(0);
  });
});

describe('synthetic corpus', () => {
  it('generates the requested number of distinct, valid packages deterministically', async () => {
    const { syntheticPackages } = await import('./fixture.js');
    const { SourceEntry } = await import('../../src/registry/format.js');
    const a = syntheticPackages(10_000);
    expect(new Set(a.map((p) => p.name)).size).toBe(10_000);
    expect(syntheticPackages(50)).toEqual(a.slice(0, 50));
    for (const entry of a.slice(0, 200)) SourceEntry.parse(entry);
  });
});

describe('warm-up', () => {
  it('leaves results unchanged', () => {
    const docs = [
      { name: '@a/server', description: 'files and databases', keywords: [] },
      { name: '@b/other', description: 'weather', keywords: ['mcp'] },
    ];
    const index = new SearchIndex(docs);
    const before = index.search('servr');
    index.warmUp();
    expect(index.search('servr')).toEqual(before);
    expect(before.map((h) => h.id)).toEqual([0]);
  });
});
