import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { siblingTempPath } from '../util/fs-atomic.js';

export type BlobCopyOutcome =
  | { ok: true; bytes: number }
  | { ok: false; reason: 'missing' | 'tampered' | 'unreachable'; message: string };

/** Where a blob can come from: a folder path or an http(s) URL. */
export type BlobLocation = { kind: 'file'; path: string } | { kind: 'url'; url: string };

/** Resolves a registry-relative or absolute artifact URL against the source registry base. */
export function blobLocation(base: { kind: 'folder'; dir: string } | { kind: 'http'; url: string }, ref: string): BlobLocation | undefined {
  if (/^https:\/\//i.test(ref)) return { kind: 'url', url: ref };
  if (/^http:\/\//i.test(ref)) {
    const host = new URL(ref).hostname;
    return host === '127.0.0.1' || host === 'localhost' || host === '[::1]' ? { kind: 'url', url: ref } : undefined;
  }
  if (/^file:\/\//i.test(ref)) return { kind: 'file', path: fileURLToPath(ref) };
  if (/^[a-z][a-z0-9+.-]*:/i.test(ref) || ref.startsWith('/') || ref.split('/').some((s) => s === '..' || s === '')) return undefined;
  return base.kind === 'folder' ? { kind: 'file', path: `${base.dir}/${ref}` } : { kind: 'url', url: new URL(ref, base.url).href };
}

/**
 * Streams a blob to `target`, hashing as it goes, and moves it into place only when the SHA-256
 * and size match what the signed metadata says. Reading stops one byte past the expected size,
 * so a hostile source cannot make us write more than that. Memory stays flat for any size.
 */
export async function copyVerifiedBlob(
  from: BlobLocation,
  target: string,
  expected: { sha256: string; size: number },
  fetchImpl: typeof fetch,
): Promise<BlobCopyOutcome> {
  let input: Readable;
  if (from.kind === 'file') {
    input = createReadStream(from.path, { start: 0, end: expected.size, highWaterMark: 1 << 20 });
    const opened = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
      input.once('open', () => resolve(null));
      input.once('error', (err) => resolve(err as NodeJS.ErrnoException));
    });
    if (opened) {
      return opened.code === 'ENOENT' || opened.code === 'ENOTDIR' || opened.code === 'EISDIR'
        ? { ok: false, reason: 'missing', message: `${from.path} does not exist` }
        : { ok: false, reason: 'unreachable', message: `${from.path}: ${opened.message}` };
    }
  } else {
    let response: Response;
    try {
      response = await fetchImpl(from.url, { redirect: 'follow' });
    } catch (err) {
      return { ok: false, reason: 'unreachable', message: `${from.url}: ${(err as Error).message}` };
    }
    if (response.status === 404) return { ok: false, reason: 'missing', message: `${from.url} answered 404` };
    if (!response.ok || !response.body) {
      await response.body?.cancel().catch(() => undefined);
      return { ok: false, reason: 'unreachable', message: `${from.url} answered HTTP ${response.status}` };
    }
    input = Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>);
  }

  const hash = createHash('sha256');
  let bytes = 0;
  const limit = expected.size;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      if (bytes > limit) return done(new Error('larger than the size in the signed metadata'));
      hash.update(chunk);
      done(null, chunk);
    },
  });
  await mkdir(dirname(target), { recursive: true });
  const tmp = siblingTempPath(target, 'blob');
  try {
    await pipeline(input, meter, createWriteStream(tmp, { flags: 'wx', mode: 0o644 }));
  } catch (err) {
    await rm(tmp, { force: true });
    const message = (err as Error).message;
    return /larger than/.test(message)
      ? { ok: false, reason: 'tampered', message: `more than the ${limit} bytes the signed metadata lists` }
      : { ok: false, reason: 'unreachable', message };
  }
  const digest = hash.digest('hex');
  if (bytes !== expected.size || digest !== expected.sha256) {
    await rm(tmp, { force: true });
    return {
      ok: false,
      reason: 'tampered',
      message: `expected sha256 ${expected.sha256} (${expected.size} bytes), got ${digest} (${bytes} bytes)`,
    };
  }
  await rename(tmp, target);
  return { ok: true, bytes };
}
