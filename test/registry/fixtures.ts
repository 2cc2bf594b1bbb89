import { join } from 'node:path';
import { repoRoot } from '../helpers/cli.js';
import type { SourceEntry, VersionEntry } from '../../src/registry/format.js';
import { initIndex, type InitIndexResult } from '../../src/registry/init.js';

export const templateDir = join(repoRoot, 'index-template');

/** A valid version entry with plausible values; override what a test cares about. */
export function versionEntry(version: string, overrides: Partial<VersionEntry> = {}): VersionEntry {
  const hex = (Buffer.from(version).toString('hex') + '0'.repeat(64)).slice(0, 64);
  return {
    version,
    publishedAt: '2026-01-02T03:04:05Z',
    artifacts: [{ url: `https://github.com/acme/weather-mcp/releases/download/v${version}/weather.mcpb`, sha256: hex, size: 1234 }],
    manifest: {
      displayName: 'Weather',
      description: 'Forecasts and current conditions for any city, from a public weather service, with caching and units.',
      serverType: 'node',
      tools: [{ name: 'get_forecast', description: 'Forecast for a city' }],
      prompts: [],
      userConfig: [{ key: 'api_key', type: 'string', title: 'API key', required: true, sensitive: true }],
      keywords: ['weather'],
      license: 'MIT',
      repository: 'https://github.com/acme/weather-mcp',
    },
    scan: {
      level: 2,
      score: 60,
      display: 'L2 60',
      degraded: false,
      controls: { 'AI-01': 'pass', 'CQ-06': 'unverified' },
      counts: { critical: 0, high: 0, medium: 1, low: 0, info: 2 },
      scannerVersion: '0.1.0',
    },
    signature: { status: 'unsigned' },
    provenance: { repository: 'https://github.com/acme/weather-mcp' },
    status: 'active',
    ...overrides,
  };
}

export function sourceEntry(name: string, versions: string[], kind: SourceEntry['kind'] = 'bundle'): SourceEntry {
  return { kind, name, claim: { maintainers: ['acme-dev'], repository: 'https://github.com/acme/weather-mcp' }, versions: versions.map((v) => versionEntry(v)) };
}

/** A fresh registry in `dir` with a new key in `home/keys`. */
export function createRegistry(dir: string, home: string, baseUrl = 'https://acme.github.io/registry/'): Promise<InitIndexResult> {
  return initIndex({ dir, templateDir, name: 'acme', baseUrl, minLevel: 1, keysDir: join(home, 'keys') });
}
