import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { buildIndex, type BuildIndexResult } from '../../src/registry/build.js';
import { readIndexSigningKey } from '../../src/registry/keys.js';
import { Catalog, DocumentIndex, SnapshotFile, documentRef } from '../../src/registry/format.js';
import { stableJson } from '../../src/util/canonical-json.js';
import { createRegistry, sourceEntry } from './fixtures.js';

const N = 10_000;

// One build of 10,000 lean packages (one version each): the snapshot must no longer grow with the
// package count (format 2 moved the per-package document list into the document index).
describe(`index build at ${N} packages`, () => {
  let tmp: { dir: string; cleanup: () => Promise<void> };
  let out: string;
  let built: BuildIndexResult;

  beforeAll(async () => {
    tmp = await tempDir();
    const reg = join(tmp.dir, 'reg');
    const init = await createRegistry(reg, join(tmp.dir, 'home'));
    const template = sourceEntry('@s000/p', ['1.0.0']);
    for (let s = 0; s < 100; s++) {
      const scope = `s${String(s).padStart(3, '0')}`;
      await mkdir(join(reg, 'packages', `@${scope}`), { recursive: true });
      await Promise.all(
        Array.from({ length: N / 100 }, (_, i) => {
          const name = `@${scope}/pkg-${i}`;
          return writeFile(join(reg, 'packages', `@${scope}`, `pkg-${i}.json`), stableJson({ ...template, name }));
        }),
      );
    }
    const git = simpleGit({ baseDir: reg, config: ['user.name=t', 'user.email=t@example.com'] });
    await git.add(['packages']);
    await git.commit('10k packages');
    out = join(tmp.dir, 'dist');
    built = await buildIndex({ dir: reg, outDir: out, key: await readIndexSigningKey(init.key.path!) });
  }, 240_000);
  afterAll(() => tmp.cleanup());

  it('keeps the snapshot far under 1 MiB and lists every document in the document index', async () => {
    expect(built.packages.bundle).toBe(N);
    expect(built.snapshot.length).toBeLessThan(64 * 1024);
    const snapshot = SnapshotFile.parse(JSON.parse(await readFile(join(out, built.snapshot.path), 'utf8')));
    expect(Object.keys(snapshot.signed.files).filter((p) => p.startsWith('packages/'))).toEqual([]);
    const indexBytes = await readFile(join(out, snapshot.signed.documents.path));
    expect(indexBytes.length).toBe(snapshot.signed.documents.length);
    const index = DocumentIndex.parse(JSON.parse(indexBytes.toString('utf8')));
    expect(Object.keys(index.bundle)).toHaveLength(N);
    const ref = documentRef(index, 'bundle', '@s042/pkg-7')!;
    expect(JSON.parse(await readFile(join(out, ref.path), 'utf8')).name).toBe('@s042/pkg-7');
    expect(documentRef(index, 'bundle', '@s042/nope')).toBeUndefined();
  });

  it('writes a compact catalogue: one summary-level entry per package with the latest artifacts', async () => {
    const bytes = (await stat(join(out, 'catalog.json'))).size;
    expect(bytes).toBeLessThan(16 * 1024 * 1024);
    const catalog = Catalog.parse(JSON.parse(await readFile(join(out, 'catalog.json'), 'utf8')));
    expect(catalog.packages).toHaveLength(N);
    const first = catalog.packages[0]!;
    expect(first).toMatchObject({ name: '@s000/pkg-0', latest: '1.0.0', versionCount: 1, display: 'L2 60', signature: 'unsigned' });
    expect(first.artifacts).toHaveLength(1);
    expect(first).not.toHaveProperty('entry');
  });
});
