import { mkdirSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { sha256 } from '../util/hash.js';
import type { FileMeta } from './format.js';

/**
 * Collects many small published files under one root, remembering the SHA-256 and length of
 * each so the snapshot can list them, and writes them in bulk on `flush()`: folders first, then
 * files with bounded concurrency. Paths are `/`-separated and relative.
 */
export class FileSink {
  readonly files = new Map<string, FileMeta>();
  private pending: [string, Uint8Array][] = [];
  private readonly made = new Set<string>();

  constructor(
    readonly root: string,
  ) {}

  /** Adds a file; returns its hash and length. */
  add(path: string, data: string | Uint8Array): FileMeta {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    const meta = { sha256: sha256(bytes), length: bytes.length };
    this.files.set(path, meta);
    this.pending.push([path, bytes]);
    return meta;
  }

  /**
   * Writes everything added since the last flush. Synchronous writes on purpose: for tens of
   * thousands of small files they beat the thread pool's round trips several times over, and a
   * build is a batch job with nothing else to serve meanwhile.
   */
  async flush(): Promise<void> {
    const pending = this.pending;
    this.pending = [];
    for (const [p, bytes] of pending) {
      const target = join(this.root, ...p.split('/'));
      const dir = dirname(target);
      if (!this.made.has(dir)) {
        mkdirSync(dir, { recursive: true });
        this.made.add(dir);
      }
      writeFileSync(target, bytes);
    }
  }
}

/** Every file under `root` (recursively) as sorted `/`-separated relative paths, skipping `skip(top-level name)`. */
export async function listTree(root: string, skipTop: (name: string) => boolean = () => false): Promise<string[]> {
  const out: string[] = [];
  async function walk(prefix: string): Promise<void> {
    let entries;
    try {
      entries = await readdir(prefix ? join(root, ...prefix.split('/')) : root, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    for (const entry of entries) {
      if (!prefix && skipTop(entry.name)) continue;
      const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(rel);
      else if (entry.isFile()) out.push(rel);
    }
  }
  await walk('');
  return out.sort();
}
