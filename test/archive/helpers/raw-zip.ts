/**
 * A tiny raw ZIP builder and parser for tests. The builder lets a test set every header field
 * independently in the local and central records, which is how the hostile-archive corpus is made
 * at test time (no malicious binaries in the repository). The parser reads back what a writer
 * produced without going through the code under test.
 */
import { crc32, deflateRawSync } from 'node:zlib';

export interface RawEntry {
  name: string | Buffer;
  /** Uncompressed content; compressed with `method` unless `raw` is given. */
  content?: Buffer;
  /** Bytes stored after the local header, as-is. */
  raw?: Buffer;
  method?: number;
  flags?: number;
  madeBy?: number;
  versionNeeded?: number;
  externalAttributes?: number;
  crc?: number;
  compressedSize?: number;
  size?: number;
  extra?: Buffer;
  /** Overrides for the local header only. */
  local?: { name?: string | Buffer; method?: number; flags?: number; crc?: number; compressedSize?: number; size?: number; extra?: Buffer };
  /** Point the central record at the local header of entry #n instead of writing one. */
  shareLocalOf?: number;
  /** Write no local header; point the central record at this absolute offset. */
  atOffset?: number;
  /** Append a data descriptor after the data. */
  descriptor?: boolean;
}

export interface RawZipOptions {
  comment?: Buffer;
  commentLength?: number;
  count?: number;
  cdOffsetDelta?: number;
  cdSizeDelta?: number;
  prefix?: Buffer;
  /** Bytes between the central directory and the EOCD. */
  gapBeforeEocd?: Buffer;
  trailing?: Buffer;
  /** Write a ZIP64 EOCD record + locator claiming this many entries (the EOCD says 0xFFFF). */
  zip64Count?: number;
}

export function unixAttrs(mode: number): number {
  return (mode * 0x10000) >>> 0;
}

export function buildRawZip(entries: RawEntry[], options: RawZipOptions = {}): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  const push = (b: Buffer) => {
    parts.push(b);
    offset += b.length;
  };
  if (options.prefix) push(options.prefix);
  const records: { entry: RawEntry; name: Buffer; offset: number; crc: number; csize: number; size: number; method: number }[] = [];
  for (const entry of entries) {
    const name = Buffer.isBuffer(entry.name) ? entry.name : Buffer.from(entry.name, 'utf8');
    const method = entry.method ?? (entry.content && entry.content.length > 0 ? 8 : 0);
    const content = entry.content ?? Buffer.alloc(0);
    const data = entry.raw ?? (method === 8 ? deflateRawSync(content) : content);
    const crc = entry.crc ?? crc32(content) >>> 0;
    const csize = entry.compressedSize ?? data.length;
    const size = entry.size ?? content.length;
    if (entry.shareLocalOf !== undefined || entry.atOffset !== undefined) {
      records.push({ entry, name, offset: entry.atOffset ?? records[entry.shareLocalOf!]!.offset, crc, csize, size, method });
      continue;
    }
    const l = entry.local ?? {};
    const lname = l.name === undefined ? name : Buffer.isBuffer(l.name) ? l.name : Buffer.from(l.name, 'utf8');
    const lextra = l.extra ?? entry.extra ?? Buffer.alloc(0);
    const h = Buffer.alloc(30);
    h.writeUInt32LE(0x04034b50, 0);
    h.writeUInt16LE(entry.versionNeeded ?? 20, 4);
    h.writeUInt16LE(l.flags ?? entry.flags ?? 0, 6);
    h.writeUInt16LE(l.method ?? method, 8);
    h.writeUInt16LE(0, 10);
    h.writeUInt16LE(0x21, 12);
    h.writeUInt32LE(l.crc ?? crc, 14);
    h.writeUInt32LE(l.compressedSize ?? csize, 18);
    h.writeUInt32LE(l.size ?? size, 22);
    h.writeUInt16LE(lname.length, 26);
    h.writeUInt16LE(lextra.length, 28);
    records.push({ entry, name, offset, crc, csize, size, method });
    push(Buffer.concat([h, lname, lextra, data]));
    if (entry.descriptor) {
      const d = Buffer.alloc(16);
      d.writeUInt32LE(0x08074b50, 0);
      d.writeUInt32LE(crc, 4);
      d.writeUInt32LE(csize, 8);
      d.writeUInt32LE(size, 12);
      push(d);
    }
  }
  const cdOffset = offset;
  for (const r of records) {
    const extra = r.entry.extra ?? Buffer.alloc(0);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(r.entry.madeBy ?? 0x0314, 4);
    c.writeUInt16LE(r.entry.versionNeeded ?? 20, 6);
    c.writeUInt16LE(r.entry.flags ?? 0, 8);
    c.writeUInt16LE(r.method, 10);
    c.writeUInt16LE(0, 12);
    c.writeUInt16LE(0x21, 14);
    c.writeUInt32LE(r.crc, 16);
    c.writeUInt32LE(r.csize, 20);
    c.writeUInt32LE(r.size, 24);
    c.writeUInt16LE(r.name.length, 28);
    c.writeUInt16LE(extra.length, 30);
    c.writeUInt32LE(r.entry.externalAttributes ?? unixAttrs(0o100644), 38);
    c.writeUInt32LE(r.offset, 42);
    push(Buffer.concat([c, r.name, extra]));
  }
  const cdSize = offset - cdOffset;
  if (options.gapBeforeEocd) push(options.gapBeforeEocd);
  if (options.zip64Count !== undefined) {
    const recordOffset = offset;
    const r = Buffer.alloc(56);
    r.writeUInt32LE(0x06064b50, 0);
    r.writeBigUInt64LE(44n, 4);
    r.writeUInt16LE(0x032d, 12);
    r.writeUInt16LE(45, 14);
    r.writeBigUInt64LE(BigInt(options.zip64Count), 24);
    r.writeBigUInt64LE(BigInt(options.zip64Count), 32);
    r.writeBigUInt64LE(BigInt(cdSize), 40);
    r.writeBigUInt64LE(BigInt(cdOffset), 48);
    const l = Buffer.alloc(20);
    l.writeUInt32LE(0x07064b50, 0);
    l.writeBigUInt64LE(BigInt(recordOffset), 8);
    l.writeUInt32LE(1, 16);
    push(Buffer.concat([r, l]));
  }
  const comment = options.comment ?? Buffer.alloc(0);
  const e = Buffer.alloc(22);
  e.writeUInt32LE(0x06054b50, 0);
  const count = options.zip64Count !== undefined ? 0xffff : (options.count ?? records.length);
  e.writeUInt16LE(count & 0xffff, 8);
  e.writeUInt16LE(count & 0xffff, 10);
  e.writeUInt32LE(cdSize + (options.cdSizeDelta ?? 0), 12);
  e.writeUInt32LE(cdOffset + (options.cdOffsetDelta ?? 0), 16);
  e.writeUInt16LE(options.commentLength ?? comment.length, 20);
  push(Buffer.concat([e, comment]));
  if (options.trailing) push(options.trailing);
  return Buffer.concat(parts);
}

