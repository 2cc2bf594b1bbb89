/**
 * The strict, safe archive reader every command uses (`unpack`, `run`, `scan`, `info`,
 * `index add`). It strips a signature trailer and restores the comment length (§6), parses the
 * structure twice (our own parser, then yauzl as an independent cross-check), and hands out entry
 * streams that stop at the declared size and verify the CRC.
 */
import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { Readable, Transform, pipeline } from 'node:stream';
import { promisify } from 'node:util';
import { crc32, createInflateRaw, inflateRaw, inflateRawSync } from 'node:zlib';
import { inputError, fromFsError, type MpakError } from '../errors.js';
import { locateTrailer, type TrailerInfo } from '../sign/trailer.js';
import { DEFAULT_LIMITS, parseCentralDirectory, type ArchiveLimits, type CentralEntry, type ReadAt } from './central-directory.js';
import { METHOD_DEFLATE } from './zip-format.js';

export type { ArchiveLimits } from './central-directory.js';
export { DEFAULT_LIMITS } from './central-directory.js';

export interface ArchiveEntry {
  /** Entry name; directories end with `/`. */
  name: string;
  isDirectory: boolean;
  /** 0o755 or 0o644. */
  mode: number;
  size: number;
  compressedSize: number;
  crc32: number;
}

export interface OpenArchiveOptions {
  limits?: Partial<ArchiveLimits>;
  /** The file that must sit at the archive root: `manifest.json` (default) for bundles, `SKILL.md` for skills, null for none. */
  requireRoot?: 'manifest.json' | 'SKILL.md' | null;
  /** Apply the Windows-only name rules; defaults to the current platform. */
  windowsNames?: boolean;
}

export interface SafeArchive {
  path: string;
  /** Size of the file as given (trailer included). */
  size: number;
  /** SHA-256 of the file as given. */
  sha256: string;
  /** SHA-256 of the bytes `mpak bundle unsign` would give (equals `sha256` when unsigned). */
  unsignedSha256: string;
  trailer: TrailerInfo;
  entries: ArchiveEntry[];
  /** Sum of the declared sizes of all entries. */
  unpackedSize: number;
  /** Reads a whole entry, refusing one larger than `maxBytes`. */
  readEntry(name: string, maxBytes?: number): Promise<Buffer>;
  /** The entry's content, verified against its declared size and CRC as it streams. */
  openEntryStream(name: string): Readable;
  close(): Promise<void>;
}

const DEFAULT_READ_LIMIT = 64 * 1024 * 1024;
/** Entries up to this compressed size are read in one go and inflated in the threadpool. */
const SMALL_ENTRY = 4 * 1024 * 1024;
const inflateRawAsync = promisify(inflateRaw);
const SYNC_INFLATE_MAX = 16 * 1024;
/** Enough for the largest trailer (d + T ≤ 65,535) and stacked official blocks. */
const TRAILER_TAIL_BYTES = 1 << 20;

/**
 * Opens `path` as a hostile archive and checks all of it that can be checked without
 * decompressing (names, types, limits, structure, local/central agreement, overlaps). Content
 * checks (size, CRC) happen as entries are read. Throws `MpakError` with exit 2:
 * `ARCHIVE_HOSTILE`, `ARCHIVE_CORRUPT` or `NOT_A_BUNDLE`, naming the entry and the problem.
 */
