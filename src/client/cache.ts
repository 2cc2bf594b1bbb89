import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { siblingTempPath, writeFileAtomic } from '../util/fs-atomic.js';
import type { MpakPaths } from '../config/paths.js';

/**
 * The content-addressed bundle cache. Blobs (`cache/blobs/sha256/<hex>`) are only ever renamed
 * into place after their hash was checked; extracted bundles (`cache/bundles/<scope>/<name>/<version>/`
 * and `cache/_local/<sha256>/`) are only ever renamed into place whole, with their marker file
 * already inside. A process killed at any moment leaves at worst a temp file or folder that no
 * later run trusts.
 */

export const MARKER = '.mpak-bundle.json';

export interface CacheMarker {
  name: string;
  version: string;
  sha256: string;
  size: number;
  registry?: string;
  source: 'registry' | 'local';
  pulledAt: string;
  platform: { os: string; arch: string };
}

export function blobPathOf(paths: MpakPaths, sha256: string): string {
  return join(paths.blobsDir, sha256);
}

export function bundleDirOf(paths: MpakPaths, name: string, version: string): string {
  const [scope, bare] = name.split('/') as [string, string];
  return join(paths.bundlesDir, scope, bare, version);
}

export function localBundleDirOf(paths: MpakPaths, sha256: string): string {
  return join(paths.localBundlesDir, sha256);
}

export async function readMarker(bundleDir: string): Promise<CacheMarker | undefined> {
  try {
    return JSON.parse(await readFile(join(bundleDir, MARKER), 'utf8')) as CacheMarker;
  } catch {
    return undefined;
  }
}

/** SHA-256 and size of a file on disk, or undefined when it does not exist. */
export async function hashFile(path: string): Promise<{ sha256: string; size: number } | undefined> {
  try {
    const hash = createHash('sha256');
    let size = 0;
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
    return { sha256: hash.digest('hex'), size };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** A unique temp path under `cache/tmp` (same filesystem as the cache, so rename is atomic). */
export async function cacheTempPath(paths: MpakPaths, tag: string): Promise<string> {
  await mkdir(paths.tmpDir, { recursive: true });
  return join(paths.tmpDir, `${tag}-${process.pid}-${randomBytes(6).toString('hex')}`);
}

/** Moves a verified temp file into the blob store (a concurrent identical blob is fine). */
export async function commitBlob(paths: MpakPaths, tempFile: string, sha256: string): Promise<string> {
  const target = blobPathOf(paths, sha256);
  await mkdir(dirname(target), { recursive: true });
  await rename(tempFile, target);
  return target;
}

/**
 * Extracts a verified blob into `target` with the strict unpacker, writes the marker inside the
 * staged copy, then renames it into place. When `target` already holds the same content (a
 * concurrent run won), that copy is kept; a copy with another hash is replaced.
 */
export async function extractToCache(blob: string, target: string, marker: CacheMarker): Promise<{ path: string; keptExisting: boolean }> {
  const existing = await readMarker(target);
  if (existing?.sha256 === marker.sha256) return { path: target, keptExisting: true };
  await sweepStale(dirname(target), `.${basename(target)}.`);
  const { unpackArchive } = await import('../archive/unpack.js');
  await mkdir(dirname(target), { recursive: true });
  const staged = siblingTempPath(target, 'stage');
  try {
    await unpackArchive(blob, staged);
    await writeFileAtomic(join(staged, MARKER), `${JSON.stringify(marker, null, 2)}\n`);
    try {
      await rename(staged, target);
      return { path: target, keptExisting: false };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'EPERM') throw err;
      const now = await readMarker(target);
      if (now?.sha256 === marker.sha256) return { path: target, keptExisting: true };
      // Another hash (or no marker: an interrupted older layout): move it aside, put ours in.
      const aside = siblingTempPath(target, 'old');
      await rename(target, aside);
      await rename(staged, target);
      await rm(aside, { recursive: true, force: true });
      return { path: target, keptExisting: false };
    }
  } finally {
    await rm(staged, { recursive: true, force: true });
  }
}

/** Every extracted registry bundle: name, version, marker. */
export async function listCachedBundles(paths: MpakPaths): Promise<CacheMarker[]> {
  const out: CacheMarker[] = [];
  const scopes = await readdir(paths.bundlesDir).catch(() => [] as string[]);
  for (const scope of scopes.filter((s) => s.startsWith('@'))) {
    for (const bare of await readdir(join(paths.bundlesDir, scope)).catch(() => [] as string[])) {
      for (const version of await readdir(join(paths.bundlesDir, scope, bare)).catch(() => [] as string[])) {
        if (version.startsWith('.')) continue;
        const marker = await readMarker(join(paths.bundlesDir, scope, bare, version));
        if (marker) out.push(marker);
      }
    }
  }
  return out;
}

/** The manifest's user_config of the newest cached version of a package (for `mpak config set` checks). */
export async function cachedUserConfig(paths: MpakPaths, name: string): Promise<Record<string, any> | undefined> {
  const semver = (await import('semver')).default;
  const versions = (await listCachedBundles(paths)).filter((m) => m.name === name).map((m) => m.version).filter((v) => semver.valid(v));
  if (versions.length === 0) return undefined;
  const newest = versions.sort(semver.rcompare)[0]!;
  try {
    const manifest = JSON.parse(await readFile(join(bundleDirOf(paths, name, newest), 'manifest.json'), 'utf8'));
    return manifest.user_config ?? {};
  } catch {
    return undefined;
  }
}

export async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isDirectory(), () => false);
}

const STALE_MS = 60 * 60 * 1000;

/**
 * Removes leftovers of killed processes (temp downloads, staged extractions) older than an hour:
 * nothing ever trusts them, they only take space. Young ones may belong to a running process.
 */
export async function sweepStale(dir: string, prefix = ''): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const cutoff = Date.now() - STALE_MS;
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const info = await stat(join(dir, name)).catch(() => undefined);
    if (info && info.mtimeMs < cutoff) await rm(join(dir, name), { recursive: true, force: true }).catch(() => undefined);
  }
}
