import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pep503 } from '../sbom/purl.js';

/** The subset of an OSV record the matcher reads. */
export interface OsvRecord {
  id: string;
  modified?: string;
  published?: string;
  withdrawn?: string;
  aliases?: string[];
  summary?: string;
  severity?: { type: string; score: string }[];
  affected?: {
    package?: { ecosystem?: string; name?: string; purl?: string };
    ranges?: { type: string; repo?: string; events: Record<string, string>[] }[];
    versions?: string[];
    severity?: { type: string; score: string }[];
    database_specific?: Record<string, unknown>;
  }[];
  database_specific?: Record<string, unknown>;
}

export interface AdvisoryDatabase {
  /** Records read (valid OSV with an id), withdrawn ones included. */
  entries: number;
  withdrawn: number;
  malformed: number;
  newestModified: string | null;
  /** `ecosystem:name` (PyPI names PEP 503-folded) → records. */
  byPackage: Map<string, OsvRecord[]>;
  sources: string[];
}

export function packageKey(ecosystem: string, name: string): string {
  return ecosystem === 'PyPI' ? `PyPI:${pep503(name)}` : `${ecosystem}:${name}`;
}

const NAME_RE = /"name"\s*:\s*"((?:[^"\\]|\\.)*)"/g;

class Builder {
  db: AdvisoryDatabase = { entries: 0, withdrawn: 0, malformed: 0, newestModified: null, byPackage: new Map(), sources: [] };
  constructor(private readonly wanted: Set<string> | undefined) {}

  /** Adds one JSON text. Cheap pre-filter: only records naming a wanted package are parsed fully. */
  add(text: string): void {
    if (this.wanted) {
      let hit = false;
      for (const m of text.matchAll(NAME_RE)) {
        const n = m[1]!;
        if (this.wanted.has(n) || this.wanted.has(pep503(n))) {
          hit = true;
          break;
        }
      }
      if (!hit) {
        // Still count it, and track freshness, without a full parse.
        const id = /"id"\s*:\s*"([^"]+)"/.exec(text);
        if (!id) return void this.db.malformed++;
        this.db.entries++;
        if (/"withdrawn"\s*:/.test(text)) this.db.withdrawn++;
        const mod = /"modified"\s*:\s*"([^"]+)"/.exec(text)?.[1];
        if (mod && (!this.db.newestModified || mod > this.db.newestModified)) this.db.newestModified = mod;
        return;
      }
    }
    let rec: OsvRecord;
    try {
      rec = JSON.parse(text);
    } catch {
      this.db.malformed++;
      return;
    }
    if (!rec || typeof rec.id !== 'string') return void this.db.malformed++;
    this.db.entries++;
    if (typeof rec.modified === 'string' && (!this.db.newestModified || rec.modified > this.db.newestModified)) this.db.newestModified = rec.modified;
    if (rec.withdrawn) return void this.db.withdrawn++;
    for (const a of rec.affected ?? []) {
      const eco = a.package?.ecosystem;
      const name = a.package?.name;
      if (typeof eco !== 'string' || typeof name !== 'string') continue;
      const key = packageKey(eco, name);
      const list = this.db.byPackage.get(key) ?? [];
      if (!list.includes(rec)) list.push(rec);
      this.db.byPackage.set(key, list);
    }
  }
}

async function walk(dir: string, out: string[]): Promise<void> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) await walk(p, out);
    else if (e.isFile() && e.name.endsWith('.json')) out.push(p);
  }
}

async function readZip(path: string, builder: Builder): Promise<void> {
  const yauzl = (await import('yauzl')).default;
  await new Promise<void>((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, autoClose: true, strictFileNames: false, validateEntrySizes: true }, (err, zip) => {
      if (err || !zip) return reject(err ?? new Error('cannot open zip'));
      zip.on('error', reject);
      zip.on('end', () => resolve());
      zip.on('entry', (entry: any) => {
        if (!entry.fileName.endsWith('.json') || entry.fileName.endsWith('/')) return zip.readEntry();
        if (entry.uncompressedSize > 16 * 1024 * 1024) {
          builder.db.malformed++;
          return zip.readEntry();
        }
        zip.openReadStream(entry, (e2, stream) => {
          if (e2 || !stream) return reject(e2 ?? new Error('cannot read zip entry'));
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('error', reject);
          stream.on('end', () => {
            builder.add(Buffer.concat(chunks).toString('utf8'));
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}

/**
 * Loads OSV advisories from folders (any depth, `*.json`) and zips (osv.dev `all.zip`, or a zip of
 * such a tree). `wanted` limits full parsing to records naming those packages (raw and PEP 503
 * folded names); the others are only counted. Throws when a source cannot be read at all.
 */
export async function loadAdvisories(paths: string[], wanted?: Set<string>): Promise<AdvisoryDatabase> {
  const builder = new Builder(wanted);
  for (const p of paths) {
    const st = await stat(p);
    builder.db.sources.push(p);
    if (st.isDirectory()) {
      const files: string[] = [];
      await walk(p, files);
      files.sort();
      for (const f of files) builder.add(await readFile(f, 'utf8'));
    } else if (p.endsWith('.json')) {
      builder.add(await readFile(p, 'utf8'));
    } else {
      await readZip(p, builder);
    }
  }
  return builder.db;
}
