import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { environmentError, inputError } from '../../errors.js';

export const DEFAULT_ADVISORY_SOURCES = ['https://osv-vulnerabilities.storage.googleapis.com/npm/all.zip', 'https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip'];

export interface SyncOptions {
  /** URLs (http/https), zip or JSON files, or folders of OSV JSON. Default: osv.dev npm + PyPI. */
  from?: string[];
  mpakHome: string;
  fetch?: typeof fetch;
  now?: Date;
}

export interface SyncResult {
  path: string;
  sources: string[];
  entries: number;
  malformed: number;
  newest_modified: string | null;
  synced_at: string;
  sha256: string;
}

const SAFE_NAME = /^[A-Za-z0-9._-]+\.json$/;

/** Yields every `*.json` text of a source: folder (recursive), JSON file, zip (file or downloaded). */
async function* records(source: string, fetchImpl: typeof fetch, scratch: string): AsyncGenerator<{ name: string; text: string }> {
  if (/^https?:\/\//.test(source)) {
    let res: Response;
    try {
      res = await fetchImpl(source);
    } catch (err) {
      throw environmentError('ADVISORIES_UNREACHABLE', `cannot download ${source}: ${(err as Error).message}`, { suggestions: ['mpak advisories sync --from <folder-or-zip>'] });
    }
    if (!res.ok) throw environmentError('ADVISORIES_UNREACHABLE', `${source} answered HTTP ${res.status}`, { suggestions: ['mpak advisories sync --from <folder-or-zip>'] });
    const body = Buffer.from(await res.arrayBuffer());
    const file = join(scratch, `download-${randomBytes(4).toString('hex')}${body.subarray(0, 2).toString() === 'PK' ? '.zip' : '.json'}`);
    await writeFile(file, body);
    yield* records(file, fetchImpl, scratch);
    return;
  }
  const st = await stat(source).catch(() => undefined);
  if (!st) throw inputError('ADVISORIES_NOT_FOUND', `${source}: no such file or directory`, { suggestions: ['Check the --from path.'] });
  if (st.isDirectory()) {
    for (const e of (await readdir(source, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(source, e.name);
      if (e.isDirectory()) yield* records(p, fetchImpl, scratch);
      else if (e.name.endsWith('.json')) yield { name: e.name, text: await readFile(p, 'utf8') };
    }
    return;
  }
  if (source.endsWith('.json')) {
    yield { name: basename(source), text: await readFile(source, 'utf8') };
    return;
  }
  const yauzl = (await import('yauzl')).default;
  const items: { name: string; text: string }[] = [];
  await new Promise<void>((resolve, reject) => {
    yauzl.open(source, { lazyEntries: true, autoClose: true, strictFileNames: false }, (err, zip) => {
      if (err || !zip) return reject(inputError('ADVISORIES_CORRUPT', `${source} is not a readable zip: ${err?.message ?? ''}`));
      zip.on('error', (e) => reject(inputError('ADVISORIES_CORRUPT', `${source}: ${e.message}`)));
      zip.on('end', () => resolve());
      zip.on('entry', (entry: any) => {
        if (!entry.fileName.endsWith('.json')) return zip.readEntry();
        zip.openReadStream(entry, (e2, stream) => {
          if (e2 || !stream) return reject(e2);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            items.push({ name: basename(entry.fileName), text: Buffer.concat(chunks).toString('utf8') });
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
  yield* items;
}

/**
 * Downloads or copies OSV advisories into a verified snapshot at `MPAK_HOME/advisories/current`
 * (every record parses as OSV with an id and `modified`; at least one record), written into a
 * temp folder and swapped in with renames so a reader never sees half a snapshot. SC-02 uses it
 * by default when `--advisories` is not given.
 */
export async function syncAdvisories(options: SyncOptions): Promise<SyncResult> {
  const sources = options.from?.length ? options.from : DEFAULT_ADVISORY_SOURCES;
  const root = join(options.mpakHome, 'advisories');
  await mkdir(root, { recursive: true });
  const staging = join(root, `.staging-${randomBytes(6).toString('hex')}`);
  const scratch = join(tmpdir(), `mpak-adv-${randomBytes(6).toString('hex')}`);
  await mkdir(join(staging, 'osv'), { recursive: true });
  await mkdir(scratch, { recursive: true });
  const digest = createHash('sha256');
  let entries = 0;
  let malformed = 0;
  let newest: string | null = null;
  const seen = new Set<string>();
  try {
    for (const source of sources) {
      for await (const { text } of records(source, options.fetch ?? fetch, scratch)) {
        let rec: any;
        try {
          rec = JSON.parse(text);
        } catch {
          malformed++;
          continue;
        }
        if (typeof rec?.id !== 'string' || typeof rec?.modified !== 'string' || !SAFE_NAME.test(`${rec.id}.json`)) {
          malformed++;
          continue;
        }
        if (seen.has(rec.id)) continue;
        seen.add(rec.id);
        entries++;
        if (!newest || rec.modified > newest) newest = rec.modified;
        await writeFile(join(staging, 'osv', `${rec.id}.json`), text);
      }
    }
    if (entries === 0) throw inputError('ADVISORIES_EMPTY', `no OSV record found in ${sources.join(', ')} (${malformed} malformed)`, { suggestions: ['mpak advisories sync --from <folder of OSV JSON or all.zip>'] });
    for (const id of [...seen].sort()) digest.update(`${id}\n`);
    const result: SyncResult = {
      path: join(root, 'current'),
      sources,
      entries,
      malformed,
      newest_modified: newest,
      synced_at: (options.now ?? new Date()).toISOString(),
      sha256: digest.digest('hex'),
    };
    await writeFile(join(staging, 'snapshot.json'), `${JSON.stringify(result, null, 2)}\n`);
    const old = join(root, `.old-${randomBytes(6).toString('hex')}`);
    const hadCurrent = await stat(join(root, 'current')).then(() => true, () => false);
    if (hadCurrent) await rename(join(root, 'current'), old);
    await rename(staging, join(root, 'current'));
    if (hadCurrent) await rm(old, { recursive: true, force: true });
    return result;
  } finally {
    await rm(staging, { recursive: true, force: true });
    await rm(scratch, { recursive: true, force: true });
  }
}
