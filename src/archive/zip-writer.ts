/**
 * The deterministic ZIP writer behind `mpak bundle pack` (mcpb-format §4 "Archive bytes").
 *
 * Our own writer on node:zlib rather than archiver: archiver (via zip-stream) writes data
 * descriptors and extra fields for streamed entries and takes modes/timestamps from its input,
 * so byte-identical output would depend on how we coax it. Here every header byte is chosen.
 * Without data descriptors the CRC and sizes must be known before the local header, so each file
 * is compressed first: small files in memory, large ones into a spool file beside the output, which
 * keeps memory flat whatever the bundle size. Several files are compressed at once (zlib's async
 * API runs in the libuv threadpool) while the output is written strictly in order.
 */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, createReadStream, createWriteStream, fstatSync, openSync, readFileSync } from 'node:fs';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { crc32, createDeflateRaw, deflateRaw, deflateRawSync } from 'node:zlib';
import { promisify } from 'node:util';
import { inputError } from '../errors.js';
import { compareUtf8, unsafeNameReason } from './entry-names.js';
import {
  CENTRAL_HEADER_SIZE,
  EOCD_SIZE,
  FLAG_UTF8,
  LOCAL_HEADER_SIZE,
  MADE_BY_UNIX,
  MAX_ENTRIES,
  MAX_U32,
  METHOD_DEFLATE,
  METHOD_STORE,
  SIG_CENTRAL,
  SIG_EOCD,
  SIG_LOCAL,
  VERSION_NEEDED,
  dosDateTimeFromEpoch,
  externalAttributesFor,
  type DosDateTime,
} from './zip-format.js';

const deflateRawAsync = promisify(deflateRaw);

export interface ZipEntryInput {
  /** Bundle-relative path with `/` separators. */
  path: string;
  /** Absolute path of the file to store (ignored when `data` is given). */
  source?: string;
  /** In-memory content, e.g. the rewritten manifest. */
  data?: Buffer;
  /** File mode; only "any x bit set" matters (0755 vs 0644). */
  mode: number;
  /** Size if known (from the directory walk): lets the writer budget memory before reading. */
  size?: number;
}

export interface WriteZipOptions {
  /** SOURCE_DATE_EPOCH (integer seconds); default 1980-01-01T00:00:00Z. */
  sourceDateEpoch?: string | number;
  /** zlib deflate level, 6 by default (see bench/README.md). */
  level?: number;
  /** Files compressed at the same time (8 by default: keeps 2 cores busy; measured in bench/). */
  concurrency?: number;
  /** Bytes of file content (and its compressed copy) held while compressing ahead; 32 MiB. */
  memoryBudget?: number;
  /** Files above this size are compressed into a spool file instead of memory. */
  spoolThreshold?: number;
}

export interface WriteZipResult {
  sha256: string;
  /** Size of the archive in bytes. */
  size: number;
  files: number;
  unpackedSize: number;
}

interface PreparedEntry {
  crc: number;
  size: number;
  compressedSize: number;
  method: number;
  /** Bytes to write after the local header, when held in memory. */
  data?: Buffer;
  /** Spooled deflate output to copy after the local header. */
  spoolPath?: string;
  /** STORE a large file: copy it from its source again (and check it did not change). */
  storeFrom?: string;
}

interface CentralRecord {
  name: Buffer;
  flags: number;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  offset: number;
  externalAttributes: number;
}

const DEFAULT_SPOOL_THRESHOLD = 4 * 1024 * 1024;
/** Up to this size, deflating inline beats the threadpool round trip and its zlib set-up (bench/). */
const SYNC_DEFLATE_MAX = 16 * 1024;

/**
 * Writes `entries` as a byte-for-byte reproducible ZIP at `output` (atomically: temp file beside
 * it, then rename) and returns its SHA-256, size, file count and unpacked size. Entries are sorted
 * globally by their UTF-8 bytes; there are no directory entries, extras, comments or data
 * descriptors; every entry has the same timestamp; limits that would need ZIP64 are errors.
 */