export async function openArchive(path: string, options: OpenArchiveOptions = {}): Promise<SafeArchive> {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const requireRoot = options.requireRoot === undefined ? 'manifest.json' : options.requireRoot;
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw fromFsError(err, `cannot open ${path}`);
  }
  try {
    const { size } = await handle.stat();
    // The trailer is read through the same handle as everything else: one file, however it is renamed meanwhile.
    const tailLength = Math.min(size, TRAILER_TAIL_BYTES);
    const tail = Buffer.alloc(tailLength);
    await handle.read(tail, 0, tailLength, size - tailLength);
    const trailer = locateTrailer(tail, size);
    const zipLength = trailer.zipLength;
    // Only a signature trailer justifies a comment length that disagrees with the bytes present. A
    // malformed signature block still leaves a readable ZIP proper (info reports "malformed").
    const patch =
      trailer.trailers.length > 0 &&
      trailer.eocdOffset !== undefined &&
      trailer.originalCommentLength !== undefined &&
      trailer.storedCommentLength !== trailer.originalCommentLength
        ? { at: trailer.eocdOffset + 20, value: trailer.originalCommentLength }
        : undefined;
    const read = patchedReader(handle, zipLength, patch, path);
    const hashes = await hashFile(handle, size, zipLength, patch);
    const windows = options.windowsNames ?? process.platform === 'win32';
    const cd = await parseCentralDirectory(read, zipLength, { limits, windows, label: path });
    await crossCheckWithYauzl(read, zipLength, cd.entries, path);
    const byName = new Map(cd.entries.map((e) => [e.name, e]));
    if (requireRoot && byName.get(requireRoot)?.isDirectory !== false) {
      throw inputError('NOT_A_BUNDLE', `${path} has no ${requireRoot} at its root, so it is not ${requireRoot === 'SKILL.md' ? 'a skill archive' : 'an MCPB bundle'}`, {
        suggestions: [requireRoot === 'SKILL.md' ? 'mpak skill pack <dir>' : 'mpak bundle pack <dir>'],
      });
    }
    const entry = (name: string): CentralEntry => {
      const e = byName.get(name);
      if (!e || e.isDirectory) throw inputError('ENTRY_NOT_FOUND', `${path} has no file entry ${JSON.stringify(name)}`);
      return e;
    };
    const openEntryStream = (name: string) => entryStream(handle, entry(name), path);
    return {
      path,
      size,
      sha256: hashes.sha256,
      unsignedSha256: hashes.unsignedSha256,
      trailer,
      entries: cd.entries.map((e) => ({ name: e.name, isDirectory: e.isDirectory, mode: e.mode, size: e.size, compressedSize: e.compressedSize, crc32: e.crc32 })),
      unpackedSize: cd.entries.reduce((sum, e) => sum + e.size, 0),
      openEntryStream,
      async readEntry(name: string, maxBytes = DEFAULT_READ_LIMIT) {
        const e = entry(name);
        if (e.size > maxBytes) {
          throw inputError('ENTRY_TOO_LARGE', `${path}: entry ${JSON.stringify(name)} is ${e.size} bytes; the limit is ${maxBytes}`);
        }
        if (e.compressedSize <= SMALL_ENTRY) return readSmallEntry(read, e, path);
        const chunks: Buffer[] = [];
        for await (const chunk of openEntryStream(name)) chunks.push(chunk as Buffer);
        return Buffer.concat(chunks);
      },
      close: () => handle.close(),
    };
  } catch (err) {
    await handle.close();
    throw err;
  }
}

const BLOCK = 64 * 1024;
const CACHED_BLOCKS = 64;

/**
 * Reads from the ZIP proper only, with the signed comment length put back to its unsigned value.
 * Small reads go through a cache of 64 KiB blocks: checking thousands of local headers (and
 * yauzl's cross-check) would otherwise be one threadpool round trip per header.
 */
function patchedReader(handle: FileHandle, zipLength: number, patch: { at: number; value: number } | undefined, label: string): ReadAt {
  const cache = new Map<number, Promise<Buffer>>();
  const readExact = async (position: number, length: number) => {
    const buf = Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await handle.read(buf, done, length - done, position + done);
      if (bytesRead === 0) throw inputError('ARCHIVE_CORRUPT', `${label}: unexpected end of file (truncated)`);
      done += bytesRead;
    }
    return buf;
  };
  const block = (index: number): Promise<Buffer> => {
    let p = cache.get(index);
    if (p) {
      cache.delete(index); // re-insert: most recently used last
    } else {
      const start = index * BLOCK;
      p = readExact(start, Math.min(BLOCK, zipLength - start));
      p.catch(() => cache.delete(index));
      if (cache.size >= CACHED_BLOCKS) cache.delete(cache.keys().next().value!);
    }
    cache.set(index, p);
    return p;
  };
  return async (position, length) => {
    if (position < 0 || length < 0 || position + length > zipLength) {
      throw inputError('ARCHIVE_CORRUPT', `${label}: a record points outside the archive (offset ${position}, ${length} bytes; archive is ${zipLength} bytes): truncated or damaged`);
    }
    let buf: Buffer;
    if (length > 4 * BLOCK) buf = await readExact(position, length);
    else {
      buf = Buffer.allocUnsafe(length); // every byte is copied in below
      const first = Math.floor(position / BLOCK);
      const last = Math.floor((position + Math.max(length, 1) - 1) / BLOCK);
      for (let i = first; i <= last && length > 0; i++) {
        const b = await block(i);
        const from = Math.max(position, i * BLOCK);
        const to = Math.min(position + length, i * BLOCK + b.length);
        b.copy(buf, from - position, from - i * BLOCK, to - i * BLOCK);
      }
    }
    if (patch) applyPatch(buf, position, patch);
    return buf;
  };
}

