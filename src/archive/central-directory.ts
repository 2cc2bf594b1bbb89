/**
 * Our own strict parse of a ZIP's structure (mcpb-format §5): the EOCD (and ZIP64 records, read
 * but never written), every central record, and every local header. The central directory is the
 * truth; a local header, data descriptor or EOCD that disagrees with it, entries whose bytes
 * overlap, and names or types that could escape or confuse the destination are all rejected here,
 * before a single byte is extracted.
 */
import { inputError, type MpakError } from '../errors.js';
import { foldKey, parentDirectories, unsafeNameReason } from './entry-names.js';
import {
  CENTRAL_HEADER_SIZE,
  EOCD_SIZE,
  FLAG_CD_ENCRYPTED,
  FLAG_DATA_DESCRIPTOR,
  FLAG_ENCRYPTED,
  FLAG_STRONG_ENCRYPTION,
  FLAG_UTF8,
  LOCAL_HEADER_SIZE,
  MAX_U32,
  METHOD_DEFLATE,
  METHOD_STORE,
  SIG_CENTRAL,
  SIG_DATA_DESCRIPTOR,
  SIG_EOCD,
  SIG_LOCAL,
  SIG_ZIP64_EOCD,
  SIG_ZIP64_LOCATOR,
  S_IFBLK,
  S_IFCHR,
  S_IFDIR,
  S_IFIFO,
  S_IFLNK,
  S_IFMT,
  S_IFREG,
  S_IFSOCK,
  UNIX_HOSTS,
  ZIP64_EOCD_SIZE,
  ZIP64_LOCATOR_SIZE,
  decodeCp437,
  decodeUtf8Strict,
} from './zip-format.js';

export interface ArchiveLimits {
  /** More entries than this are refused (65,535: what a non-ZIP64 archive can hold). */
  maxEntries: number;
  /** Refuse when the declared uncompressed total exceeds this (2 GiB). */
  maxTotalSize: number;
  /** Refuse an entry larger than `ratioMinSize` whose size / compressed size exceeds this (100). */
  maxRatio: number;
  ratioMinSize: number;
  /** Largest central directory we are willing to load (64 MiB). */
  maxCentralDirectorySize: number;
}

export const DEFAULT_LIMITS: ArchiveLimits = {
  maxEntries: 65_535,
  maxTotalSize: 2 * 1024 ** 3,
  maxRatio: 100,
  ratioMinSize: 1024 ** 2,
  maxCentralDirectorySize: 64 * 1024 ** 2,
};

/** Reads `length` bytes at `position` of the ZIP proper; throws on reading past its end. */
export type ReadAt = (position: number, length: number) => Promise<Buffer>;

export interface CentralEntry {
  /** Decoded name; directories end with `/`. */
  name: string;
  nameRaw: Buffer;
  isDirectory: boolean;
  /** 0o755 or 0o644 (directories 0o755). */
  mode: number;
  size: number;
  compressedSize: number;
  crc32: number;
  method: number;
  flags: number;
  localHeaderOffset: number;
  /** Offset of the first data byte (after the local header). */
  dataOffset: number;
}

export interface CentralDirectory {
  entries: CentralEntry[];
  eocdOffset: number;
  cdOffset: number;
  cdSize: number;
  commentLength: number;
  zip64: boolean;
}

export interface ParseOptions {
  limits: ArchiveLimits;
  /** Apply the Windows-only name rules (reserved device names, `:`, trailing dot or space). */
  windows: boolean;
  /** For messages: how to name the archive. */
  label: string;
}

const hostile = (label: string, message: string): MpakError =>
  inputError('ARCHIVE_HOSTILE', `${label}: ${message}`, {
    suggestions: ['Do not use this archive; ask its publisher for a bundle built with mpak bundle pack or mcpb pack.'],
  });
const corrupt = (label: string, message: string): MpakError =>
  inputError('ARCHIVE_CORRUPT', `${label}: ${message}`, {
    suggestions: ['Download or pack the bundle again; the file is damaged or not a ZIP archive.'],
  });