export async function writeDeterministicZip(
  entries: ZipEntryInput[],
  output: string,
  options: WriteZipOptions = {},
): Promise<WriteZipResult> {
  const when = dosDateTimeFromEpoch(options.sourceDateEpoch);
  const level = options.level ?? 6;
  const concurrency = Math.max(1, options.concurrency ?? 8);
  const spoolThreshold = options.spoolThreshold ?? DEFAULT_SPOOL_THRESHOLD;
  const memoryBudget = options.memoryBudget ?? 32 * 1024 * 1024;
  const sorted = checkEntries(entries);

  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const tmp = join(dirname(output), `.${basename(output)}.tmp-${tag}`);
  const spoolDir = dirname(output);
  const handle = await open(tmp, 'wx', 0o644);
  const sink = new HashingSink(handle);
  const spools = new Set<string>();
  let ok = false;
  try {
    const central: CentralRecord[] = [];
    let unpackedSize = 0;
    // A window of entries being compressed ahead of the one being written.
    // Bounded by count and by bytes held (content + compressed copy), so memory stays flat.
    const pending: Promise<PreparedEntry>[] = [];
    const costs: number[] = [];
    let held = 0;
    let next = 0;
    const fill = () => {
      while (next < sorted.length && pending.length < concurrency && (pending.length === 0 || held < memoryBudget)) {
        const entry = sorted[next++]!;
        const cost = 2 * Math.min(entry.data?.length ?? entry.size ?? spoolThreshold, spoolThreshold);
        costs.push(cost);
        held += cost;
        const spool = join(spoolDir, `.${basename(output)}.spool-${tag}-${next}`);
        const p = prepareEntry(entry, { level, spoolThreshold, spool, spools });
        p.catch(() => undefined); // awaited in order below; avoid an unhandled rejection meanwhile
        pending.push(p);
      }
    };
    fill();
    for (const entry of sorted) {
      const prepared = await pending.shift()!;
      const name = Buffer.from(entry.path, 'utf8');
      const flags = name.some((b) => b >= 0x80) ? FLAG_UTF8 : 0;
      const offset = sink.offset;
      if (offset >= MAX_U32) throw tooBig(`the archive passes 4 GiB before ${entry.path}`);
      sink.write(localHeader(name, flags, prepared, when));
      await writeEntryData(sink, prepared, entry.path);
      await sink.settle();
      held -= costs.shift()!;
      fill();
      unpackedSize += prepared.size;
      central.push({
        name,
        flags,
        method: prepared.method,
        crc: prepared.crc,
        compressedSize: prepared.compressedSize,
        size: prepared.size,
        offset,
        externalAttributes: externalAttributesFor(entry.mode),
      });
    }
    const cdOffset = sink.offset;
    for (const record of central) sink.write(centralHeader(record, when));
    const cdSize = sink.offset - cdOffset;
    if (cdOffset >= MAX_U32 || cdSize >= MAX_U32) throw tooBig('the central directory passes 4 GiB');
    sink.write(endOfCentralDirectory(central.length, cdSize, cdOffset));
    await sink.flush();
    await handle.sync();
    await handle.close();
    await rename(tmp, output);
    ok = true;
    return { sha256: sink.digest(), size: sink.offset, files: central.length, unpackedSize };
  } finally {
    if (!ok) {
      await handle.close().catch(() => undefined);
      await rm(tmp, { force: true });
    }
    await Promise.all([...spools].map((s) => rm(s, { force: true })));
  }
}

function checkEntries(entries: ZipEntryInput[]): ZipEntryInput[] {
  if (entries.length > MAX_ENTRIES) {
    throw inputError('ARCHIVE_TOO_LARGE', `${entries.length} files exceed the ZIP limit of ${MAX_ENTRIES} entries (ZIP64 is never written)`, {
      suggestions: ['Exclude files with .mcpbignore, then run mpak bundle pack again.'],
    });
  }
  const sorted = [...entries].sort((a, b) => compareUtf8(a.path, b.path));
  for (let i = 0; i < sorted.length; i++) {
    const entry = sorted[i]!;
    const reason = unsafeNameReason(entry.path);
    if (reason || entry.path.endsWith('/')) {
      throw inputError('ARCHIVE_ENTRY_INVALID', `cannot store "${entry.path}": ${reason ?? 'directory entries are not written'}`);
    }
    if (Buffer.byteLength(entry.path) > 0xffff) throw inputError('ARCHIVE_ENTRY_INVALID', `path too long: ${entry.path.slice(0, 80)}…`);
    if (i > 0 && sorted[i - 1]!.path === entry.path) throw inputError('ARCHIVE_ENTRY_INVALID', `duplicate entry "${entry.path}"`);
    if (entry.data === undefined && entry.source === undefined) throw new TypeError(`entry ${entry.path} has neither data nor source`);
  }
  return sorted;
}

