import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMpakError } from '../errors.js';
import { folderReader, gitPublishedRoot, gitReader, httpReader, isGitLocation, isSafeRelativePath, readBodyCapped, type RegistryReader } from './transport.js';

export { isSafeRelativePath };

/**
 * Reads files of a published registry for `index verify` and `mirror`: the same readers as the
 * client (transport.ts: http with caps, folders, git checkouts), with the answers those two want:
 * `null` for a missing file and `TooLargeError` over the cap, so they can list problems instead
 * of stopping at the first.
 */
export interface PublishedReader {
  /** Human label of the source. */
  readonly source: string;
  /** Where relative artifact URLs (`blobs/sha256/<hex>`) resolve: a folder or an http base. */
  readonly location: { kind: 'folder'; dir: string } | { kind: 'http'; url: string };
  /** The file's bytes; `null` when it does not exist (404 / ENOENT). Throws `TooLargeError` over `maxBytes`. */
  read(path: string, maxBytes: number): Promise<Buffer | null>;
  /** Removes a temporary git checkout; a no-op for http and folders. */
  close(): Promise<void>;
}

export class TooLargeError extends Error {
  constructor(
    readonly path: string,
    readonly maxBytes: number,
  ) {
    super(`${path} is larger than ${maxBytes} bytes`);
    this.name = 'TooLargeError';
  }
}

export interface OpenPublishedOptions {
  fetch?: typeof fetch;
  /** Where a git source is cloned; default a fresh temporary folder removed by `close()`. */
  checkoutDir?: string;
}

/**
 * Opens a published registry: an `http(s)://` base URL, a `file://` URL or folder, or a git URL
 * (`….git`, `git@host:…`, `ssh://`, `git+https://`), which is cloned first. Plain http to any
 * host is accepted here (signatures are checked against pinned or given keys either way).
 */
export async function openPublished(source: string, options: OpenPublishedOptions | typeof fetch = {}): Promise<PublishedReader> {
  const opts: OpenPublishedOptions = typeof options === 'function' ? { fetch: options } : options;
  if (!isGitLocation(source)) {
    if (/^https?:\/\//i.test(source)) {
      const base = source.endsWith('/') ? source : `${source}/`;
      return adapt(base, { kind: 'http', url: base }, httpReader(base, opts.fetch ?? fetch));
    }
    const dir = source.startsWith('file://') ? fileURLToPath(source) : resolve(source);
    return adapt(source, { kind: 'folder', dir }, folderReader(dir));
  }
  const location = { url: source.trim().replace(/^git\+/, '') };
  const temporary = opts.checkoutDir ? undefined : await mkdtemp(join(tmpdir(), 'mpak-git-source-'));
  const checkout = opts.checkoutDir ?? join(temporary!, 'checkout');
  try {
    const reader = await gitReader(location.url, checkout);
    return adapt(source, { kind: 'folder', dir: await gitPublishedRoot(checkout) }, reader, async () => {
      if (temporary) await rm(temporary, { recursive: true, force: true });
    });
  } catch (err) {
    if (temporary) await rm(temporary, { recursive: true, force: true });
    throw err;
  }
}

function adapt(source: string, location: PublishedReader['location'], reader: RegistryReader, close: () => Promise<void> = async () => {}): PublishedReader {
  return {
    source,
    location,
    close,
    async read(path, maxBytes) {
      try {
        const got = await reader.read(path, { maxBytes });
        return got.bytes ?? Buffer.alloc(0);
      } catch (err) {
        if (isMpakError(err) && err.code === 'REGISTRY_FILE_MISSING') return null;
        if (isMpakError(err) && err.code === 'REGISTRY_FILE_TOO_LARGE') throw new TooLargeError(path, maxBytes);
        throw err;
      }
    },
  };
}

/** Reads a response body, aborting as soon as it passes `maxBytes` (throws `TooLargeError`). */
export async function readCapped(res: Response, path: string, maxBytes: number): Promise<Buffer> {
  try {
    return await readBodyCapped(res, maxBytes, path);
  } catch (err) {
    if (isMpakError(err) && err.code === 'REGISTRY_FILE_TOO_LARGE') throw new TooLargeError(path, maxBytes);
    throw err;
  }
}
