import { open } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { environmentError, inputError } from '../errors.js';

/**
 * Reads files of a published registry from a folder, `file://` URL or `http(s)://` base URL,
 * with a size cap enforced while reading (hostile servers can send endless data). Paths are
 * registry-relative and come from signed-but-untrusted metadata, so unsafe ones are refused.
 */
export interface PublishedReader {
  /** Human label of the source. */
  readonly source: string;
  /** The file's bytes; `null` when it does not exist (404 / ENOENT). Throws `TooLargeError` over `maxBytes`. */
  read(path: string, maxBytes: number): Promise<Buffer | null>;
}

export class TooLargeError extends Error {
  constructor(
    readonly path: string,
    readonly maxBytes: number,
  ) {
    super(`${path} is larger than ${maxBytes} bytes`);
  }
}

/** A registry-relative path is safe when it has no `..`, no absolute start, no backslash and no empty segment. */
export function isSafeRelativePath(path: string): boolean {
  if (!path || path.startsWith('/') || path.includes('\\') || path.includes('\0')) return false;
  return path.split('/').every((s) => s !== '' && s !== '.' && s !== '..');
}

export function openPublished(source: string, fetchImpl: typeof fetch = fetch): PublishedReader {
  if (/^https?:\/\//i.test(source)) return httpReader(source.endsWith('/') ? source : `${source}/`, fetchImpl);
  const root = source.startsWith('file://') ? fileURLToPath(source) : resolve(source);
  return folderReader(root, source);
}

function folderReader(root: string, label: string): PublishedReader {
  return {
    source: label,
    async read(path, maxBytes) {
      if (!isSafeRelativePath(path) || isAbsolute(path)) throw inputError('INDEX_UNSAFE_PATH', `Unsafe path in index metadata: ${JSON.stringify(path)}`);
      let handle;
      try {
        handle = await open(join(root, ...path.split('/')), 'r');
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return null;
        throw err;
      }
      try {
        const { size } = await handle.stat();
        if (size > maxBytes) throw new TooLargeError(path, maxBytes);
        return await handle.readFile();
      } finally {
        await handle.close();
      }
    },
  };
}

function httpReader(base: string, fetchImpl: typeof fetch): PublishedReader {
  return {
    source: base,
    async read(path, maxBytes) {
      if (!isSafeRelativePath(path)) throw inputError('INDEX_UNSAFE_PATH', `Unsafe path in index metadata: ${JSON.stringify(path)}`);
      // encode each segment once: the /v0.1 files carry %2F in their names
      const url = new URL(path.split('/').map((s) => encodeURIComponent(decodeSafe(s))).join('/'), base);
      let res: Response;
      try {
        res = await fetchImpl(url, { redirect: 'follow' });
      } catch (err) {
        throw environmentError('INDEX_UNREACHABLE', `Cannot reach ${url}: ${(err as Error).message}`, {
          suggestions: ['Check the URL and your network, or verify a local copy: mpak index verify ./dist'],
        });
      }
      if (res.status === 404) {
        await res.body?.cancel();
        return null;
      }
      if (!res.ok) {
        await res.body?.cancel();
        throw environmentError('INDEX_HTTP_ERROR', `GET ${url} answered ${res.status}.`);
      }
      return readCapped(res, path, maxBytes);
    },
  };
}

function decodeSafe(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Reads a response body, aborting as soon as it passes `maxBytes`. */
export async function readCapped(res: Response, path: string, maxBytes: number): Promise<Buffer> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel();
    throw new TooLargeError(path, maxBytes);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  if (!res.body) return Buffer.alloc(0);
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new TooLargeError(path, maxBytes);
    }
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks);
}