function tooBig(what: string) {
  return inputError('ARCHIVE_TOO_LARGE', `${what}; ZIP64 is never written`, {
    suggestions: ['Exclude large files with .mcpbignore, then run mpak bundle pack again.'],
  });
}

async function prepareEntry(
  entry: ZipEntryInput,
  opts: { level: number; spoolThreshold: number; spool: string; spools: Set<string> },
): Promise<PreparedEntry> {
  let data = entry.data;
  if (data === undefined) {
    // Small files are read with synchronous syscalls on the main thread while zlib works in the
    // threadpool: four threadpool round trips per file (open, stat, read, close) cost more than
    // the reads themselves, and the two halves then keep two cores busy.
    const fd = openSync(entry.source!, 'r');
    try {
      const { size } = fstatSync(fd);
      if (size >= MAX_U32) throw tooBig(`${entry.path} is ${size} bytes`);
      if (size <= opts.spoolThreshold) data = readFileSync(fd);
    } finally {
      closeSync(fd);
    }
    if (data === undefined) return prepareLarge(entry.source!, entry.path, opts);
  }
  if (data.length >= MAX_U32) throw tooBig(`${entry.path} is ${data.length} bytes`);
  const crc = crc32(data) >>> 0;
  if (data.length === 0) return { crc, size: 0, compressedSize: 0, method: METHOD_STORE, data };
  const deflated = data.length <= SYNC_DEFLATE_MAX ? deflateRawSync(data, { level: opts.level }) : await deflateRawAsync(data, { level: opts.level });
  if (deflated.length >= data.length) return { crc, size: data.length, compressedSize: data.length, method: METHOD_STORE, data };
  return { crc, size: data.length, compressedSize: deflated.length, method: METHOD_DEFLATE, data: deflated };
}

/** Deflate a large file into a spool file, computing its CRC and size on the way. */
async function prepareLarge(
  source: string,
  path: string,
  opts: { level: number; spool: string; spools: Set<string> },
): Promise<PreparedEntry> {
  let crc = 0;
  let size = 0;
  let compressedSize = 0;
  const measure = new Transform({
    transform(chunk: Buffer, _enc, done) {
      crc = crc32(chunk, crc);
      size += chunk.length;
      done(null, chunk);
    },
  });
  const count = new Transform({
    transform(chunk: Buffer, _enc, done) {
      compressedSize += chunk.length;
      done(null, chunk);
    },
  });
  opts.spools.add(opts.spool);
  await pipeline(
    createReadStream(source, { highWaterMark: 1 << 20 }),
    measure,
    createDeflateRaw({ level: opts.level, chunkSize: 1 << 16 }),
    count,
    createWriteStream(opts.spool, { flags: 'wx', mode: 0o600 }),
  );
  if (size >= MAX_U32) throw tooBig(`${path} is ${size} bytes`);
  crc >>>= 0;
  if (compressedSize >= size) {
    await rm(opts.spool, { force: true });
    return { crc, size, compressedSize: size, method: METHOD_STORE, storeFrom: source };
  }
  return { crc, size, compressedSize, method: METHOD_DEFLATE, spoolPath: opts.spool };
}

async function writeEntryData(sink: HashingSink, prepared: PreparedEntry, path: string): Promise<void> {
  if (prepared.data) {
    sink.write(prepared.data);
    return;
  }
  const from = prepared.spoolPath ?? prepared.storeFrom!;
  let crc = 0;
  let size = 0;
  for await (const chunk of createReadStream(from, { highWaterMark: 1 << 20 })) {
    const buf = chunk as Buffer;
    if (prepared.storeFrom) crc = crc32(buf, crc);
    size += buf.length;
    await sink.writeAsync(buf);
  }
  if (prepared.storeFrom && (size !== prepared.size || crc >>> 0 !== prepared.crc)) {
    throw inputError('FILE_CHANGED', `${path} changed while it was being packed`, { suggestions: ['Run mpak bundle pack again.'] });
  }
  if (size !== prepared.compressedSize) throw new Error(`spool for ${path} has ${size} bytes, expected ${prepared.compressedSize}`);
  if (prepared.spoolPath) await rm(prepared.spoolPath, { force: true });
}

