/**
 * Safe, atomic extraction (mcpb-format §5): everything the structure can tell is checked before
 * the first write; content is verified (size, CRC) while it is written into a fresh temp folder
 * beside the destination; only a fully verified tree is renamed into place.
 */
import { closeSync, fchmodSync, openSync, writeSync } from 'node:fs';
import { chmod, lstat, mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { inputError } from '../errors.js';
import { siblingTempPath } from '../util/fs-atomic.js';
import { parentDirectories } from './entry-names.js';
import { openArchive, type OpenArchiveOptions, type SafeArchive } from './reader.js';

export interface UnpackOptions extends OpenArchiveOptions {
  /** Replace an existing destination (old one moved aside, new one renamed in, old one deleted). */
  force?: boolean;
  /**
   * For caches: if the destination exists already, or appears while we extract (another process
   * won the rename), keep that copy and report `keptExisting` instead of failing.
   */
  keepExisting?: boolean;
  /** Entries extracted at the same time. */
  concurrency?: number;
}

export interface UnpackResult {
  /** The destination folder. */
  path: string;
  files: number;
  directories: number;
  unpackedSize: number;
  /** SHA-256 of the archive file as given. */
  sha256: string;
  /** An existing destination was replaced (`force`). */
  replaced: boolean;
  /** The destination existed (or appeared concurrently) and was kept (`keepExisting`). */
  keptExisting: boolean;
}

/** Largest manifest a bundle may carry, as in src/manifest. */
const MAX_MANIFEST_BYTES = 1024 * 1024;
const FAST_READ_LIMIT = 8 * 1024 * 1024;

/**
 * Extracts the archive at `path` into the folder `dest`, atomically. Throws `MpakError` (exit 2)
 * for hostile or corrupt archives and for an existing destination without `force`; on any error
 * nothing is left at `dest` (or the old content is restored) and the temp folder is deleted.
 */
export async function unpackArchive(path: string, dest: string, options: UnpackOptions = {}): Promise<UnpackResult> {
  const target = resolve(dest);
  const exists = await pathExists(target);
  if (exists && !options.force && !options.keepExisting) {
    throw inputError('DEST_EXISTS', `${dest} already exists`, { suggestions: [`mpak bundle unpack ${path} ${dest} --force`] });
  }
  const archive = await openArchive(path, options);
  try {
    const base = { path: target, files: 0, directories: 0, unpackedSize: archive.unpackedSize, sha256: archive.sha256 };
    if (exists && options.keepExisting && !options.force) return { ...base, replaced: false, keptExisting: true };
    if ((options.requireRoot ?? 'manifest.json') === 'manifest.json') await checkManifestEntry(archive);
    await mkdir(dirname(target), { recursive: true });
    const tmp = siblingTempPath(target, 'unpack');
    await mkdir(tmp, { mode: 0o700 });
    let counts: { files: number; directories: number };
    try {
      counts = await extractInto(archive, tmp, options.concurrency ?? 8);
    } catch (err) {
      await rm(tmp, { recursive: true, force: true });
      throw err;
    }
    const placed = await placeAtomically(tmp, target, Boolean(options.force), Boolean(options.keepExisting));
    return { ...base, ...counts, replaced: placed === 'replaced', keptExisting: placed === 'kept' };
  } finally {
    await archive.close();
  }
}

async function pathExists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

async function checkManifestEntry(archive: SafeArchive): Promise<void> {
  const manifest = archive.entries.find((e) => e.name === 'manifest.json');
  if (manifest && manifest.size > MAX_MANIFEST_BYTES) {
    throw inputError('ARCHIVE_HOSTILE', `${archive.path}: manifest.json is ${manifest.size} bytes; the limit is ${MAX_MANIFEST_BYTES}`);
  }
  const bytes = await archive.readEntry('manifest.json', MAX_MANIFEST_BYTES);
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw inputError('ARCHIVE_HOSTILE', `${archive.path}: manifest.json is not valid UTF-8`);
  }
}

/** Writes every entry below `root` (a fresh, empty folder we own), with explicit modes. */
async function extractInto(archive: SafeArchive, root: string, concurrency: number): Promise<{ files: number; directories: number }> {
  const inside = (name: string) => {
    const out = resolve(root, name);
    // Second line of defence: the names were checked already, but the resolved path decides.
    if (!out.startsWith(root + sep)) throw inputError('ARCHIVE_HOSTILE', `${archive.path}: entry ${JSON.stringify(name)} resolves outside the destination`);
    return out;
  };
  const dirs = new Set<string>();
  for (const e of archive.entries) {
    const path = e.isDirectory ? e.name.slice(0, -1) : e.name;
    if (e.isDirectory) dirs.add(path);
    for (const parent of parentDirectories(path)) dirs.add(parent);
  }
  const sortedDirs = [...dirs].sort((a, b) => a.length - b.length);
  for (const dir of sortedDirs) await mkdir(inside(dir), { mode: 0o700 });
  const files = archive.entries.filter((e) => !e.isDirectory);
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const e = files[next++]!;
      const out = inside(e.name);
      if (e.compressedSize <= FAST_READ_LIMIT && e.size <= FAST_READ_LIMIT) {
        // Small files: inflate in the threadpool, then a few synchronous syscalls. Four threadpool
        // round trips per file (open, write, chmod, close) cost more than the syscalls themselves.
        const data = await archive.readEntry(e.name, FAST_READ_LIMIT);
        const fd = openSync(out, 'wx', 0o600);
        try {
          for (let done = 0; done < data.length; ) done += writeSync(fd, data, done, data.length - done);
          fchmodSync(fd, e.mode === 0o755 ? 0o755 : 0o644);
        } finally {
          closeSync(fd);
        }
        continue;
      }
      const handle = await open(out, 'wx', 0o600);
      try {
        // Not handle.createWriteStream({autoClose: false}): its reference keeps handle.close() pending forever.
        for await (const chunk of archive.openEntryStream(e.name)) await handle.write(chunk as Buffer);
      } finally {
        await handle.close();
      }
      await chmod(out, e.mode === 0o755 ? 0o755 : 0o644);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, files.length)) }, worker));
  // Directories last (and deepest first), so a read-only mode could never block the writes above.
  for (const dir of sortedDirs.reverse()) await chmod(inside(dir), 0o755);
  await chmod(root, 0o755);
  return { files: files.length, directories: dirs.size };
}

/** Renames the finished tree into place. */
async function placeAtomically(tmp: string, target: string, force: boolean, keepExisting: boolean): Promise<'created' | 'replaced' | 'kept'> {
  try {
    await rename(tmp, target);
    return 'created';
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'ENOTDIR' && code !== 'EISDIR') {
      await rm(tmp, { recursive: true, force: true });
      throw err;
    }
    if (!force) {
      await rm(tmp, { recursive: true, force: true });
      if (keepExisting) return 'kept';
      throw inputError('DEST_EXISTS', `${target} appeared while the archive was being extracted`, { suggestions: ['Run the command again with --force.'] });
    }
  }
  const aside = siblingTempPath(target, 'old');
  try {
    await rename(target, aside);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
  try {
    await rename(tmp, target);
  } catch (err) {
    await rename(aside, target).catch(() => undefined);
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
  await rm(aside, { recursive: true, force: true });
  return 'replaced';
}