/** Parses and checks the whole structure of the ZIP held in the first `zipLength` bytes. */
export async function parseCentralDirectory(read: ReadAt, zipLength: number, opts: ParseOptions): Promise<CentralDirectory> {
  const { label, limits } = opts;
  const eocd = await findEocd(read, zipLength, label);
  const entries: CentralEntry[] = [];
  if (eocd.count > limits.maxEntries) throw hostile(label, `${eocd.count} entries exceed the limit of ${limits.maxEntries}`);
  if (eocd.cdSize > limits.maxCentralDirectorySize) throw hostile(label, `central directory of ${eocd.cdSize} bytes exceeds the limit`);
  if (eocd.cdOffset + eocd.cdSize !== eocd.cdEnd) {
    throw corrupt(label, `central directory (offset ${eocd.cdOffset}, ${eocd.cdSize} bytes) does not end where the EOCD says (${eocd.cdEnd})`);
  }
  const cd = await read(eocd.cdOffset, eocd.cdSize);
  let p = 0;
  let total = 0;
  for (let i = 0; i < eocd.count; i++) {
    if (p + CENTRAL_HEADER_SIZE > cd.length || cd.readUInt32LE(p) !== SIG_CENTRAL) {
      throw corrupt(label, `central directory record ${i + 1} of ${eocd.count} is missing or damaged`);
    }
    const entry = parseCentralRecord(cd, p, label, opts.windows);
    p = entry.next;
    const e = entry.entry;
    total += e.size;
    if (total > limits.maxTotalSize) throw hostile(label, `declared uncompressed total exceeds ${limits.maxTotalSize} bytes (at entry "${e.name}")`);
    if (e.size > limits.ratioMinSize && e.size > e.compressedSize * limits.maxRatio) {
      throw hostile(label, `entry "${e.name}": compression ratio ${(e.size / Math.max(1, e.compressedSize)).toFixed(0)}:1 exceeds ${limits.maxRatio}:1 (zip bomb)`);
    }
    entries.push(e);
  }
  if (p !== cd.length) throw corrupt(label, `central directory holds ${cd.length - p} bytes after its ${eocd.count} declared records`);
  checkNameSet(entries, label);
  await checkLocalHeaders(read, entries, eocd.cdOffset, label);
  return { entries, eocdOffset: eocd.offset, cdOffset: eocd.cdOffset, cdSize: eocd.cdSize, commentLength: eocd.commentLength, zip64: eocd.zip64 };
}

interface Eocd {
  offset: number;
  count: number;
  cdOffset: number;
  cdSize: number;
  /** Where the central directory must end: the EOCD, or the ZIP64 EOCD record. */
  cdEnd: number;
  commentLength: number;
  zip64: boolean;
}

async function findEocd(read: ReadAt, zipLength: number, label: string): Promise<Eocd> {
  if (zipLength < EOCD_SIZE) throw inputError('ARCHIVE_CORRUPT', `${label}: ${zipLength} bytes is too short to be a ZIP archive`);
  const tailLength = Math.min(zipLength, EOCD_SIZE + 0xffff);
  const tailStart = zipLength - tailLength;
  const tail = await read(tailStart, tailLength);
  let at = -1;
  for (let i = tail.length - EOCD_SIZE; i >= 0; i--) {
    if (tail.readUInt32LE(i) === SIG_EOCD) {
      at = i;
      break;
    }
  }
  if (at < 0) throw corrupt(label, 'no end-of-central-directory record: not a ZIP archive, or truncated');
  const commentLength = tail.readUInt16LE(at + 20);
  if (at + EOCD_SIZE + commentLength !== tail.length) {
    throw corrupt(label, `EOCD comment length ${commentLength} disagrees with the ${tail.length - at - EOCD_SIZE} bytes after the EOCD`);
  }
  const offset = tailStart + at;
  const disk = tail.readUInt16LE(at + 4);
  const cdDisk = tail.readUInt16LE(at + 6);
  const onDisk = tail.readUInt16LE(at + 8);
  let count = tail.readUInt16LE(at + 10);
  let cdSize = tail.readUInt32LE(at + 12);
  let cdOffset = tail.readUInt32LE(at + 16);
  const wantsZip64 = count === 0xffff || cdSize === MAX_U32 || cdOffset === MAX_U32;
  if (!wantsZip64 && (disk !== 0 || cdDisk !== 0 || onDisk !== count)) throw corrupt(label, 'multi-disk archives are not supported');
  if (wantsZip64 && offset >= ZIP64_LOCATOR_SIZE) {
    const locator = await read(offset - ZIP64_LOCATOR_SIZE, ZIP64_LOCATOR_SIZE);
    if (locator.readUInt32LE(0) === SIG_ZIP64_LOCATOR) {
      const recordOffset = readU64(locator, 8, label);
      if (recordOffset + ZIP64_EOCD_SIZE > offset - ZIP64_LOCATOR_SIZE) throw corrupt(label, 'ZIP64 end-of-central-directory locator points past itself');
      const record = await read(recordOffset, ZIP64_EOCD_SIZE);
      if (record.readUInt32LE(0) !== SIG_ZIP64_EOCD) throw corrupt(label, 'ZIP64 end-of-central-directory record is missing');
      if (record.readUInt32LE(16) !== 0 || record.readUInt32LE(20) !== 0) throw corrupt(label, 'multi-disk archives are not supported');
      const onDisk64 = readU64(record, 24, label);
      count = readU64(record, 32, label);
      if (onDisk64 !== count) throw corrupt(label, 'multi-disk archives are not supported');
      cdSize = readU64(record, 40, label);
      cdOffset = readU64(record, 48, label);
      return { offset, count, cdOffset, cdSize, cdEnd: recordOffset, commentLength, zip64: true };
    }
  }
  return { offset, count, cdOffset, cdSize, cdEnd: offset, commentLength, zip64: false };
}

