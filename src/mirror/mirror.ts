import { createHash } from 'node:crypto';
import { cp, mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { environmentError, inputError, negativeError } from '../errors.js';
import { verifyCanonical, type IndexPublicKey } from '../sign/index-keys.js';
import { siblingTempPath, writeFileAtomic } from '../util/fs-atomic.js';
import {
  DocumentIndex,
  ExportIndex,
  PackageDocument,
  REGISTRY_CONFIG_PATH,
  RegistryConfig,
  SIZE_LIMITS,
  SnapshotFile,
  TIMESTAMP_PATH,
  TimestampFile,
  blobPath,
  documentRef,
  latestVersion,
  type FileMeta,
  type FileRef,
} from '../registry/format.js';
import { isSafeRelativePath, openPublished, type PublishedReader } from '../registry/reader.js';
import { blobLocation, copyVerifiedBlob } from './blobs.js';
import { extractMirrorTar, writeMirrorTar } from './tar.js';

export interface MirrorOptions {
  /** A registry URL (`https://`, `http://127.0.0.1`), `file://` URL, folder, or a mirror `.tar`. */
  source: string;
  /** The mirror folder; created on first use, updated incrementally afterwards. */
  dest: string;
  /** Trusted index keys (base64 raw or PEM). Default: those the mirror pinned, else the source's registry.json. */
  keys?: string[];
  /** Package filters: `@scope`, `@scope/name`, or globs like `@acme/*` and `*weather*`. */
  filter?: string[];
  /** Only the latest version of each package. */
  latestOnly?: boolean;
  /** An advisory snapshot folder to carry along (copied to `dest/advisories/`). */
  advisories?: string;
  /** Also write the finished mirror as one tar file. */
  archive?: string;
  allowExpired?: boolean;
  now: Date;
  fetch?: typeof fetch;
  onProgress?: (event: MirrorProgress) => void;
}

export interface MirrorProgress {
  phase: 'metadata' | 'files' | 'blobs' | 'switch' | 'archive';
  done: number;
  total: number;
  bytes: number;
}

export interface MirrorProblem {
  package?: string;
  version?: string;
  sha256?: string;
  path?: string;
  reason: 'tampered' | 'missing' | 'unreachable';
  message: string;
}

export interface MirrorResult {
  source: string;
  dest: string;
  /** Nothing new upstream: one timestamp read, nothing copied. */
  unchanged: boolean;
  version: number;
  previousVersion: number | null;
  expires: string;
  keysFrom: 'flag' | 'mirror' | 'source';
  keyids: string[];
  files: { copied: number; skipped: number; bytes: number };
  blobs: { copied: number; skipped: number; bytes: number; notMirrored: number; failed: MirrorProblem[] };
  packages: { mirrored: number; filteredOut: number };
  advisories: { files: number } | null;
  archive: { path: string; files: number; bytes: number } | null;
}

const STATE_FILE = 'mirror.json';
const LOCK_FILE = '.mirror.lock';
const STAGING_PREFIX = '.mirror-staging-';

/** Glob → RegExp for package names (`*` within a segment, `**` across), `@scope` alone = the whole scope. */
export function packageFilter(patterns: string[] | undefined): (name: string) => boolean {
  if (!patterns?.length) return () => true;
  const tests = patterns.map((p) => {
    const pattern = /^@[^/*?]+$/.test(p) ? `${p}/*` : p;
    const re = pattern
      .split(/(\*\*|\*|\?)/)
      .map((part) => (part === '**' ? '.*' : part === '*' ? '[^/]*' : part === '?' ? '[^/]' : part.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
      .join('');
    return new RegExp(`^${re}$`, 'i');
  });
  return (name) => tests.some((t) => t.test(name));
}

async function fileSha256(path: string): Promise<string | undefined> {
  try {
    return createHash('sha256').update(await readFile(path)).digest('hex');
  } catch {
    return undefined;
  }
}

async function sizeOf(path: string): Promise<number | undefined> {
  return stat(path).then(
    (s) => (s.isFile() ? s.size : undefined),
    () => undefined,
  );
}

/** Only one mirror run per destination at a time; a stale lock of a dead process is taken over. */
async function lock(dest: string): Promise<() => Promise<void>> {
  const path = join(dest, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => rm(path, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number((await readFile(path, 'utf8').catch(() => '')).trim());
      let alive = false;
      if (Number.isInteger(pid) && pid > 0) {
        try {
          process.kill(pid, 0);
          alive = true;
        } catch {
          alive = false;
        }
      }
      if (alive) {
        throw environmentError('MIRROR_LOCKED', `another mpak mirror (pid ${pid}) is updating ${dest}`, {
          suggestions: ['Wait for it to finish, then run the mirror again.'],
        });
      }
      await rm(path, { force: true });
    }
  }
  throw environmentError('MIRROR_LOCKED', `cannot lock ${dest}`);
}

/**
 * Copies a registry for air-gapped use. Signed metadata is copied byte for byte (signatures stay
 * valid) after verifying timestamp → snapshot → every listed file; every referenced bundle lands
 * in `dest/blobs/sha256/<hex>` after its SHA-256 and size check. Incremental: an unchanged
 * timestamp ends the run after one read, and files already present are not fetched again. New
 * files are staged, moved in, and `timestamp.json` is switched last, so an interrupted run leaves
 * the previous mirror intact and usable. Filters make a partial mirror; its missing bundles are
 * "not mirrored", never "tampered".
 */
export async function mirrorRegistry(options: MirrorOptions): Promise<MirrorResult> {
  const dest = resolve(options.dest);
  const fetchImpl = options.fetch ?? fetch;
  let source = options.source;
  let tarStaging: string | undefined;
  const sourceStat = /^[a-z]+:\/\//i.test(source) ? undefined : await stat(source).catch(() => undefined);
  if (!/^[a-z]+:\/\//i.test(source) && !sourceStat) {
    throw inputError('MIRROR_SOURCE_NOT_FOUND', `mirror source not found: ${source}`, {
      suggestions: ['mpak mirror https://registry.example/ ./mirror', 'mpak mirror ./mirror.tar ./mirror'],
    });
  }
  await mkdir(dest, { recursive: true });
  const unlock = await lock(dest);
  try {
    // Stale staging folders of interrupted runs are garbage: the mirror never points into them.
    for (const name of await readdir(dest)) if (name.startsWith(STAGING_PREFIX)) await rm(join(dest, name), { recursive: true, force: true });
    if (sourceStat?.isFile()) {
      tarStaging = join(dest, `${STAGING_PREFIX}tar-${process.pid}`);
      await extractMirrorTar(source, tarStaging);
      source = tarStaging;
    }
    return await mirrorFrom(source, dest, options, fetchImpl);
  } finally {
    if (tarStaging) await rm(tarStaging, { recursive: true, force: true });
    await unlock();
  }
}

async function mirrorFrom(source: string, dest: string, options: MirrorOptions, fetchImpl: typeof fetch): Promise<MirrorResult> {
  const reader: PublishedReader = await openPublished(source, { fetch: fetchImpl });
  try {
    return await mirrorWith(reader, dest, options, fetchImpl);
  } finally {
    await reader.close();
  }
}

async function mirrorWith(reader: PublishedReader, dest: string, options: MirrorOptions, fetchImpl: typeof fetch): Promise<MirrorResult> {
  const progress = (phase: MirrorProgress['phase'], done: number, total: number, bytes: number) =>
    options.onProgress?.({ phase, done, total, bytes });
  const need = async (path: string, max: number): Promise<Buffer> => {
    const bytes = await reader.read(path, max).catch((err: Error) => {
      if (err.name === 'TooLargeError' || /larger than/.test(err.message)) {
        throw negativeError('MIRROR_VERIFY_FAILED', `${path} at the source exceeds the ${max}-byte cap; refusing it`);
      }
      throw err;
    });
    if (!bytes) throw negativeError('MIRROR_VERIFY_FAILED', `${path} is missing at the source ${reader.source}`);
    return bytes;
  };
  const parseJson = <T>(bytes: Buffer, path: string, schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { message: string } } }): T => {
    let value: unknown;
    try {
      value = JSON.parse(bytes.toString('utf8'));
    } catch (err) {
      throw negativeError('MIRROR_VERIFY_FAILED', `${path} at the source is not JSON: ${(err as Error).message}`);
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw negativeError('MIRROR_VERIFY_FAILED', `${path} at the source is malformed: ${parsed.error.message.slice(0, 300)}`);
    return parsed.data;
  };

  // 1. Keys: a flag wins; else the keys this mirror pinned on its first run; else the source's (first use).
  let keysFrom: MirrorResult['keysFrom'];
  let keys: IndexPublicKey[];
  const pinned = await readFile(join(dest, REGISTRY_CONFIG_PATH)).catch(() => undefined);
  if (options.keys?.length) {
    keysFrom = 'flag';
    keys = options.keys.map((publicKey) => ({ publicKey }));
  } else if (pinned) {
    keysFrom = 'mirror';
    keys = parseJson(pinned, `${dest}/${REGISTRY_CONFIG_PATH}`, RegistryConfig).keys;
  } else {
    keysFrom = 'source';
    keys = parseJson(await need(REGISTRY_CONFIG_PATH, SIZE_LIMITS.other), REGISTRY_CONFIG_PATH, RegistryConfig).keys;
  }

  // 2. The timestamp: one read. Unchanged bytes = nothing to do.
  progress('metadata', 0, 2, 0);
  const timestampBytes = await need(TIMESTAMP_PATH, SIZE_LIMITS.timestamp);
  const timestamp = parseJson(timestampBytes, TIMESTAMP_PATH, TimestampFile);
  const tsCheck = verifyCanonical(timestamp, keys);
  if (!tsCheck.valid) {
    throw negativeError('MIRROR_VERIFY_FAILED', `timestamp.json at the source: ${tsCheck.reason}`, {
      suggestions: ['Check the source URL; pass the registry key explicitly with --key if it was rotated.'],
    });
  }
  if (!options.allowExpired && Date.parse(timestamp.signed.expires) < options.now.getTime()) {
    throw negativeError('MIRROR_EXPIRED', `the source index expired on ${timestamp.signed.expires}`, {
      suggestions: ['Mirror a fresher source, or accept it knowingly with --allow-expired'],
    });
  }
  const currentBytes = await readFile(join(dest, TIMESTAMP_PATH)).catch(() => undefined);
  let previousVersion: number | null = null;
  if (currentBytes) {
    const current = TimestampFile.safeParse(JSON.parse(currentBytes.toString('utf8') || 'null'));
    if (current.success) previousVersion = current.data.signed.version;
  }
  if (previousVersion !== null && timestamp.signed.version < previousVersion) {
    throw negativeError('MIRROR_ROLLBACK', `the source offers index version ${timestamp.signed.version}, older than the mirror's ${previousVersion}; refusing a rollback`, {
      suggestions: ['Check that the source is the registry you mirrored before.'],
    });
  }
  const result: MirrorResult = {
    source: reader.source,
    dest,
    unchanged: false,
    version: timestamp.signed.version,
    previousVersion,
    expires: timestamp.signed.expires,
    keysFrom,
    keyids: tsCheck.keyids,
    files: { copied: 0, skipped: 0, bytes: 0 },
    blobs: { copied: 0, skipped: 0, bytes: 0, notMirrored: 0, failed: [] },
    packages: { mirrored: 0, filteredOut: 0 },
    advisories: null,
    archive: null,
  };
  const stateFilters = JSON.stringify({ filter: options.filter ?? [], latestOnly: Boolean(options.latestOnly) });
  const previousState = await readFile(join(dest, STATE_FILE), 'utf8').then(
    (t) => JSON.stringify({ filter: JSON.parse(t).filter ?? [], latestOnly: Boolean(JSON.parse(t).latestOnly) }),
    () => undefined,
  );
  if (currentBytes?.equals(timestampBytes) && previousState === stateFilters && !options.advisories) {
    result.unchanged = true;
    if (options.archive) result.archive = await writeArchive(dest, options.archive, progress);
    return result;
  }

  // 3. Snapshot, verified against the timestamp and the keys.
  const snapRef = timestamp.signed.snapshot;
  const snapshotBytes = await need(snapRef.path, SIZE_LIMITS.snapshot);
  checkMeta(snapRef.path, snapshotBytes, snapRef);
  const snapshot = parseJson(snapshotBytes, snapRef.path, SnapshotFile);
  const snapCheck = verifyCanonical(snapshot, keys);
  if (!snapCheck.valid) throw negativeError('MIRROR_VERIFY_FAILED', `${snapRef.path} at the source: ${snapCheck.reason}`);
  if (snapshot.signed.version !== timestamp.signed.version) {
    throw negativeError('MIRROR_VERIFY_FAILED', `snapshot version ${snapshot.signed.version} ≠ timestamp version ${timestamp.signed.version}`);
  }
  progress('metadata', 2, 2, snapshotBytes.length);

  // 4. Every listed file, staged. Content-addressed paths already present are skipped.
  const staging = join(dest, `${STAGING_PREFIX}${process.pid}`);
  await mkdir(staging, { recursive: true });
  const staged: string[] = [];
  const copyListed = async (path: string, meta: FileMeta, bytesIfKnown?: Buffer): Promise<Buffer | undefined> => {
    if (!isSafeRelativePath(path)) throw negativeError('MIRROR_VERIFY_FAILED', `unsafe path ${JSON.stringify(path)} in signed metadata`);
    const target = join(dest, ...path.split('/'));
    const contentAddressed = path.includes(meta.sha256);
    if (contentAddressed ? (await sizeOf(target)) === meta.length : (await fileSha256(target)) === meta.sha256) {
      result.files.skipped++;
      return undefined;
    }
    const bytes = bytesIfKnown ?? (await need(path, Math.min(SIZE_LIMITS.other, meta.length)));
    checkMeta(path, bytes, meta);
    const stagedPath = join(staging, ...path.split('/'));
    await mkdir(dirname(stagedPath), { recursive: true });
    await writeFile(stagedPath, bytes);
    staged.push(path);
    result.files.copied++;
    result.files.bytes += bytes.length;
    return bytes;
  };
  const readListed = async (path: string, meta: FileMeta): Promise<Buffer> => {
    const local = join(dest, ...path.split('/'));
    if (path.includes(meta.sha256) && (await sizeOf(local)) === meta.length) {
      const bytes = await readFile(local);
      if (createHash('sha256').update(bytes).digest('hex') === meta.sha256) return bytes;
    }
    const bytes = await need(path, Math.min(SIZE_LIMITS.other, meta.length));
    checkMeta(path, bytes, meta);
    return bytes;
  };

  try {
    const listed = Object.entries(snapshot.signed.files);
    let done = 0;
    for (const [path, meta] of listed) {
      await copyListed(path, meta);
      progress('files', ++done, listed.length, result.files.bytes);
    }
    await copyListed(snapRef.path, { sha256: snapRef.sha256, length: snapRef.length }, snapshotBytes);
    if (snapshot.signed.exports) {
      const meta = snapshot.signed.files[snapshot.signed.exports];
      if (!meta) throw negativeError('MIRROR_VERIFY_FAILED', `the export index ${snapshot.signed.exports} is not listed in the snapshot`);
      const exportIndex = parseJson(await readListed(snapshot.signed.exports, meta), snapshot.signed.exports, ExportIndex);
      for (const [path, m] of Object.entries(exportIndex.files)) await copyListed(path, m);
    }
    // The document index and every package document it lists (all of them, so the mirror's
    // signed metadata stays whole even when --filter leaves blobs out).
    const docIndexRef = snapshot.signed.documents;
    const docIndexBytes = await readListed(docIndexRef.path, docIndexRef);
    await copyListed(docIndexRef.path, docIndexRef, docIndexBytes);
    const documentIndex = parseJson(docIndexBytes, docIndexRef.path, DocumentIndex);

    // 5. Blobs of every (filtered) package version, verified while streaming.
    const wanted = packageFilter(options.filter);
    const base = reader.location;
    const blobJobs: Array<{ pkg: string; version: string; sha256: string; size: number; url: string }> = [];
    for (const kind of ['bundle', 'skill'] as const) {
      for (const name of Object.keys(documentIndex[kind]).sort()) {
        let ref: FileRef | undefined;
        try {
          ref = documentRef(documentIndex, kind, name);
        } catch {
          throw negativeError('MIRROR_VERIFY_FAILED', `${docIndexRef.path} lists an invalid package name ${JSON.stringify(name)}`);
        }
        if (!ref) continue;
        const copied = await copyListed(ref.path, ref);
        if (!wanted(name)) {
          result.packages.filteredOut++;
          continue;
        }
        result.packages.mirrored++;
        const doc = parseJson(copied ?? (await readListed(ref.path, ref)), ref.path, PackageDocument);
        if (doc.name !== name) throw negativeError('MIRROR_VERIFY_FAILED', `${ref.path} describes ${doc.name}, not ${name}`);
        const latest = latestVersion(doc.versions);
        const versions = options.latestOnly ? (latest ? [latest] : []) : doc.versions.filter((v) => v.status !== 'deleted');
        for (const v of versions) for (const a of v.artifacts) blobJobs.push({ pkg: name, version: v.version, sha256: a.sha256, size: a.size, url: a.url });
      }
    }
    const seen = new Set<string>();
    let done2 = 0;
    for (const job of blobJobs) {
      if (seen.has(job.sha256)) continue;
      seen.add(job.sha256);
      const target = join(dest, ...blobPath(job.sha256).split('/'));
      if ((await sizeOf(target)) === job.size) {
        result.blobs.skipped++;
        continue;
      }
      const candidates = [blobLocation(base, blobPath(job.sha256)), job.url === blobPath(job.sha256) ? undefined : blobLocation(base, job.url)];
      let outcome: Awaited<ReturnType<typeof copyVerifiedBlob>> | undefined;
      for (const from of candidates) {
        if (!from) continue;
        outcome = await copyVerifiedBlob(from, target, job, fetchImpl);
        if (outcome.ok || outcome.reason === 'tampered') break;
      }
      if (outcome?.ok) {
        result.blobs.copied++;
        result.blobs.bytes += outcome.bytes;
      } else {
        result.blobs.failed.push({
          package: job.pkg,
          version: job.version,
          sha256: job.sha256,
          reason: outcome?.reason ?? 'missing',
          message: outcome?.message ?? `no usable location for ${job.url}`,
        });
      }
      progress('blobs', ++done2, blobJobs.length, result.blobs.bytes);
    }
    const tampered = result.blobs.failed.filter((f) => f.reason === 'tampered');
    if (tampered.length > 0) {
      throw negativeError(
        'MIRROR_BLOB_TAMPERED',
        `refusing to mirror: ${tampered.map((t) => `${t.package}@${t.version} (${(t.sha256 ?? "").slice(0, 12)}…: ${t.message})`).join('; ')}`,
        { details: { failed: result.blobs.failed }, suggestions: ['Report it to the registry maintainers; the previous mirror is untouched.'] },
      );
    }

    // 6. Advisories for offline scans.
    if (options.advisories) {
      const advStat = await stat(options.advisories).catch(() => undefined);
      if (!advStat?.isDirectory()) {
        throw inputError('MIRROR_ADVISORIES_NOT_FOUND', `no advisory snapshot at ${options.advisories}`, {
          suggestions: ['mpak advisories sync --from <osv-all.zip>'],
        });
      }
      const advStaging = join(staging, '.advisories');
      await cp(options.advisories, advStaging, { recursive: true });
      result.advisories = { files: (await readdir(advStaging, { recursive: true })).length };
    }

    // 7. Switch: staged files move in, then the state file, then timestamp.json last.
    progress('switch', 0, staged.length, 0);
    for (const path of staged.sort((a, b) => Number(a === REGISTRY_CONFIG_PATH) - Number(b === REGISTRY_CONFIG_PATH))) {
      const target = join(dest, ...path.split('/'));
      await mkdir(dirname(target), { recursive: true });
      await rename(join(staging, ...path.split('/')), target);
    }
    if (result.advisories) {
      const advDest = join(dest, 'advisories');
      const old = siblingTempPath(advDest, 'old');
      await rename(advDest, old).catch(() => undefined);
      await rename(join(staging, '.advisories'), advDest);
      await rm(old, { recursive: true, force: true });
    }
    const notMirrored = result.blobs.failed.filter((f) => f.reason !== 'tampered');
    result.blobs.notMirrored = notMirrored.length;
    await writeFileAtomic(
      join(dest, STATE_FILE),
      `${JSON.stringify(
        {
          formatVersion: 1,
          source: result.source,
          version: result.version,
          filter: options.filter ?? [],
          latestOnly: Boolean(options.latestOnly),
          notMirrored: notMirrored.map((f) => ({ package: f.package, version: f.version, sha256: f.sha256, reason: f.message })),
          advisories: result.advisories ? 'advisories/' : null,
        },
        null,
        2,
      )}\n`,
    );
    await writeFileAtomic(join(dest, TIMESTAMP_PATH), timestampBytes);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  if (options.archive) result.archive = await writeArchive(dest, options.archive, progress);
  return result;
}

function checkMeta(path: string, bytes: Buffer, meta: { sha256: string; length: number }) {
  const digest = createHash('sha256').update(bytes).digest('hex');
  if (bytes.length !== meta.length || digest !== meta.sha256) {
    throw negativeError(
      'MIRROR_VERIFY_FAILED',
      `${path} at the source does not match the signed metadata (expected sha256 ${meta.sha256}, ${meta.length} bytes; got ${digest}, ${bytes.length} bytes)`,
      { suggestions: ['The source was tampered with or is mid-update; the previous mirror is untouched. Try again later.'] },
    );
  }
}

async function writeArchive(dest: string, archive: string, progress: (p: MirrorProgress['phase'], d: number, t: number, b: number) => void) {
  progress('archive', 0, 1, 0);
  const written = await writeMirrorTar(dest, resolve(archive), (rel) => rel === LOCK_FILE || rel.startsWith(STAGING_PREFIX));
  progress('archive', 1, 1, written.bytes);
  return written;
}
