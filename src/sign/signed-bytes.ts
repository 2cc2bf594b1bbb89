import { createHash, type Hash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';

/**
 * The bytes a bundle signature covers: the ZIP proper Z (length L), optionally with the EOCD
 * comment_length (2 bytes at E + 20) replaced. Streamed in 1 MiB chunks, so a 50 MB bundle is
 * never held in memory, and one pass can serve several variants (B and C differ in 2 bytes only).
 */

const CHUNK = 1 << 20;

export interface SignedRange {
  /** L: bytes [0, L) are covered. */
  length: number;
  /** E: offset of the EOCD record. */
  eocdOffset: number;
}

async function forEachChunk(handle: FileHandle, start: number, end: number, fn: (chunk: Buffer) => void): Promise<void> {
  const buf = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(end - start, 1)));
  let pos = start;
  while (pos < end) {
    const want = Math.min(buf.length, end - pos);
    const { bytesRead } = await handle.read(buf, 0, want, pos);
    if (bytesRead === 0) throw new Error(`unexpected end of file at ${pos}`);
    fn(buf.subarray(0, bytesRead));
    pos += bytesRead;
  }
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
}

/**
 * Digests of Z under several comment_length values: `commentLengths[i]` replaces the 2 stored
 * bytes at E + 20, or `null` keeps them as stored. The long prefix is hashed once and forked.
 */
export async function digestVariants(
  path: string,
  range: SignedRange,
  algorithm: string,
  commentLengths: Array<number | null>,
): Promise<Buffer[]> {
  const handle = await open(path, 'r');
  try {
    const split = range.eocdOffset + 20;
    const prefix = createHash(algorithm);
    await forEachChunk(handle, 0, split, (c) => prefix.update(c));
    const stored = Buffer.alloc(2);
    await handle.read(stored, 0, 2, split);
    const rest: Buffer[] = [];
    await forEachChunk(handle, split + 2, range.length, (c) => rest.push(Buffer.from(c)));
    const restBytes = Buffer.concat(rest);
    return commentLengths.map((c, i) => {
      const h: Hash = i === commentLengths.length - 1 ? prefix : prefix.copy();
      h.update(c === null ? stored : u16(c));
      h.update(restBytes);
      return h.digest();
    });
  } finally {
    await handle.close();
  }
}

/**
 * Copies Z to `out` with comment_length set to `commentLength`, then appends `suffix` (a trailer,
 * or nothing). Used by sign (c = d + T, trailer appended) and unsign (c = d, nothing appended).
 */
export async function writeSignedBytes(
  path: string,
  range: SignedRange,
  commentLength: number,
  out: FileHandle,
  suffix: Buffer = Buffer.alloc(0),
): Promise<void> {
  const handle = await open(path, 'r');
  try {
    const split = range.eocdOffset + 20;
    let position = 0;
    const write = async (b: Buffer) => {
      let off = 0;
      while (off < b.length) {
        const { bytesWritten } = await out.write(b, off, b.length - off, position);
        off += bytesWritten;
        position += bytesWritten;
      }
    };
    const copy = async (start: number, end: number) => {
      const buf = Buffer.allocUnsafe(CHUNK);
      let pos = start;
      while (pos < end) {
        const { bytesRead } = await handle.read(buf, 0, Math.min(CHUNK, end - pos), pos);
        if (bytesRead === 0) throw new Error(`unexpected end of file at ${pos}`);
        await write(buf.subarray(0, bytesRead));
        pos += bytesRead;
      }
    };
    await copy(0, split);
    await write(u16(commentLength));
    await copy(split + 2, range.length);
    if (suffix.length > 0) await write(suffix);
  } finally {
    await handle.close();
  }
}
