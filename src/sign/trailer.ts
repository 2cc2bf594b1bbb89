import { open, stat } from 'node:fs/promises';

/**
 * MCPB_SIG_V1 trailer parsing (mcpb-format.md §6). A signed bundle is
 *   Z | "MCPB_SIG_V1" | N (uint32 LE) | DER CMS (N bytes) | "MCPB_SIG_END"
 * and the EOCD comment length inside Z is either the pre-signing length d (variant A) or d + T
 * (variants B and C, where T = 27 + N is the trailer length). Every reader strips trailers and
 * restores the comment length before parsing the ZIP, so signing never changes what is read.
 */
export const SIG_START = Buffer.from('MCPB_SIG_V1', 'ascii');
export const SIG_END = Buffer.from('MCPB_SIG_END', 'ascii');
const LEGACY_END = Buffer.from('DXT_SIG_END', 'ascii');
const EOCD_MAGIC = Buffer.from([0x50, 0x4b, 0x05, 0x06]);
/** Overhead of a trailer around its DER: 11 + 4 + 12. */
export const TRAILER_OVERHEAD = SIG_START.length + 4 + SIG_END.length;
const MAX_COMMENT = 0xffff;
/** How much of the file end we read: the largest valid trailer plus EOCD, with margin for stacking. */
const TAIL_BYTES = 1 << 20;

export interface SignatureTrailer {
  /** Offset of "MCPB_SIG_V1" = length of the bytes before this trailer. */
  offset: number;
  /** T: the whole trailer, markers included. */
  length: number;
  der: Buffer;
}

export interface TrailerInfo {
  state: 'unsigned' | 'signed' | 'malformed';
  fileSize: number;
  /** Length of the ZIP proper once every trailer is stripped. */
  zipLength: number;
  /** Offset of the end-of-central-directory record (within the ZIP proper). */
  eocdOffset?: number;
  /** comment_length as stored in the file. */
  storedCommentLength?: number;
  /** d: the comment length the unsigned ZIP had, what readers must see. */
  originalCommentLength?: number;
  /** Trailers from the outermost (last in the file) inwards. More than one = stacked (official re-sign). */
  trailers: SignatureTrailer[];
  /** The outermost signature (what `verify` checks). */
  der?: Buffer;
  /** Length of the bytes the outermost signature covers (Z, including any inner trailers). */
  signedLength?: number;
  reason?: string;
  warnings: string[];
}

/**
 * Parses the trailers at the end of a file. `tail` holds the last `tail.length` bytes of a file of
 * `fileSize` bytes (the whole file when it is small). Positions in the result are absolute.
 */
export function locateTrailer(tail: Buffer, fileSize: number): TrailerInfo {
  const base = fileSize - tail.length;
  const warnings: string[] = [];
  const trailers: SignatureTrailer[] = [];
  let end = fileSize; // absolute end of the current Z candidate

  const endsWith = (marker: Buffer, at: number) =>
    at - base >= marker.length && tail.subarray(at - base - marker.length, at - base).equals(marker);

  while (endsWith(SIG_END, end)) {
    // Find "MCPB_SIG_V1" at p with p + 15 + N + 12 = end, trying candidates from the end backwards.
    let found: SignatureTrailer | undefined;
    let searchFrom = end - base - SIG_END.length - SIG_START.length;
    while (searchFrom >= 0) {
      const rel = tail.lastIndexOf(SIG_START, searchFrom);
      if (rel < 0) break;
      if (rel + SIG_START.length + 4 <= tail.length) {
        const n = tail.readUInt32LE(rel + SIG_START.length);
        const abs = base + rel;
        if (abs + TRAILER_OVERHEAD + n === end) {
          const derStart = rel + SIG_START.length + 4;
          found = { offset: abs, length: TRAILER_OVERHEAD + n, der: Buffer.from(tail.subarray(derStart, derStart + n)) };
          break;
        }
      }
      searchFrom = rel - 1;
    }
    if (!found) {
      if (trailers.length === 0) {
        return {
          state: 'malformed',
          fileSize,
          zipLength: fileSize,
          trailers,
          reason: 'the file ends with MCPB_SIG_END but no MCPB_SIG_V1 block of a consistent length precedes it',
          warnings,
        };
      }
      break; // inner bytes merely end like a marker: stop stripping at the last consistent trailer
    }
    trailers.push(found);
    end = found.offset;
  }

  if (trailers.length === 0 && endsWith(LEGACY_END, fileSize)) {
    warnings.push('legacy DXT_SIG_V1 signature markers found; they are not supported (re-sign with mpak bundle sign)');
  }
  if (trailers.length > 1) {
    warnings.push(`${trailers.length} stacked signature blocks (appended by an older signer); only the last one is checked`);
  }

  const zipLength = end;
  // The EOCD lies in the ZIP proper: scan backwards from zipLength - 22 over at most 65,535 comment bytes.
  let eocdOffset: number | undefined;
  const lowest = Math.max(base, zipLength - 22 - MAX_COMMENT);
  const from = zipLength - 22 - base;
  if (from >= 0) {
    const hit = tail.lastIndexOf(EOCD_MAGIC, from);
    if (hit >= 0 && base + hit >= lowest) eocdOffset = base + hit;
  }
  if (eocdOffset === undefined) {
    return {
      state: trailers.length > 0 ? 'malformed' : 'unsigned',
      fileSize,
      zipLength,
      trailers,
      ...(trailers[0] ? { der: trailers[0].der, signedLength: trailers[0].offset } : {}),
      reason: 'no end-of-central-directory record found: not a ZIP archive',
      warnings,
    };
  }
  const storedCommentLength = tail.readUInt16LE(eocdOffset - base + 20);
  const originalCommentLength = zipLength - (eocdOffset + 22);
  const info: TrailerInfo = {
    state: trailers.length > 0 ? 'signed' : 'unsigned',
    fileSize,
    zipLength,
    eocdOffset,
    storedCommentLength,
    originalCommentLength,
    trailers,
    warnings,
  };
  const outer = trailers[0];
  if (outer) {
    info.der = outer.der;
    info.signedLength = outer.offset;
    // Allowed stored lengths: d (A) or d + T (B, C), with d and T measured for the outermost block.
    const dOuter = outer.offset - (eocdOffset + 22);
    const allowed = [dOuter, dOuter + outer.length];
    if (!allowed.includes(storedCommentLength) && trailers.length === 1) {
      info.state = 'malformed';
      info.reason = `EOCD comment length ${storedCommentLength} fits none of the signature variants (expected ${allowed.join(' or ')})`;
    }
  } else if (storedCommentLength !== originalCommentLength) {
    // An unsigned ZIP whose comment length disagrees with the bytes present: readers will reject it.
    info.warnings.push(
      `EOCD comment length ${storedCommentLength} does not match the ${originalCommentLength} bytes after the EOCD`,
    );
  }
  return info;
}

/** Reads the end of a file and parses its signature trailers (see `locateTrailer`). */
export async function readSignatureTrailer(path: string): Promise<TrailerInfo> {
  const { size } = await stat(path);
  const length = Math.min(size, TAIL_BYTES);
  const handle = await open(path, 'r');
  try {
    const tail = Buffer.alloc(length);
    await handle.read(tail, 0, length, size - length);
    return locateTrailer(tail, size);
  } finally {
    await handle.close();
  }
}
