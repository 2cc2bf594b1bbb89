import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { buildIndex } from '../../src/registry/build.js';
import { readIndexSigningKey, type IndexSigningKey } from '../../src/registry/keys.js';
import { writeSourceEntry } from '../../src/registry/source.js';
import { DocumentIndex, SnapshotFile, TimestampFile, documentRef, summaryRecords, SummaryShard } from '../../src/registry/format.js';
import { verifyIndex } from '../../src/registry/verify.js';
import { createRegistry, sourceEntry } from './fixtures.js';

async function treeBytes(root: string, prefix = ''): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const e of await readdir(join(root, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) for (const [k, v] of await treeBytes(root, rel)) out.set(k, v);
    else out.set(rel, await readFile(join(root, rel)));
  }
  return out;
}

describe('index build', () => {
  let tmp: { dir: string; cleanup: () => Promise<void> };
  let reg: string;
  let key: IndexSigningKey;
  const now = new Date('2026-02-01T00:00:00Z');

  beforeEach(async () => {
    tmp = await tempDir();
    reg = join(tmp.dir, 'reg');
    const init = await createRegistry(reg, join(tmp.dir, 'home'));
    key = await readIndexSigningKey(init.key.path!);
    await writeSourceEntry(reg, sourceEntry('@acme/weather', ['1.0.0', '1.10.0', '1.2.0']));
    await writeSourceEntry(reg, sourceEntry('@acme/notes', ['0.1.0']));
    await writeSourceEntry(reg, sourceEntry('@acme/writing-guide', ['1.0.0'], 'skill'));
    const git = simpleGit({ baseDir: reg, config: ['user.name=t', 'user.email=t@example.com'] });
    await git.add(['packages', 'skills']);
    await git.commit('add packages');
  });
  afterEach(() => tmp.cleanup());

  it('is byte-identical for the same source commit and verifies', async () => {
    const a = join(tmp.dir, 'a');
    const b = join(tmp.dir, 'b');
    const first = await buildIndex({ dir: reg, outDir: a, key });
    await buildIndex({ dir: reg, outDir: b, key });
    expect(first.dirty).toBe(false);
    expect(first.version).toBe(2);
    expect(first.packages).toEqual({ bundle: 2, skill: 1 });
    const ta = await treeBytes(a);
    const tb = await treeBytes(b);
    expect([...ta.keys()].sort()).toEqual([...tb.keys()].sort());
    for (const [path, bytes] of ta) expect(bytes.equals(tb.get(path)!), path).toBe(true);

    const timestamp = TimestampFile.parse(JSON.parse(ta.get('timestamp.json')!.toString()));
    const commitTime = (await simpleGit(reg).raw(['log', '-1', '--format=%ct'])).trim();
    expect(Date.parse(timestamp.signed.expires)).toBe((Number(commitTime) + 90 * 86400) * 1000);
    const snapshot = SnapshotFile.parse(JSON.parse(ta.get(timestamp.signed.snapshot.path)!.toString()));
    expect(snapshot.signed.documents.path).toMatch(/^documents\/[a-f0-9]{64}\.json$/);
    expect(Object.keys(snapshot.signed.files).some((p) => p.startsWith('packages/'))).toBe(false);
    const documentIndex = DocumentIndex.parse(JSON.parse(ta.get(snapshot.signed.documents.path)!.toString()));
    expect(Object.keys(documentIndex.bundle)).toEqual(['@acme/notes', '@acme/weather']);
    expect(Object.keys(documentIndex.skill)).toEqual(['@acme/writing-guide']);
    const shard = SummaryShard.parse(JSON.parse(ta.get(snapshot.signed.summary[0]!.path)!.toString()));
    expect(summaryRecords(shard).map((r) => [r.name, r.kind, r.version])).toEqual([
      ['@acme/notes', 'bundle', '0.1.0'],
      ['@acme/weather', 'bundle', '1.10.0'],
      ['@acme/writing-guide', 'skill', '1.0.0'],
    ]);
    const doc = JSON.parse(ta.get(documentRef(documentIndex, 'bundle', '@acme/weather')!.path)!.toString());
    expect(doc.versions.map((v: { version: string }) => v.version)).toEqual(['1.10.0', '1.2.0', '1.0.0']);
    expect(ta.has('v0.1/servers/dev.mpak.acme%2Fweather/versions/latest')).toBe(true);
    expect(ta.has('index.html') || !(await readdir(reg)).includes('index.html')).toBe(true);

    const verified = await verifyIndex({ source: a, now });
    expect(verified.problems).toEqual([]);
    expect(verified.ok).toBe(true);
    expect(verified.checked.files).toBeGreaterThan(10);
    expect(verified.notMirrored).toHaveLength(4);
  });

  it('names every tampered, missing or expired file', async () => {
    const out = join(tmp.dir, 'dist');
    await buildIndex({ dir: reg, outDir: out, key });
    const files = [...(await treeBytes(out)).keys()].filter((p) => p !== 'timestamp.json').sort();
    for (const path of files) {
      const full = join(out, path);
      const original = await readFile(full);
      await writeFile(full, Buffer.concat([original.subarray(0, Math.max(0, original.length - 2)), Buffer.from('x\n')]));
      const result = await verifyIndex({ source: out, now });
      expect(result.ok, path).toBe(false);
      expect(result.problems.map((p) => p.path), path).toContain(path);
      await writeFile(full, original);
    }
    // The document index in particular: a changed index is named, and so is a document it no longer matches.
    const ts = TimestampFile.parse(JSON.parse(await readFile(join(out, 'timestamp.json'), 'utf8')));
    const snap = SnapshotFile.parse(JSON.parse(await readFile(join(out, ts.signed.snapshot.path), 'utf8')));
    const indexFile = join(out, snap.signed.documents.path);
    const genuine = await readFile(indexFile, 'utf8');
    const notes = DocumentIndex.parse(JSON.parse(genuine)).bundle['@acme/notes']!.sha256;
    await writeFile(indexFile, genuine.replace(notes, notes.slice(1) + notes[0]));
    const tamperedIndex = await verifyIndex({ source: out, now });
    expect(tamperedIndex.problems).toContainEqual(expect.objectContaining({ path: snap.signed.documents.path, kind: 'hash-mismatch' }));
    await writeFile(indexFile, genuine);
    expect((await verifyIndex({ source: out, now })).ok).toBe(true);

    const raw = JSON.parse(await readFile(join(out, 'timestamp.json'), 'utf8'));
    raw.signed.version += 1;
    await writeFile(join(out, 'timestamp.json'), JSON.stringify(raw));
    const forged = await verifyIndex({ source: out, now });
    expect(forged.problems).toContainEqual(expect.objectContaining({ path: 'timestamp.json', kind: 'signature' }));

    await rm(join(out, 'catalog.json'));
    const late = await verifyIndex({ source: out, now: new Date('2030-01-01T00:00:00Z') });
    expect(late.problems.map((p) => p.kind)).toEqual(expect.arrayContaining(['expired', 'missing', 'signature']));
    const allowed = await verifyIndex({ source: out, now: new Date('2030-01-01T00:00:00Z'), allowExpired: true });
    expect(allowed.problems.map((p) => p.kind)).not.toContain('expired');
  });

  it('tells a partial mirror (blob not mirrored) from tampering (blob with wrong bytes), and enforces caps and rollback', async () => {
    const blob = Buffer.from('pretend this is a bundle');
    const { sha256 } = await import('../../src/util/hash.js');
    const hex = sha256(blob);
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(reg, 'blobs', 'sha256'), { recursive: true });
    await writeFile(join(reg, 'blobs', 'sha256', hex), blob);
    const local = sourceEntry('@acme/local', ['1.0.0']);
    local.versions[0]!.artifacts = [{ url: `blobs/sha256/${hex}`, sha256: hex, size: blob.length }];
    await writeSourceEntry(reg, local);
    await simpleGit({ baseDir: reg, config: ['user.name=t', 'user.email=t@example.com'] }).add(['packages', 'blobs']).commit('local');
    const out = join(tmp.dir, 'mirror');
    const built = await buildIndex({ dir: reg, outDir: out, key });
    expect(built.blobs).toBe(1);
    const full = await verifyIndex({ source: out, now });
    expect(full.ok).toBe(true);
    expect(full.checked.blobs).toBe(1);

    await rm(join(out, 'blobs', 'sha256', hex));
    const partial = await verifyIndex({ source: out, now });
    expect(partial.ok).toBe(true);
    expect(partial.notMirrored).toContain(`blobs/sha256/${hex}`);

    await writeFile(join(out, 'blobs', 'sha256', hex), 'evil');
    const tampered = await verifyIndex({ source: out, now });
    expect(tampered.ok).toBe(false);
    expect(tampered.problems).toContainEqual(expect.objectContaining({ kind: 'blob-tampered', path: `blobs/sha256/${hex}` }));
    await writeFile(join(out, 'blobs', 'sha256', hex), blob);

    const rollback = await verifyIndex({ source: out, now, minVersion: built.version + 1 });
    expect(rollback.problems.map((p) => p.kind)).toEqual(['rollback']);

    const keyOnly = await verifyIndex({ source: out, now, keys: ['A'.repeat(43) + '='] });
    expect(keyOnly.problems.map((p) => p.kind)).toEqual(['signature', 'signature']);

    await writeFile(join(out, 'timestamp.json'), ' '.repeat(17 * 1024));
    const huge = await verifyIndex({ source: out, now });
    expect(huge.problems).toEqual([expect.objectContaining({ kind: 'too-large', path: 'timestamp.json' })]);
  });

  it('refuses a shallow clone, whose commit count would look like a rollback', async () => {
    const shallow = join(tmp.dir, 'shallow');
    await simpleGit(tmp.dir).clone(`file://${reg}`, shallow, ['--depth', '1']);
    await expect(buildIndex({ dir: shallow, outDir: join(tmp.dir, 'out'), key })).rejects.toMatchObject({ code: 'INDEX_SHALLOW_CLONE' });
  });
});
