/**
 * ZIP constants and small codecs shared by the writer and the reader: record signatures, DOS
 * timestamps, Unix mode bits in external attributes, and CP437 name decoding.
 */
import { inputError } from '../errors.js';

export const SIG_LOCAL = 0x04034b50;
export const SIG_CENTRAL = 0x02014b50;
export const SIG_EOCD = 0x06054b50;
export const SIG_ZIP64_EOCD = 0x06064b50;
export const SIG_ZIP64_LOCATOR = 0x07064b50;
export const SIG_DATA_DESCRIPTOR = 0x08074b50;

export const LOCAL_HEADER_SIZE = 30;
export const CENTRAL_HEADER_SIZE = 46;
export const EOCD_SIZE = 22;
export const ZIP64_LOCATOR_SIZE = 20;
export const ZIP64_EOCD_SIZE = 56;

/** Unix, spec version 2.0: what we write on every OS. */
export const MADE_BY_UNIX = 0x0314;
export const VERSION_NEEDED = 20;
export const FLAG_ENCRYPTED = 0x0001;
export const FLAG_DATA_DESCRIPTOR = 0x0008;
export const FLAG_STRONG_ENCRYPTION = 0x0040;
export const FLAG_UTF8 = 0x0800;
export const FLAG_CD_ENCRYPTED = 0x2000;
export const METHOD_STORE = 0;
export const METHOD_DEFLATE = 8;

export const MAX_ENTRIES = 0xffff;
export const MAX_U32 = 0xffffffff;

export const S_IFMT = 0o170000;
export const S_IFREG = 0o100000;
export const S_IFDIR = 0o040000;
export const S_IFLNK = 0o120000;
export const S_IFIFO = 0o010000;
export const S_IFCHR = 0o020000;
export const S_IFBLK = 0o060000;
export const S_IFSOCK = 0o140000;

/** Host systems in the high byte of "version made by" whose external attributes carry Unix modes. */
export const UNIX_HOSTS = new Set([3, 19]);

/** The two file modes a bundle may carry: executable or not. Nothing else survives pack or unpack. */
export function normalizedMode(mode: number): 0o755 | 0o644 {
  return (mode & 0o111) !== 0 ? 0o755 : 0o644;
}

export function externalAttributesFor(mode: number): number {
  return ((S_IFREG | normalizedMode(mode)) * 0x10000) >>> 0;
}

const MIN_EPOCH = Date.UTC(1980, 0, 1) / 1000;
const MAX_EPOCH = Date.UTC(2107, 11, 31, 23, 59, 58) / 1000;

export interface DosDateTime {
  date: number;
  time: number;
}

/** 1980-01-01T00:00:00Z: DOS date 0x0021, time 0. */
export const DEFAULT_DOS_DATE_TIME: DosDateTime = { date: 0x0021, time: 0 };

/**
 * The DOS timestamp for SOURCE_DATE_EPOCH: integer seconds, UTC fields, clamped to what DOS can
 * express (1980–2107) and floored to 2 seconds. Anything but a plain integer is an error, because a
 * silently ignored epoch would make a "reproducible" build quietly depend on the default.
 */
export function dosDateTimeFromEpoch(epoch: string | number | undefined): DosDateTime {
  if (epoch === undefined) return DEFAULT_DOS_DATE_TIME;
  const text = String(epoch).trim();
  if (!/^-?\d{1,15}$/.test(text)) {
    throw inputError('SOURCE_DATE_EPOCH_INVALID', `SOURCE_DATE_EPOCH must be an integer number of seconds, got "${String(epoch)}"`, {
      suggestions: ['SOURCE_DATE_EPOCH=$(git log -1 --format=%ct) mpak bundle pack'],
    });
  }
  const seconds = Math.min(MAX_EPOCH, Math.max(MIN_EPOCH, Number(text)));
  const d = new Date(Math.floor(seconds / 2) * 2000);
  return {
    date: ((d.getUTCFullYear() - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | (d.getUTCSeconds() >> 1),
  };
}

// CP437 upper half, as yauzl and Info-ZIP decode names without the UTF-8 flag.
const CP437_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■ ';

export function decodeCp437(bytes: Uint8Array): string {
  if (bytes.every((b) => b < 0x80)) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  let out = '';
  for (const b of bytes) out += b < 0x80 ? String.fromCharCode(b) : CP437_HIGH[b - 0x80];
  return out;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Strict UTF-8: undefined when the bytes are not valid UTF-8. */
export function decodeUtf8Strict(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}
