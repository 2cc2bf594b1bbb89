/**
 * Scan-time decoders of §5 (atob, base64, hex, rot13, zlib) applied to constant strings. They
 * never throw: an undecodable input yields `undefined`, so a crafted literal cannot crash a scan.
 */
import { inflateSync, inflateRawSync, gunzipSync } from 'node:zlib';
import { isPrintableText } from './source.js';

export const MAX_DECODE_DEPTH = 3;

export function decodeBase64(s: string): string | undefined {
  const t = s.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(t) || t.length < 4) return undefined;
  try {
    return Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('latin1');
  } catch {
    return undefined;
  }
}

export function decodeHex(s: string): string | undefined {
  const t = s.replace(/^0x/i, '').replace(/\s+/g, '');
  if (t.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(t)) return undefined;
  return Buffer.from(t, 'hex').toString('latin1');
}

export function rot13(s: string): string {
  return s.replace(/[a-zA-Z]/g, (c) => {
    const base = c <= 'Z' ? 65 : 97;
    return String.fromCharCode(((c.charCodeAt(0) - base + 13) % 26) + base);
  });
}

export function zlibDecompress(s: string): string | undefined {
  const buf = Buffer.from(s, 'latin1');
  for (const f of [inflateSync, gunzipSync, inflateRawSync]) {
    try {
      return f(buf, { maxOutputLength: 4 << 20 }).toString('latin1');
    } catch {
      /* try the next container */
    }
  }
  return undefined;
}

/** Interpret latin1 bytes as UTF-8 when they are valid UTF-8 (decoded payloads are usually text). */
export function bytesToText(latin1: string): string {
  const buf = Buffer.from(latin1, 'latin1');
  const utf8 = buf.toString('utf8');
  return utf8.includes('\uFFFD') ? latin1 : utf8;
}

/** Whether a decoded string looks like text worth re-scanning. */
export function worthRescanning(s: string | undefined): s is string {
  return typeof s === 'string' && s.length >= 4 && isPrintableText(s, 0.8);
}
