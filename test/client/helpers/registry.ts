import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packBundle } from '../../../src/archive/pack.js';
import { buildIndex } from '../../../src/registry/build.js';
import type { SourceEntry, VersionEntry } from '../../../src/registry/format.js';
import { openGit } from '../../../src/registry/git.js';
import { initIndex } from '../../../src/registry/init.js';
import { readIndexSigningKey, type IndexSigningKey } from '../../../src/registry/keys.js';
import { writeSourceEntry } from '../../../src/registry/source.js';
import { repoRoot } from '../../helpers/cli.js';
import { MINI_SERVER_JS, miniManifest } from './mini-server.js';

/**
 * A real registry built at test time: tiny MCP server bundles packed with the archive module,
 * source entries written as `mpak index add` would, committed to git and published with the
 * registry's own `buildIndex` (signed timestamp + snapshot, summary shards, blobs).
 */

export interface FixtureBundle {
  name: string;
  version: string;
  level?: number;
  status?: VersionEntry['status'];
  /** Extra manifest fields. */
  manifest?: Record<string, unknown>;
  /** Extra files inside the bundle (path → content). */
  files?: Record<string, string | Buffer>;
  keywords?: string[];
  description?: string;
  /** What the index claims about the bundle's signature (default unsigned). */
  signature?: VersionEntry['signature'];
  /** Pack this existing bundle folder (an example) instead of generating the mini server. */
  dir?: string;
}

export interface FixtureRegistry {
  sourceDir: string;
  distDir: string;
  key: IndexSigningKey;
  bundles: Record<string, { file: string; sha256: string; size: number }>;
  /** Adds bundles, commits and rebuilds dist (version grows with each commit). */
  publish(bundles: FixtureBundle[]): Promise<void>;
}

export async function packFixtureBundle(root: string, b: FixtureBundle): Promise<{ file: string; sha256: string; size: number }> {
  if (b.dir) {
    const output = join(root, 'packed', `${b.name.replace(/[@/]/g, '_')}-${b.version}.mcpb`);
    await mkdir(join(root, 'packed'), { recursive: true });
    const packed = await packBundle({ dir: b.dir, output, cwd: root, force: true, sourceDateEpoch: 1_700_000_000 });
    return { file: output, sha256: packed.sha256!, size: packed.packedSize! };
  }
  const dir = join(root, 'src', `${b.name.replace(/[@/]/g, '_')}-${b.version}`);
  await mkdir(join(dir, 'server'), { recursive: true });
  await writeFile(join(dir, 'server', 'index.js'), MINI_SERVER_JS);
  const manifest = miniManifest(b.name, b.version, { ...(b.description ? { description: b.description } : {}), ...(b.keywords ? { keywords: b.keywords } : {}), ...b.manifest });
  await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  for (const [p, content] of Object.entries(b.files ?? {})) {
    await mkdir(join(dir, p, '..'), { recursive: true });
    await writeFile(join(dir, p), content);
  }
  const output = join(root, 'packed', `${b.name.replace(/[@/]/g, '_')}-${b.version}.mcpb`);
  await mkdir(join(root, 'packed'), { recursive: true });
  const packed = await packBundle({ dir, output, cwd: root, force: true, sourceDateEpoch: 1_700_000_000 });
  return { file: output, sha256: packed.sha256!, size: packed.packedSize! };
}

function versionEntry(b: FixtureBundle, artifact: { sha256: string; size: number }): VersionEntry {
  const level = b.level ?? 2;
  const manifest = miniManifest(b.name, b.version, b.manifest);
  return {
    version: b.version,
    publishedAt: '2026-01-01T00:00:00Z',
    artifacts: [{ url: `blobs/sha256/${artifact.sha256}`, sha256: artifact.sha256, size: artifact.size }],
    manifest: {
      description: b.description ?? (manifest.description as string),
      serverType: 'node',
      tools: [
        { name: 'echo', description: 'Echo the text back.' },
        { name: 'env', description: 'Read an environment variable.' },
      ],
      prompts: [],
      userConfig: [{ key: 'greeting', type: 'string', title: 'Greeting', required: false, sensitive: false }],
      keywords: b.keywords ?? ['test', 'echo'],
      license: 'MIT',
    },
    scan: {
      level,
      score: 60 + level * 8,
      display: `L${level} ${60 + level * 8}`,
      degraded: false,
      controls: { 'SC-01': 'pass', 'CQ-06': 'unverified' },
      counts: { critical: 0, high: 0, medium: 0, low: 1, info: 0 },
      scannerVersion: 'test',
    },
    signature: b.signature ?? { status: 'unsigned' },
    provenance: {},
    status: b.status ?? 'active',
  };
}

export async function createFixtureRegistry(root: string, initial: FixtureBundle[], options: { expiresDays?: number } = {}): Promise<FixtureRegistry> {
  const sourceDir = join(root, 'registry');
  const distDir = join(root, 'dist');
  const init = await initIndex({ dir: sourceDir, templateDir: join(repoRoot, 'index-template'), name: 'test', title: 'Test registry', baseUrl: 'https://registry.example/', minLevel: 0, keysDir: join(root, 'keys') });
  const key = await readIndexSigningKey(init.key.path!);
  if (options.expiresDays) {
    const { readRegistryConfig, writeRegistryConfig } = await import('../../../src/registry/source.js');
    const config = await readRegistryConfig(sourceDir);
    await writeRegistryConfig(sourceDir, { ...config, expiresDays: options.expiresDays });
  }
  const entries = new Map<string, SourceEntry>();
  const fixture: FixtureRegistry = {
    sourceDir,
    distDir,
    key,
    bundles: {},
    async publish(bundles) {
      for (const b of bundles) {
        const packed = await packFixtureBundle(root, b);
        fixture.bundles[`${b.name}@${b.version}`] = packed;
        await mkdir(join(sourceDir, 'blobs', 'sha256'), { recursive: true });
        await copyFile(packed.file, join(sourceDir, 'blobs', 'sha256', packed.sha256));
        const entry = entries.get(b.name) ?? { kind: 'bundle' as const, name: b.name, claim: { maintainers: ['tests'] }, versions: [] };
        entry.versions = [versionEntry(b, packed), ...entry.versions.filter((v) => v.version !== b.version)];
        entries.set(b.name, entry);
        await writeSourceEntry(sourceDir, entry);
      }
      const git = await openGit(sourceDir);
      await git.add(['-A']);
      await git.commit(`publish ${bundles.map((b) => `${b.name}@${b.version}`).join(' ')}`, { '--allow-empty': null });
      await buildIndex({ dir: sourceDir, outDir: distDir, key });
    },
  };
  await fixture.publish(initial);
  return fixture;
}