function applyPatch(buf: Buffer, position: number, patch: { at: number; value: number }): void {
  const bytes = [patch.value & 0xff, patch.value >> 8];
  for (let i = 0; i < 2; i++) {
    const rel = patch.at + i - position;
    if (rel >= 0 && rel < buf.length) buf[rel] = bytes[i]!;
  }
}

/** One pass over the file: the SHA-256 as given, and of the unsigned bytes (§6 variant B restored). */
async function hashFile(handle: FileHandle, size: number, zipLength: number, patch?: { at: number; value: number }) {
  const whole = createHash('sha256');
  const unsigned = createHash('sha256');
  const buf = Buffer.alloc(1 << 20);
  for (let pos = 0; pos < size; ) {
    const { bytesRead } = await handle.read(buf, 0, Math.min(buf.length, size - pos), pos);
    if (bytesRead === 0) throw inputError('ARCHIVE_CHANGED', 'the file shrank while it was being read');
    const chunk = buf.subarray(0, bytesRead);
    whole.update(chunk);
    if (pos < zipLength) {
      const part = Buffer.from(chunk.subarray(0, Math.min(bytesRead, zipLength - pos)));
      if (patch) applyPatch(part, pos, patch);
      unsigned.update(part);
    }
    pos += bytesRead;
  }
  return { sha256: whole.digest('hex'), unsignedSha256: unsigned.digest('hex') };
}

/** The same checks as `entryStream`, for a small entry held in memory. */
async function readSmallEntry(read: ReadAt, e: CentralEntry, label: string): Promise<Buffer> {
  const shown = JSON.stringify(e.name);
  const raw = await read(e.dataOffset, e.compressedSize);
  let out: Buffer;
  if (e.method === METHOD_DEFLATE) {
    try {
      // One byte over the declared size is enough to know it lies; never inflate further.
      const inflateOptions = { maxOutputLength: e.size + 1 };
      // Small entries inflate faster inline than through the threadpool (bench/README.md).
      out = raw.length <= SYNC_INFLATE_MAX && e.size <= 1024 * 1024 ? inflateRawSync(raw, inflateOptions) : await inflateRawAsync(raw, inflateOptions);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ERR_BUFFER_TOO_LARGE') throw inputError('ARCHIVE_HOSTILE', `${label}: entry ${shown} produces more than its declared ${e.size} bytes`);
      throw inputError('ARCHIVE_CORRUPT', `${label}: entry ${shown} cannot be decompressed (${(err as Error).message})`);
    }
  } else out = raw;
  if (out.length > e.size) throw inputError('ARCHIVE_HOSTILE', `${label}: entry ${shown} produces more than its declared ${e.size} bytes`);
  if (out.length !== e.size) throw inputError('ARCHIVE_CORRUPT', `${label}: entry ${shown} produced ${out.length} bytes, but declares ${e.size}`);
  if (crc32(out) >>> 0 !== e.crc32) throw inputError('ARCHIVE_CORRUPT', `${label}: entry ${shown} fails its CRC-32 check`);
  return out;
}

