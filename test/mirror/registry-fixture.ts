import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import { buildIndex } from '../../src/registry/build.js';
import { initIndex } from '../../src/registry/init.js';
import { readIndexSigningKey } from '../../src/registry/keys.js';
import { writeSourceEntry } from '../../src/registry/source.js';
import type { SourceEntry, VersionEntry } from '../../src/registry/format.js';
import { sha256 } from '../../src/util/hash.js';
import { repoRoot } from '../helpers/cli.js';

/**
 * A real registry made at test time: `mpak index init` into `src/`, package entries whose
 * artifacts are random bytes stored in the registry's `blobs/` (the mirror never opens them),
 * committed with git, built into `dist/` with the registry's own key.
 */
export interface RegistryFixture {
  src: string;
  dist: string;
  keyFile: string;
  publicKey: string;
  blobs: Map<string, Buffer>;
  addVersion(name: string, version: string, size?: number): Promise<string>;
  build(): Promise<void>;
}

function versionEntry(version: string, blob: Buffer, publishedAt: string): VersionEntry {
  const hex = sha256(blob);
  return {
    version,
    publishedAt,
    artifacts: [{ url: `blobs/sha256/${hex}`, sha256: hex, size: blob.length }],
    manifest: { description: `Fixture ${version}`, serverType: 'node', tools: [], prompts: [], userConfig: [], keywords: [] },
    scan: {
      level: 1,
      score: 20,
      display: 'L1 20',
      degraded: false,
      controls: {},
      counts: { critical: 0, high: 0, medium: 0, low: 0, info: 0 },
      scannerVersion: 'fixture',
    },
    signature: { status: 'unsigned' },
    provenance: {},
    status: 'active',
  };
}

export async function makeRegistry(root: string): Promise<RegistryFixture> {
  const src = join(root, 'src');
  const dist = join(root, 'dist');
  const keysDir = join(root, 'keys');
  const init = await initIndex({
    dir: src,
    templateDir: join(repoRoot, 'index-template'),
    name: 'fixture',
    baseUrl: 'https://registry.example/',
    minLevel: 0,
    keysDir,
    git: true,
  });
  const keyFile = init.key.path!;
  const entries = new Map<string, SourceEntry>();
  const blobs = new Map<string, Buffer>();
  const git = simpleGit(src);
  await git.addConfig('user.email', 'fixture@registry.example').addConfig('user.name', 'fixture');
  return {
    src,
    dist,
    keyFile,
    publicKey: init.config.keys[0]!.publicKey,
    blobs,
    async addVersion(name, version, size = 4096) {
      const blob = randomBytes(size);
      const hex = sha256(blob);
      blobs.set(hex, blob);
      await mkdir(join(src, 'blobs', 'sha256'), { recursive: true });
      await writeFile(join(src, 'blobs', 'sha256', hex), blob);
      const entry = entries.get(name) ?? { kind: 'bundle' as const, name, claim: { maintainers: [] }, versions: [] };
      entry.versions = [versionEntry(version, blob, '2026-11-01T00:00:00Z'), ...entry.versions];
      entries.set(name, entry);
      await writeSourceEntry(src, entry);
      return hex;
    },
    async build() {
      await git.add('.');
      await git.commit('fixture update', { '--allow-empty': null });
      await buildIndex({ dir: src, outDir: dist, key: await readIndexSigningKey(keyFile) });
    },
  };
}
