import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { inputError } from '../errors.js';
import { siblingTempPath } from '../util/fs-atomic.js';

/** Limits for reading a carried mirror archive (it crosses an air gap: treat it as hostile). */
export const TAR_LIMITS = { maxEntries: 1_000_000, maxTotalBytes: 64 * 1024 ** 3 };

async function listFiles(root: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(join(root, rel), { withFileTypes: true });
  for (const e of entries) {
    const p = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await listFiles(root, p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/**
 * Writes every regular file under `root` into a tar at `output`, deterministically (sorted paths,
 * mtime 0, uid/gid 0, mode 0644), with `timestamp.json` last so that a reader that stops early
 * never sees a timestamp without its files. Written to a temp file and renamed into place.
 */
export async function writeMirrorTar(root: string, output: string, skip: (rel: string) => boolean = () => false) {
  const { pack } = await import('tar-stream');
  const files = (await listFiles(root)).filter((f) => !skip(f));
  files.sort((a, b) => (a === 'timestamp.json' ? 1 : b === 'timestamp.json' ? -1 : a < b ? -1 : a > b ? 1 : 0));
  const tmp = siblingTempPath(output, 'tar');
  const archive = pack();
  const done = pipeline(archive, createWriteStream(tmp, { flags: 'wx' }));
  let bytes = 0;
  try {
    for (const rel of files) {
      const { size } = await stat(join(root, rel));
      bytes += size;
      await new Promise<void>((resolvePromise, reject) => {
        const sink = archive.entry({ name: rel, size, mode: 0o644, mtime: new Date(0), uid: 0, gid: 0, type: 'file' }, (err) =>
          err ? reject(err) : resolvePromise(),
        );
        createReadStream(join(root, rel)).on('error', reject).pipe(sink);
      });
    }
    archive.finalize();
    await done;
    await rename(tmp, output);
  } catch (err) {
    archive.destroy();
    await rm(tmp, { force: true });
    throw err;
  }
  return { path: output, files: files.length, bytes };
}

/**
 * Extracts a mirror tar into a fresh folder `dest` (which must not exist). Only regular files
 * with safe relative names are accepted: no links, devices, absolute paths, `..`, or backslashes.
 * On any problem the partial folder is deleted and the error names the entry.
 */
export async function extractMirrorTar(archivePath: string, dest: string): Promise<{ files: number; bytes: number }> {
  const { extract } = await import('tar-stream');
  const root = resolve(dest);
  await mkdir(root, { recursive: false });
  let files = 0;
  let bytes = 0;
  const seen = new Set<string>();
  try {
    const reader = extract();
    const input = createReadStream(archivePath);
    input.on('error', (err) => reader.destroy(err));
    input.pipe(reader);
    for await (const entry of reader) {
      const { name, type, size = 0 } = entry.header;
      const hostile = (why: string) =>
        inputError('MIRROR_ARCHIVE_HOSTILE', `${archivePath}: entry ${JSON.stringify(name)} ${why}; refusing the archive`, {
          suggestions: ['Recreate the archive with: mpak mirror <source> <dest> --archive out.tar'],
        });
      if (type === 'directory') {
        entry.resume();
        continue;
      }
      if (type !== 'file' && type !== 'contiguous-file') throw hostile(`is a ${type ?? 'special'} entry (only regular files are allowed)`);
      if (!name || name.startsWith('/') || name.includes('\\') || name.includes('\0') || /^[A-Za-z]:/.test(name)) {
        throw hostile('has an unsafe name');
      }
      const segments = name.split('/');
      if (segments.some((s) => s === '' || s === '.' || s === '..')) throw hostile('has an unsafe path segment');
      const target = join(root, ...segments);
      if (!target.startsWith(root + sep)) throw hostile('resolves outside the destination');
      if (seen.has(name)) throw hostile('appears twice');
      seen.add(name);
      if (++files > TAR_LIMITS.maxEntries) throw hostile('exceeds the entry limit');
      bytes += size;
      if (bytes > TAR_LIMITS.maxTotalBytes) throw hostile('exceeds the size limit');
      await mkdir(dirname(target), { recursive: true });
      await pipeline(entry, createWriteStream(target, { flags: 'wx', mode: 0o644 }));
    }
    return { files, bytes };
  } catch (err) {
    await rm(root, { recursive: true, force: true });
    if ((err as { code?: string }).code === 'MIRROR_ARCHIVE_HOSTILE') throw err;
    throw inputError('MIRROR_ARCHIVE_CORRUPT', `${archivePath} is not a readable mirror archive: ${(err as Error).message}`, {
      cause: err,
    });
  }
}