function readU64(b: Buffer, at: number, label: string): number {
  const v = b.readBigUInt64LE(at);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw corrupt(label, 'a ZIP64 size or offset is out of range');
  return Number(v);
}

function parseCentralRecord(cd: Buffer, p: number, label: string, windows: boolean): { entry: CentralEntry; next: number } {
  const madeBy = cd.readUInt16LE(p + 4);
  const flags = cd.readUInt16LE(p + 8);
  const method = cd.readUInt16LE(p + 10);
  const crc32 = cd.readUInt32LE(p + 16);
  let compressedSize = cd.readUInt32LE(p + 20);
  let size = cd.readUInt32LE(p + 24);
  const nameLength = cd.readUInt16LE(p + 28);
  const extraLength = cd.readUInt16LE(p + 30);
  const commentLength = cd.readUInt16LE(p + 32);
  const attrs = cd.readUInt32LE(p + 38);
  let localHeaderOffset = cd.readUInt32LE(p + 42);
  const next = p + CENTRAL_HEADER_SIZE + nameLength + extraLength + commentLength;
  if (next > cd.length) throw corrupt(label, 'a central directory record runs past the end of the central directory');
  const nameRaw = Buffer.from(cd.subarray(p + CENTRAL_HEADER_SIZE, p + CENTRAL_HEADER_SIZE + nameLength));
  const extra = cd.subarray(p + CENTRAL_HEADER_SIZE + nameLength, p + CENTRAL_HEADER_SIZE + nameLength + extraLength);

  const name = decodeName(nameRaw, flags, label);
  const shown = JSON.stringify(name);
  if (flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION | FLAG_CD_ENCRYPTED)) throw hostile(label, `entry ${shown} is encrypted`);
  if (method !== METHOD_STORE && method !== METHOD_DEFLATE) throw hostile(label, `entry ${shown} uses compression method ${method}; only STORE (0) and DEFLATE (8) are allowed`);
  const reason = unsafeNameReason(name, { windows });
  if (reason) throw hostile(label, `entry ${shown}: ${reason}`);

  const zip64 = readZip64Extra(extra, { size: size === MAX_U32, compressedSize: compressedSize === MAX_U32, offset: localHeaderOffset === MAX_U32 }, label, shown);
  size = zip64.size ?? size;
  compressedSize = zip64.compressedSize ?? compressedSize;
  localHeaderOffset = zip64.offset ?? localHeaderOffset;

  const unix = UNIX_HOSTS.has(madeBy >> 8);
  const unixMode = unix ? attrs >>> 16 : 0;
  const type = unixMode & S_IFMT;
  if (type === S_IFLNK) throw hostile(label, `entry ${shown} is a symbolic link`);
  if (type === S_IFIFO || type === S_IFCHR || type === S_IFBLK || type === S_IFSOCK) throw hostile(label, `entry ${shown} is a FIFO, device or socket`);
  if (type !== 0 && type !== S_IFREG && type !== S_IFDIR) throw hostile(label, `entry ${shown} has unknown file type bits ${type.toString(8)}`);
  const isDirectory = name.endsWith('/') || type === S_IFDIR || (attrs & 0x10) !== 0;
  if (isDirectory && size !== 0) throw hostile(label, `directory entry ${shown} declares ${size} bytes of content`);
  if (method === METHOD_STORE && compressedSize !== size) throw corrupt(label, `stored entry ${shown} has compressed size ${compressedSize} but size ${size}`);
  const mode = isDirectory ? 0o755 : unix && (unixMode & 0o111) !== 0 ? 0o755 : 0o644;
  return {
    entry: {
      name: isDirectory && !name.endsWith('/') ? `${name}/` : name,
      nameRaw,
      isDirectory,
      mode,
      size,
      compressedSize,
      crc32,
      method,
      flags,
      localHeaderOffset,
      dataOffset: -1,
    },
    next,
  };
}

