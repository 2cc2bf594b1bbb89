import { createHash } from 'node:crypto';
import { open, readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { environmentError, inputError, negativeError } from '../errors.js';

/**
 * The one reader of a registry's published files, shared by the client (refresh, pull), `index
 * verify` and `mirror` (through `openPublished` in reader.ts): over HTTP(S) with an injected
 * `fetch` and ETags, from a folder (`file://` or a plain path) with SHA-256 as the ETag, or from
 * a git repository cloned into a checkout folder. Every read has a byte cap, enforced while
 * streaming, so a hostile host cannot feed endless data; paths come from untrusted metadata and
 * unsafe ones are refused before any I/O.
 */

export type RegistryLocation =
  | { kind: 'http'; base: string }
  | { kind: 'folder'; dir: string }
  | { kind: 'git'; url: string };

/** True for a git URL: `git+…`, `….git`, `git@host:…`, `ssh://…`, `git://…`. */
export function isGitLocation(url: string): boolean {
  const u = url.trim();
  return /^git\+/.test(u) || /\.git\/?$/.test(u) || /^git@[^:]+:/.test(u) || /^ssh:\/\//.test(u) || /^git:\/\//.test(u);
}

/** Classifies a registry URL; refuses plain http except to 127.0.0.1/localhost (tests, `index serve`). */
export function parseRegistryLocation(url: string, cwd?: string): RegistryLocation {
  const trimmed = url.trim();
  if (isGitLocation(trimmed)) {
    return { kind: 'git', url: trimmed.replace(/^git\+/, '') };
  }
  if (/^https:\/\//i.test(trimmed)) return { kind: 'http', base: trimmed.endsWith('/') ? trimmed : `${trimmed}/` };
  if (/^http:\/\//i.test(trimmed)) {
    const host = new URL(trimmed).hostname;
    if (host !== '127.0.0.1' && host !== 'localhost' && host !== '[::1]') {
      throw inputError('REGISTRY_URL_INSECURE', `Refusing plain http:// for ${trimmed}: only https:// (or http://127.0.0.1 for local testing)`, {
        suggestions: [`mpak registry add <name> ${trimmed.replace(/^http:/i, 'https:')}`],
      });
    }
    return { kind: 'http', base: trimmed.endsWith('/') ? trimmed : `${trimmed}/` };
  }
  if (/^file:\/\//i.test(trimmed)) return { kind: 'folder', dir: fileURLToPath(trimmed) };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
    throw inputError('REGISTRY_URL_UNSUPPORTED', `Unsupported registry URL scheme: ${trimmed}`, {
      suggestions: ['Use https://…, file:///path, a folder path, or a git URL ending in .git'],
    });
  }
  return { kind: 'folder', dir: isAbsolute(trimmed) ? trimmed : resolve(cwd ?? '.', trimmed) };
}

export interface FetchResult {
  status: 'ok' | 'not-modified';
  bytes?: Buffer;
  etag?: string;
}

export interface ReadOptions {
  maxBytes: number;
  /** ETag of the cached copy (HTTP) or its SHA-256 (folders): an unchanged file answers not-modified. */
  etag?: string;
}

export interface RegistryReader {
  /** Reads a published file by its registry-relative path. A missing file throws REGISTRY_FILE_MISSING. */
  read(path: string, options: ReadOptions): Promise<FetchResult>;
  /** URL of a published path, for messages and artifact URLs. */
  describe(path: string): string;
}

function tooLarge(where: string, max: number) {
  return negativeError('REGISTRY_FILE_TOO_LARGE', `${where} is larger than the ${max}-byte limit; refusing to read it`, {
    suggestions: ['Check the registry URL; a published index file this large is not legitimate.'],
  });
}

function missing(where: string) {
  return environmentError('REGISTRY_FILE_MISSING', `${where} not found`, {
    suggestions: ['mpak registry list', 'mpak registry update'],
  });
}

/** A registry-relative path is safe when it has no `..`/`.`, no absolute start, no backslash, no NUL and no empty segment. */
export function isSafeRelativePath(path: string): boolean {
  if (!path || path.startsWith('/') || path.includes('\\') || path.includes('\0')) return false;
  return path.split('/').every((s) => s !== '' && s !== '.' && s !== '..');
}

function safeRelative(path: string): string {
  if (!isSafeRelativePath(path)) {
    throw negativeError('REGISTRY_PATH_HOSTILE', `The registry index names an unsafe path: ${JSON.stringify(path)}`);
  }
  return path;
}

/** Reads the body of a fetch response with a byte cap while streaming. */
export async function readBodyCapped(response: Response, maxBytes: number, where: string): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(where, maxBytes);
  if (!response.body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let total = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(where, maxBytes);
    }
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks);
}