function entryStream(handle: FileHandle, e: CentralEntry, label: string): Readable {
  const shown = JSON.stringify(e.name);
  const source: Readable =
    e.compressedSize === 0
      ? Readable.from([])
      : handle.createReadStream({ start: e.dataOffset, end: e.dataOffset + e.compressedSize - 1, autoClose: false, highWaterMark: 1 << 16 });
  let count = 0;
  let crc = 0;
  const verify = new Transform({
    transform(chunk: Buffer, _enc, done) {
      if (count + chunk.length > e.size) {
        // Stop at the declared size (+1 byte seen): never write more than the archive promised.
        done(inputError('ARCHIVE_HOSTILE', `${label}: entry ${shown} produces more than its declared ${e.size} bytes`));
        return;
      }
      count += chunk.length;
      crc = crc32(chunk, crc);
      done(null, chunk);
    },
    flush(done) {
      if (count !== e.size) done(inputError('ARCHIVE_CORRUPT', `${label}: entry ${shown} produced ${count} bytes, but declares ${e.size}`));
      else if (crc >>> 0 !== e.crc32) done(inputError('ARCHIVE_CORRUPT', `${label}: entry ${shown} fails its CRC-32 check`));
      else done();
    },
  });
  const stages: NodeJS.ReadWriteStream[] = e.method === METHOD_DEFLATE ? [createInflateRaw({ chunkSize: 1 << 16 })] : [];
  const onError = (err: NodeJS.ErrnoException | null) => {
    if (!err) return;
    const mpak = (err as Partial<MpakError>).code?.startsWith('ARCHIVE_')
      ? err
      : inputError('ARCHIVE_CORRUPT', `${label}: entry ${shown} cannot be decompressed (${err.message})`);
    if (!verify.destroyed || verify.errored !== mpak) verify.destroy(mpak);
  };
  // pipeline() destroys every stage on error; the consumer reads `verify` and sees the mapped error.
  (pipeline as (...args: unknown[]) => unknown)(source, ...stages, verify, onError);
  return verify;
}

/**
 * yauzl parses the same bytes independently; if it sees a different list of entries than we do,
 * some reader somewhere would extract something else than we checked (a parser differential).
 */
async function crossCheckWithYauzl(read: ReadAt, zipLength: number, entries: CentralEntry[], label: string): Promise<void> {
  const yauzl = await import('yauzl');
  class Reader extends yauzl.RandomAccessReader {
    // yauzl reads the central directory with many small read() calls; serve them from the block
    // cache directly instead of building a stream for each.
    override read(buffer: Buffer, offset: number, length: number, position: number, callback: (err: Error | null) => void): void {
      read(position, length).then(
        (buf) => {
          buf.copy(buffer, offset);
          callback(null);
        },
        (err: Error) => callback(err),
      );
    }

    override _readStreamForRange(start: number, end: number): Readable {
      const stream = new Readable({ read() {} });
      read(start, end - start).then(
        (buf) => {
          stream.push(buf);
          stream.push(null);
        },
        (err: Error) => stream.destroy(err),
      );
      return stream;
    }
  }
  const fail = (why: string) => inputError('ARCHIVE_CORRUPT', `${label}: the archive parses differently in two ZIP readers (${why})`);
  const seen = await new Promise<{ name: Buffer; offset: number; csize: number; size: number; crc: number; method: number }[]>((resolve, reject) => {
    yauzl.fromRandomAccessReader(
      new Reader(),
      zipLength,
      { lazyEntries: true, autoClose: true, decodeStrings: false, validateEntrySizes: true, strictFileNames: false },
      (err, zip) => {
        if (err || !zip) return reject(fail(err?.message ?? 'no archive'));
        const list: { name: Buffer; offset: number; csize: number; size: number; crc: number; method: number }[] = [];
        zip.on('entry', (e: import('yauzl').Entry) => {
          list.push({
            name: e.fileName as unknown as Buffer,
            offset: e.relativeOffsetOfLocalHeader,
            csize: e.compressedSize,
            size: e.uncompressedSize,
            crc: e.crc32,
            method: e.compressionMethod,
          });
          zip.readEntry();
        });
        zip.on('end', () => resolve(list));
        zip.on('error', (e: Error) => reject(fail(e.message)));
        zip.readEntry();
      },
    );
  });
  if (seen.length !== entries.length) throw fail(`${seen.length} entries vs ${entries.length}`);
  for (let i = 0; i < seen.length; i++) {
    const a = seen[i]!;
    const b = entries[i]!;
    if (!a.name.equals(b.nameRaw) || a.offset !== b.localHeaderOffset || a.csize !== b.compressedSize || a.size !== b.size || a.crc !== b.crc32 || a.method !== b.method) {
      throw fail(`entry ${i + 1}, ${JSON.stringify(b.name)}`);
    }
  }
}