function decodeName(raw: Buffer, flags: number, label: string): string {
  if (flags & FLAG_UTF8) {
    const text = decodeUtf8Strict(raw);
    if (text === undefined) throw hostile(label, `entry name ${JSON.stringify(raw.toString('latin1'))} is flagged UTF-8 but is not valid UTF-8`);
    return text;
  }
  return decodeCp437(raw);
}

/** The ZIP64 extended-information extra field: present values replace the 0xFFFFFFFF markers, in order. */
function readZip64Extra(
  extra: Buffer,
  need: { size: boolean; compressedSize: boolean; offset: boolean },
  label: string,
  shown: string,
): { size?: number; compressedSize?: number; offset?: number } {
  let p = 0;
  while (p < extra.length) {
    if (p + 4 > extra.length) throw corrupt(label, `entry ${shown}: truncated extra field`);
    const id = extra.readUInt16LE(p);
    const len = extra.readUInt16LE(p + 2);
    if (p + 4 + len > extra.length) throw corrupt(label, `entry ${shown}: extra field runs past its end`);
    if (id === 0x0001) {
      const body = extra.subarray(p + 4, p + 4 + len);
      const out: { size?: number; compressedSize?: number; offset?: number } = {};
      let q = 0;
      const take = () => {
        if (q + 8 > body.length) throw corrupt(label, `entry ${shown}: ZIP64 extra field too short`);
        const v = readU64(body, q, label);
        q += 8;
        return v;
      };
      if (need.size) out.size = take();
      if (need.compressedSize) out.compressedSize = take();
      if (need.offset) out.offset = take();
      return out;
    }
    p += 4 + len;
  }
  if (need.size || need.compressedSize || need.offset) throw corrupt(label, `entry ${shown}: 0xFFFFFFFF size or offset without a ZIP64 extra field`);
  return {};
}

/** Duplicates, file-vs-directory clashes and case/normalisation collisions, on every OS. */
function checkNameSet(entries: CentralEntry[], label: string): void {
  const exact = new Map<string, CentralEntry>();
  const folded = new Map<string, string>();
  const dirs = new Set<string>();
  for (const e of entries) {
    const path = e.isDirectory ? e.name.slice(0, -1) : e.name;
    if (exact.has(path)) throw hostile(label, `duplicate entry ${JSON.stringify(e.name)}`);
    exact.set(path, e);
    if (e.isDirectory) dirs.add(path);
    for (const parent of parentDirectories(path)) dirs.add(parent);
  }
  for (const dir of dirs) {
    const e = exact.get(dir);
    if (e && !e.isDirectory) throw hostile(label, `${JSON.stringify(dir)} is both a file and a directory`);
  }
  for (const path of new Set([...exact.keys(), ...dirs])) {
    const key = foldKey(path);
    const other = folded.get(key);
    if (other !== undefined) throw hostile(label, `entries ${JSON.stringify(other)} and ${JSON.stringify(path)} collide on case-insensitive filesystems`);
    folded.set(key, path);
  }
}