function decodeSafe(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export function httpReader(base: string, fetchImpl: typeof fetch): RegistryReader {
  // Each segment is encoded once: the /v0.1 export files carry a literal %2F in their names.
  const describe = (path: string) => new URL(safeRelative(path).split('/').map((s) => encodeURIComponent(decodeSafe(s))).join('/'), base).href;
  return {
    describe,
    async read(path, options) {
      const url = describe(path);
      let response: Response;
      try {
        response = await fetchImpl(url, { headers: options.etag ? { 'if-none-match': options.etag } : {}, redirect: 'follow' });
      } catch (err) {
        throw environmentError('REGISTRY_UNREACHABLE', `Cannot reach ${url}: ${(err as Error).message}`, {
          suggestions: ['Check the network, then: mpak registry update'],
          cause: err,
        });
      }
      if (response.status === 304) {
        await response.body?.cancel().catch(() => undefined);
        return { status: 'not-modified', etag: options.etag };
      }
      if (response.status === 404) {
        await response.body?.cancel().catch(() => undefined);
        throw missing(url);
      }
      if (!response.ok) {
        await response.body?.cancel().catch(() => undefined);
        throw environmentError('REGISTRY_UNREACHABLE', `${url} answered HTTP ${response.status}`, {
          suggestions: ['Retry later: mpak registry update'],
        });
      }
      const bytes = await readBodyCapped(response, options.maxBytes, url);
      return { status: 'ok', bytes, etag: response.headers.get('etag') ?? undefined };
    },
  };
}

export function folderReader(dir: string): RegistryReader {
  const describe = (path: string) => join(dir, ...safeRelative(path).split('/'));
  return {
    describe,
    async read(path, options) {
      const file = describe(path);
      const handle = await open(file, 'r').catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT' || err.code === 'ENOTDIR' || err.code === 'EISDIR') throw missing(file);
        throw environmentError('REGISTRY_UNREACHABLE', `Cannot read ${file}: ${err.message}`, { cause: err });
      });
      try {
        const info = await handle.stat();
        if (info.isDirectory()) throw missing(file);
        if (info.size > options.maxBytes) throw tooLarge(file, options.maxBytes);
        const bytes = await handle.readFile();
        if (bytes.length > options.maxBytes) throw tooLarge(file, options.maxBytes);
        const hash = createHash('sha256').update(bytes).digest('hex');
        if (options.etag === hash) return { status: 'not-modified', etag: hash };
        return { status: 'ok', bytes, etag: hash };
      } finally {
        await handle.close();
      }
    },
  };
}

/**
 * Clones or fetches a git registry into `checkoutDir` (simple-git, loaded lazily) and returns a
 * folder reader over its published files (the root, or `dist/` when the root has no timestamp).
 */
export async function gitReader(url: string, checkoutDir: string, options: { offline?: boolean } = {}): Promise<RegistryReader> {
  const { simpleGit } = await import('simple-git');
  const exists = await stat(join(checkoutDir, '.git')).then(() => true, () => false);
  if (!options.offline) {
    try {
      if (!exists) {
        await simpleGit().clone(url, checkoutDir, ['--depth', '1']);
      } else {
        const git = simpleGit({ baseDir: checkoutDir });
        await git.fetch(['--depth', '1', 'origin']);
        const head = (await git.raw(['rev-parse', '--abbrev-ref', 'origin/HEAD']).catch(() => 'origin/HEAD')).trim() || 'origin/HEAD';
        await git.reset(['--hard', head]);
      }
    } catch (err) {
      if (!exists) {
        throw environmentError('REGISTRY_UNREACHABLE', `Cannot clone ${url}: ${(err as Error).message.split('\n')[0]}`, {
          suggestions: ['Check the git URL and your access to it.'],
          cause: err,
        });
      }
      throw environmentError('REGISTRY_UNREACHABLE', `Cannot fetch ${url}: ${(err as Error).message.split('\n')[0]}`, { cause: err });
    }
  }
  return folderReader(await gitPublishedRoot(checkoutDir));
}

/** The published root inside a git checkout: the root, or `dist/` when the root has no timestamp. */
export async function gitPublishedRoot(checkoutDir: string): Promise<string> {
  return stat(join(checkoutDir, 'timestamp.json')).then(() => checkoutDir, () => join(checkoutDir, 'dist'));
}

/** Reads a small local file (a `--key` file) as text. */
export async function readTextFile(path: string): Promise<string> {
  return readFile(path, 'utf8');
}
