import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export function minimalManifest(version = '0.3', extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    manifest_version: version,
    name: '@acme/weather',
    version: '1.2.0',
    description: 'Weather for tests',
    author: { name: 'Acme' },
    server: { type: 'node', entry_point: 'server/index.js', mcp_config: { command: 'node', args: ['${__dirname}/server/index.js'] } },
    ...extra,
  };
}

/** Writes `files` (path → content, or [content, mode]) under `root`. */
export function writeTree(root: string, files: Record<string, string | Buffer | [string | Buffer, number]>): void {
  for (const [path, value] of Object.entries(files)) {
    const full = join(root, ...path.split('/'));
    mkdirSync(dirname(full), { recursive: true });
    const [content, mode] = Array.isArray(value) ? value : [value, 0o644];
    writeFileSync(full, content);
    chmodSync(full, mode);
  }
}

/** A small valid node bundle folder. */
export function writeBundleFolder(root: string, manifest: Record<string, unknown> = minimalManifest(), more: Record<string, string | Buffer | [string | Buffer, number]> = {}): void {
  writeTree(root, {
    'manifest.json': `${JSON.stringify(manifest, null, 2)}\n`,
    'server/index.js': "console.log('hello');\n",
    'server/run.sh': ['#!/bin/sh\necho hi\n', 0o755],
    'README.md': '# Weather\n',
    ...more,
  });
}
