import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { sha256 } from '../util/hash.js';
import type { FileMeta } from './format.js';

/**
 * Writes many small published files under one root with bounded concurrency, remembering the
 * SHA-256 and length of each so the snapshot can list them. Paths are `/`-separated and relative.
 */
export class FileSink {
  readonly files = new Map<string, FileMeta>();
  private readonly dirs = new Set<string>();
  private pending: Promise<void>[] = [];

  constructor(
    readonly root: string,
    private readonly batch = 64,
  ) {}

  /** Adds a file; returns its hash and length. */
  async add(path: string, data: string | Uint8Array): Promise<FileMeta> {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    const meta = { sha256: sha256(bytes), length: bytes.length };
    this.files.set(path, meta);
    await this.write(path, bytes);
    return meta;
  }

  /** Writes a file that is not listed (blobs carry their hash in their name). */
  async addUnlisted(path: string, data: Uint8Array): Promise<void> {
    await this.write(path, data);
  }

  private async write(path: string, bytes: Uint8Array): Promise<void> {
    const target = join(this.root, ...path.split('/'));
    const dir = dirname(target);
    if (!this.dirs.has(dir)) {
      this.dirs.add(dir);
      await mkdir(dir, { recursive: true });
    }
    this.pending.push(writeFile(target, bytes));
    if (this.pending.length >= this.batch) await this.flush();
  }

  async flush(): Promise<void> {
    const pending = this.pending;
    this.pending = [];
    await Promise.all(pending);
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