/** Each local header must agree with its central record; no two entries may share bytes. */
async function checkLocalHeaders(read: ReadAt, entries: CentralEntry[], cdOffset: number, label: string): Promise<void> {
  const ranges: { start: number; end: number; name: string }[] = [];
  for (const e of entries) {
    const shown = JSON.stringify(e.name);
    if (e.localHeaderOffset + LOCAL_HEADER_SIZE > cdOffset) throw corrupt(label, `entry ${shown}: local header offset ${e.localHeaderOffset} is past the entry data area`);
    const h = await read(e.localHeaderOffset, LOCAL_HEADER_SIZE);
    if (h.readUInt32LE(0) !== SIG_LOCAL) throw corrupt(label, `entry ${shown}: no local header at offset ${e.localHeaderOffset}`);
    const flags = h.readUInt16LE(6);
    const method = h.readUInt16LE(8);
    const nameLength = h.readUInt16LE(26);
    const extraLength = h.readUInt16LE(28);
    const dataOffset = e.localHeaderOffset + LOCAL_HEADER_SIZE + nameLength + extraLength;
    if (dataOffset > cdOffset) throw corrupt(label, `entry ${shown}: local header runs into the central directory`);
    const rest = await read(e.localHeaderOffset + LOCAL_HEADER_SIZE, nameLength + extraLength);
    const mismatch = (what: string) => corrupt(label, `entry ${shown}: local header and central directory disagree on ${what}`);
    if (!rest.subarray(0, nameLength).equals(e.nameRaw)) throw mismatch('the name');
    if (method !== e.method) throw mismatch('the compression method');
    if ((flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION)) !== (e.flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION))) throw mismatch('encryption');
    if ((flags & FLAG_UTF8) !== (e.flags & FLAG_UTF8) && e.nameRaw.some((b) => b >= 0x80)) throw mismatch('the name encoding');
    const descriptor = (flags & FLAG_DATA_DESCRIPTOR) !== 0;
    const crc = h.readUInt32LE(14);
    let compressedSize = h.readUInt32LE(18);
    let size = h.readUInt32LE(22);
    if (compressedSize === MAX_U32 || size === MAX_U32) {
      const z = readZip64Extra(rest.subarray(nameLength), { size: size === MAX_U32, compressedSize: compressedSize === MAX_U32, offset: false }, label, shown);
      size = z.size ?? size;
      compressedSize = z.compressedSize ?? compressedSize;
    }
    const zeroed = descriptor && crc === 0 && compressedSize === 0 && size === 0;
    if (!zeroed && (crc !== e.crc32 || compressedSize !== e.compressedSize || size !== e.size)) throw mismatch('the CRC or sizes');
    let end = dataOffset + e.compressedSize;
    if (end > cdOffset) throw corrupt(label, `entry ${shown}: data runs past the entry data area (truncated or overlapping the central directory)`);
    if (descriptor) {
      const d = await read(end, Math.min(24, cdOffset - end));
      const sig = d.length >= 4 && d.readUInt32LE(0) === SIG_DATA_DESCRIPTOR ? 4 : 0;
      if (d.length < sig + 12) throw corrupt(label, `entry ${shown}: data descriptor missing`);
      const dcrc = d.readUInt32LE(sig);
      const d32 = [d.readUInt32LE(sig + 4), d.readUInt32LE(sig + 8)];
      const d64 = d.length >= sig + 20 ? [Number(d.readBigUInt64LE(sig + 4)), Number(d.readBigUInt64LE(sig + 12))] : undefined;
      const fits32 = d32[0] === e.compressedSize && d32[1] === e.size;
      const fits64 = d64 !== undefined && d64[0] === e.compressedSize && d64[1] === e.size;
      if (dcrc !== e.crc32 || (!fits32 && !fits64)) throw mismatch('the data descriptor');
      end += sig + (fits32 ? 8 : 16) + 4;
    }
    e.dataOffset = dataOffset;
    ranges.push({ start: e.localHeaderOffset, end, name: e.name });
  }
  ranges.sort((a, b) => a.start - b.start);
  for (let i = 1; i < ranges.length; i++) {
    const prev = ranges[i - 1]!;
    const cur = ranges[i]!;
    if (cur.start < prev.end) {
      throw hostile(label, `entries ${JSON.stringify(prev.name)} and ${JSON.stringify(cur.name)} overlap in the archive (overlapping-entry zip bomb)`);
    }
  }
}
