import { describe, expect, it } from 'vitest';
import {
  latestVersion,
  packageDocumentPath,
  packageSourcePath,
  parsePackageRef,
  serverNameOf,
  sortVersionsDescending,
  summaryRecords,
  summaryShard,
  v01VersionPath,
  type SummaryRecord,
} from '../../src/registry/format.js';

describe('parsePackageRef', () => {
  it('splits name and range at the last @', () => {
    expect(parsePackageRef('@acme/weather')).toEqual({ name: '@acme/weather', scope: 'acme', bare: 'weather', exact: false });
    expect(parsePackageRef('@acme/weather@1.2.3')).toMatchObject({ name: '@acme/weather', range: '1.2.3', exact: true });
    expect(parsePackageRef('@acme/weather@v1.2.3')).toMatchObject({ range: '1.2.3', exact: true });
    expect(parsePackageRef('@acme/weather@^1.2')).toMatchObject({ range: '^1.2', exact: false });
    expect(parsePackageRef('@acme/weather@latest')).not.toHaveProperty('range');
  });
  it('rejects unscoped and malformed specs with the seed message', () => {
    for (const bad of ['weather', 'weather@1.0.0', '@acme', '@acme/weather@', '@acme/weather@not a range']) {
      expect(() => parsePackageRef(bad)).toThrow(`Invalid package spec: "${bad}". Expected scoped format: @scope/name`);
    }
  });
});

describe('paths', () => {
  it('keeps scope and name as separate segments', () => {
    expect(packageSourcePath('@a-b/c')).toBe('packages/@a-b/c.json');
    expect(packageSourcePath('@a/b-c', 'skill')).toBe('skills/@a/b-c.json');
    expect(packageDocumentPath('@a/b', 'bundle', 'f'.repeat(64))).toBe(`packages/@a/b/${'f'.repeat(64)}.json`);
    expect(serverNameOf('@acme/weather')).toBe('dev.mpak.acme/weather');
    expect(v01VersionPath('dev.mpak.acme/weather', '1.0.0+build')).toBe('v0.1/servers/dev.mpak.acme%2Fweather/versions/1.0.0%2Bbuild');
  });
});

describe('versions', () => {
  it('sorts semver-descending and picks the latest active release', () => {
    const v = (version: string, status: 'active' | 'yanked' | 'deprecated' = 'active') => ({ version, status });
    expect(sortVersionsDescending([v('1.2.0'), v('1.10.0'), v('1.9.9')]).map((x) => x.version)).toEqual(['1.10.0', '1.9.9', '1.2.0']);
    expect(latestVersion([v('2.0.0', 'yanked'), v('2.1.0-beta.1'), v('1.5.0')])?.version).toBe('1.5.0');
    expect(latestVersion([v('1.0.0', 'deprecated')])?.version).toBe('1.0.0');
    expect(latestVersion([v('1.0.0', 'yanked')])).toBeUndefined();
  });
});

describe('summary shards', () => {
  it('round-trips records through the column table', () => {
    const record: SummaryRecord = {
      name: '@acme/weather', kind: 'bundle', version: '1.0.0', description: 'Forecasts', keywords: ['weather'],
      level: 2, score: 60, display: 'L2 60', serverType: 'node', platforms: [], publishedAt: '2026-01-01T00:00:00Z', status: 'active',
    };
    const shard = summaryShard('', [record]);
    expect(shard.rows[0]![0]).toBe('@acme/weather');
    expect(summaryRecords(shard)).toEqual([record]);
  });
});

describe('artifact URLs', () => {
  it('accept https, loopback http and own blobs only', async () => {
    const { isArtifactUrl } = await import('../../src/registry/format.js');
    expect(isArtifactUrl('https://github.com/a/b/releases/download/v1/x.mcpb')).toBe(true);
    expect(isArtifactUrl('http://127.0.0.1:8080/x.mcpb')).toBe(true);
    expect(isArtifactUrl(`blobs/sha256/${'a'.repeat(64)}`)).toBe(true);
    for (const bad of ['http://attacker.example/x.mcpb', 'file:///etc/passwd', 'javascript:alert(1)', '../blobs/x', `blobs/sha256/${'a'.repeat(63)}`]) {
      expect(isArtifactUrl(bad), bad).toBe(false);
    }
  });
});

describe('summary sharding', () => {
  it('keeps shards under the limit, disjoint, in order, and packs small pieces together', async () => {
    const { shardRecords } = await import('../../src/registry/build.js');
    const records: SummaryRecord[] = [];
    for (let i = 0; i < 600; i++) {
      records.push({
        name: `@${['alpha', 'beta', 'gamma'][i % 3]}${i % 7}/pkg-${String(i).padStart(4, '0')}`,
        kind: 'bundle', version: '1.0.0', description: 'x'.repeat(60), keywords: [], level: 1, score: 20, display: 'L1 20',
        serverType: 'node', platforms: [], publishedAt: '2026-01-01T00:00:00Z', status: 'active',
      });
    }
    records.sort((a, b) => (a.name < b.name ? -1 : 1));
    const limit = 30_000;
    const shards = shardRecords(records, limit);
    expect(shards.length).toBeGreaterThan(2);
    expect(shards.length).toBeLessThan(12);
    expect(shards.flatMap((s) => s.records.map((r) => r.name))).toEqual(records.map((r) => r.name));
    for (const s of shards) {
      expect(Buffer.byteLength(`${JSON.stringify(summaryShard(s.prefix, s.records))}\n`)).toBeLessThanOrEqual(limit);
      for (const r of s.records) expect(r.name.slice(1).startsWith(s.prefix)).toBe(true);
    }
    expect(shardRecords(records, 10_000_000)).toEqual([{ prefix: '', records }]);
  });
});
