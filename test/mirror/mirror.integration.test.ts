import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { cp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mirrorRegistry } from '../../src/mirror/index.js';
import { verifyIndex } from '../../src/registry/verify.js';
import { startStaticServer, type StaticServer } from '../../src/registry/serve.js';
import { binPath, tempDir } from '../helpers/cli.js';
import { makeRegistry } from './registry-fixture.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setup() {
  const t = await tempDir('mpak-mirror-');
  cleanups.push(t.cleanup);
  const registry = await makeRegistry(t.dir);
  await registry.addVersion('@acme/weather', '1.0.0');
  await registry.addVersion('@acme/weather', '1.1.0');
  await registry.addVersion('@other/notes', '0.3.0');
  await registry.build();
  const server: StaticServer = await startStaticServer({ root: registry.dist });
  cleanups.push(() => server.close());
  return { root: t.dir, registry, server, now: new Date('2026-11-29T00:00:00Z') };
}

/** A fetch that counts requests, to prove the no-change re-run reads only the timestamp. */
function countingFetch() {
  const urls: string[] = [];
  const f: typeof fetch = (input, init) => {
    urls.push(String(input instanceof Request ? input.url : input));
    return fetch(input, init);
  };
  return { f, urls };
}

describe('mpak mirror', () => {
  it('mirrors a registry over HTTP, verifies, and the mirror is a valid registry', async () => {
    const s = await setup();
    const dest = join(s.root, 'mirror');
    const r = await mirrorRegistry({ source: s.server.url, dest, now: s.now });
    expect(r.unchanged).toBe(false);
    expect(r.keysFrom).toBe('source');
    expect(r.blobs.copied).toBe(3);
    expect(r.blobs.failed).toEqual([]);
    expect(r.packages.mirrored).toBe(2);
    const v = await verifyIndex({ source: dest, now: s.now });
    expect(v.problems).toEqual([]);
    expect(v.ok).toBe(true);
    expect(v.notMirrored).toEqual([]);
    // metadata copied byte for byte
    expect(await readFile(join(dest, 'timestamp.json'))).toEqual(await readFile(join(s.registry.dist, 'timestamp.json')));
  });

  it('mirrors from a git source (a bare repository of the published files) with the shared reader', async () => {
    const s = await setup();
    const { simpleGit } = await import('simple-git');
    const work = join(s.root, 'git-work');
    await cp(s.registry.dist, work, { recursive: true });
    const git = simpleGit({ baseDir: work, config: ['user.name=t', 'user.email=t@localhost'] });
    await git.init();
    await git.add(['-A']);
    await git.commit('published');
    const bare = join(s.root, 'published.git');
    await simpleGit().clone(work, bare, ['--bare']);
    const dest = join(s.root, 'mirror-from-git');
    const r = await mirrorRegistry({ source: `file://${bare}`, dest, now: s.now });
    expect(r.blobs.copied).toBe(3);
    expect(r.blobs.failed).toEqual([]);
    expect(r.packages.mirrored).toBe(2);
    const v = await verifyIndex({ source: dest, now: s.now });
    expect(v.problems).toEqual([]);
    expect(v.notMirrored).toEqual([]);
    // verify reads a git source too
    expect((await verifyIndex({ source: `file://${bare}`, now: s.now })).ok).toBe(true);
  });

  it('re-runs with one timestamp request and copies only what is new', async () => {
    const s = await setup();
    const dest = join(s.root, 'mirror');
    await mirrorRegistry({ source: s.server.url, dest, now: s.now });
    const c = countingFetch();
    const again = await mirrorRegistry({ source: s.server.url, dest, now: s.now, fetch: c.f });
    expect(again.unchanged).toBe(true);
    expect(c.urls.map((u) => new URL(u).pathname)).toEqual(['/timestamp.json']);

    const added = await s.registry.addVersion('@acme/weather', '1.2.0');
    await s.registry.build();
    const third = await mirrorRegistry({ source: s.server.url, dest, now: s.now });
    expect(third.unchanged).toBe(false);
    expect(third.blobs.copied).toBe(1);
    expect(third.blobs.skipped).toBe(3);
    expect((await stat(join(dest, 'blobs/sha256', added))).size).toBe(4096);
    expect((await verifyIndex({ source: dest, now: s.now })).ok).toBe(true);
  });

  it('refuses a tampered blob upstream, names it, and leaves the old mirror intact', async () => {
    const s = await setup();
    const dest = join(s.root, 'mirror');
    await mirrorRegistry({ source: s.server.url, dest, now: s.now });
    const before = await readFile(join(dest, 'timestamp.json'));
    const hex = await s.registry.addVersion('@acme/weather', '2.0.0');
    await s.registry.build();
    await writeFile(join(s.registry.dist, 'blobs/sha256', hex), Buffer.alloc(4096, 1));
    await expect(mirrorRegistry({ source: s.server.url, dest, now: s.now })).rejects.toMatchObject({
      code: 'MIRROR_BLOB_TAMPERED',
      exitCode: 1,
      message: expect.stringContaining('@acme/weather@2.0.0'),
    });
    expect(await readFile(join(dest, 'timestamp.json'))).toEqual(before);
    await expect(stat(join(dest, 'blobs/sha256', hex))).rejects.toThrow();
    expect((await verifyIndex({ source: dest, now: s.now })).ok).toBe(true);
  });

  it('makes a partial mirror whose missing bundles are "not mirrored", not tampered', async () => {
    const s = await setup();
    const dest = join(s.root, 'mirror');
    const r = await mirrorRegistry({ source: s.registry.dist, dest, now: s.now, filter: ['@acme'], latestOnly: true });
    expect(r.packages).toEqual({ mirrored: 1, filteredOut: 1 });
    expect(r.blobs.copied).toBe(1);
    const v = await verifyIndex({ source: dest, now: s.now });
    expect(v.problems).toEqual([]);
    expect(v.ok).toBe(true);
    expect(v.notMirrored.length).toBe(2);
  });

  it('round-trips through a tar archive with the same verification', async () => {
    const s = await setup();
    const dest = join(s.root, 'mirror');
    const tar = join(s.root, 'mirror.tar');
    const r = await mirrorRegistry({ source: s.server.url, dest, now: s.now, archive: tar });
    expect(r.archive?.files).toBeGreaterThan(5);
    const inside = join(s.root, 'airgap');
    const back = await mirrorRegistry({ source: tar, dest: inside, now: s.now });
    expect(back.blobs.copied).toBe(3);
    expect((await verifyIndex({ source: inside, now: s.now })).ok).toBe(true);
    expect((await readdir(inside)).some((n) => n.startsWith('.mirror'))).toBe(false);
  });

  it('refuses a rollback and an expired index', async () => {
    const s = await setup();
    const dest = join(s.root, 'mirror');
    await mirrorRegistry({ source: s.server.url, dest, now: s.now });
    await expect(mirrorRegistry({ source: s.server.url, dest: join(s.root, 'm2'), now: new Date('2030-01-01T00:00:00Z') })).rejects.toMatchObject({
      code: 'MIRROR_EXPIRED',
    });
    const ok = await mirrorRegistry({ source: s.server.url, dest: join(s.root, 'm3'), now: new Date('2030-01-01T00:00:00Z'), allowExpired: true });
    expect(ok.version).toBeGreaterThan(0);
    // an older copy of the registry offered to a newer mirror
    const old = join(s.root, 'old-dist');
    await (await import('node:fs/promises')).cp(s.registry.dist, old, { recursive: true });
    await s.registry.addVersion('@acme/weather', '3.0.0');
    await s.registry.build();
    await mirrorRegistry({ source: s.server.url, dest, now: s.now });
    await expect(mirrorRegistry({ source: old, dest, now: s.now })).rejects.toMatchObject({ code: 'MIRROR_ROLLBACK' });
  });

  it('leaves the previous mirror usable when killed midway (several trials)', async () => {
    const s = await setup();
    const dest = join(s.root, 'mirror');
    await mirrorRegistry({ source: s.registry.dist, dest, now: s.now });
    for (let i = 0; i < 6; i++) await s.registry.addVersion(`@bulk/pkg${i}`, '1.0.0', 2 * 1024 * 1024);
    await s.registry.build();
    let killed = 0;
    for (const delayMs of [400, 600, 800, 1000]) {
      const child = spawn(process.execPath, [binPath, 'mirror', s.registry.dist, dest], { stdio: 'ignore', env: { ...process.env, CI: 'true' } });
      await new Promise((r) => setTimeout(r, delayMs));
      child.kill('SIGKILL');
      const [code, signal] = await new Promise<[number | null, string | null]>((r) => child.on('close', (c, sig) => r([c, sig])));
      // a run that finished before the kill must have succeeded; otherwise it was really killed
      if (signal === 'SIGKILL') killed++;
      else expect(code).toBe(0);
      const v = await verifyIndex({ source: dest, now: s.now });
      expect(v.problems, `after kill at ${delayMs} ms`).toEqual([]);
    }
    expect(killed).toBeGreaterThan(0);
    const done = await mirrorRegistry({ source: s.registry.dist, dest, now: s.now });
    expect(done.blobs.failed).toEqual([]);
    expect((await verifyIndex({ source: dest, now: s.now })).ok).toBe(true);
  });
});