export interface ParsedEntry {
  name: string;
  madeBy: number;
  versionNeeded: number;
  flags: number;
  method: number;
  dosTime: number;
  dosDate: number;
  localDosDate: number;
  crc: number;
  compressedSize: number;
  size: number;
  extra: Buffer;
  externalAttributes: number;
  offset: number;
}

/** Reads the EOCD and the central directory of a well-formed, comment-free archive. */
export function parseRawZip(bytes: Buffer): { entries: ParsedEntry[]; commentLength: number } {
  const e = bytes.length - 22;
  if (bytes.readUInt32LE(e) !== 0x06054b50) throw new Error('no EOCD at the end');
  const count = bytes.readUInt16LE(10 + e);
  let p = bytes.readUInt32LE(e + 16);
  const entries: ParsedEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (bytes.readUInt32LE(p) !== 0x02014b50) throw new Error('bad central header');
    const nameLength = bytes.readUInt16LE(p + 28);
    const extraLength = bytes.readUInt16LE(p + 30);
    const commentLength = bytes.readUInt16LE(p + 32);
    const offset = bytes.readUInt32LE(p + 42);
    entries.push({
      madeBy: bytes.readUInt16LE(p + 4),
      versionNeeded: bytes.readUInt16LE(p + 6),
      flags: bytes.readUInt16LE(p + 8),
      method: bytes.readUInt16LE(p + 10),
      dosTime: bytes.readUInt16LE(p + 12),
      dosDate: bytes.readUInt16LE(p + 14),
      localDosDate: bytes.readUInt16LE(offset + 12),
      crc: bytes.readUInt32LE(p + 16),
      compressedSize: bytes.readUInt32LE(p + 20),
      size: bytes.readUInt32LE(p + 24),
      externalAttributes: bytes.readUInt32LE(p + 38),
      offset,
      name: bytes.subarray(p + 46, p + 46 + nameLength).toString('utf8'),
      extra: bytes.subarray(p + 46 + nameLength, p + 46 + nameLength + extraLength),
    });
    p += 46 + nameLength + extraLength + commentLength;
  }
  return { entries, commentLength: bytes.readUInt16LE(e + 20) };
}

/** A complete local header + STORED data, e.g. to hide inside another entry's data (overlap bombs). */
export function storedLocalRecord(name: string, content: Buffer): Buffer {
  const n = Buffer.from(name, 'utf8');
  const h = Buffer.alloc(30);
  h.writeUInt32LE(0x04034b50, 0);
  h.writeUInt16LE(20, 4);
  h.writeUInt16LE(0x21, 12);
  h.writeUInt32LE(crc32(content) >>> 0, 14);
  h.writeUInt32LE(content.length, 18);
  h.writeUInt32LE(content.length, 22);
  h.writeUInt16LE(n.length, 26);
  return Buffer.concat([h, n, content]);
}