function localHeader(name: Buffer, flags: number, e: PreparedEntry, when: DosDateTime): Buffer {
  const b = Buffer.alloc(LOCAL_HEADER_SIZE + name.length);
  b.writeUInt32LE(SIG_LOCAL, 0);
  b.writeUInt16LE(VERSION_NEEDED, 4);
  b.writeUInt16LE(flags, 6);
  b.writeUInt16LE(e.method, 8);
  b.writeUInt16LE(when.time, 10);
  b.writeUInt16LE(when.date, 12);
  b.writeUInt32LE(e.crc, 14);
  b.writeUInt32LE(e.compressedSize, 18);
  b.writeUInt32LE(e.size, 22);
  b.writeUInt16LE(name.length, 26);
  b.writeUInt16LE(0, 28);
  name.copy(b, LOCAL_HEADER_SIZE);
  return b;
}

function centralHeader(r: CentralRecord, when: DosDateTime): Buffer {
  const b = Buffer.alloc(CENTRAL_HEADER_SIZE + r.name.length);
  b.writeUInt32LE(SIG_CENTRAL, 0);
  b.writeUInt16LE(MADE_BY_UNIX, 4);
  b.writeUInt16LE(VERSION_NEEDED, 6);
  b.writeUInt16LE(r.flags, 8);
  b.writeUInt16LE(r.method, 10);
  b.writeUInt16LE(when.time, 12);
  b.writeUInt16LE(when.date, 14);
  b.writeUInt32LE(r.crc, 16);
  b.writeUInt32LE(r.compressedSize, 20);
  b.writeUInt32LE(r.size, 24);
  b.writeUInt16LE(r.name.length, 28);
  // extra length, comment length, disk number start, internal attributes: all 0
  b.writeUInt32LE(r.externalAttributes, 38);
  b.writeUInt32LE(r.offset, 42);
  r.name.copy(b, CENTRAL_HEADER_SIZE);
  return b;
}

function endOfCentralDirectory(count: number, cdSize: number, cdOffset: number): Buffer {
  const b = Buffer.alloc(EOCD_SIZE);
  b.writeUInt32LE(SIG_EOCD, 0);
  b.writeUInt16LE(count, 8);
  b.writeUInt16LE(count, 10);
  b.writeUInt32LE(cdSize, 12);
  b.writeUInt32LE(cdOffset, 16);
  return b;
}

/** Buffered output that hashes exactly the bytes it writes and tracks the offset. */
class HashingSink {
  offset = 0;
  private readonly hash = createHash('sha256');
  private chunks: Buffer[] = [];
  private buffered = 0;
  private writing: Promise<unknown> = Promise.resolve();

  private readonly handle: FileHandle;

  constructor(handle: FileHandle) {
    this.handle = handle;
  }

  write(buf: Buffer): void {
    this.hash.update(buf);
    this.offset += buf.length;
    this.chunks.push(buf);
    this.buffered += buf.length;
    if (this.buffered >= 1 << 20) void this.drain();
  }

  async writeAsync(buf: Buffer): Promise<void> {
    this.write(buf);
    await this.writing;
  }

  /** Wait for queued disk writes, so memory does not grow when the disk is slower than zlib. */
  async settle(): Promise<void> {
    await this.writing;
  }

  private drain(): Promise<unknown> {
    const data = Buffer.concat(this.chunks, this.buffered);
    this.chunks = [];
    this.buffered = 0;
    this.writing = this.writing.then(() => this.writeAll(data));
    this.writing.catch(() => undefined); // surfaced by settle()/flush()
    return this.writing;
  }

  private async writeAll(data: Buffer): Promise<void> {
    let done = 0;
    while (done < data.length) {
      const { bytesWritten } = await this.handle.write(data, done, data.length - done);
      done += bytesWritten;
    }
  }

  async flush(): Promise<void> {
    if (this.buffered > 0) await this.drain();
    await this.writing;
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}

