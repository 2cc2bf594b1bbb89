import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { environmentError, isMpakError, negativeError } from '../errors.js';
import type { PinnedKey } from '../config/store.js';
import { sha256 } from '../util/hash.js';
import { writeFileAtomic } from '../util/fs-atomic.js';
import { type ActiveRegistry, type ClientContext, now, registryCacheDir, registryStateFile } from './context.js';
import { folderReader, gitReader, httpReader, parseRegistryLocation, type RegistryReader } from '../registry/transport.js';

/**
 * Refreshing a registry = one conditional request for `timestamp.json`, then only the changed
 * files, each checked against the signed metadata before it is written. The verified state is
 * committed last (`verified.json`), so a process killed mid-refresh leaves the previous verified
 * cache in place and nothing half-checked that a later run would trust.
 */

export const LIMITS = { timestamp: 16 * 1024, snapshot: 4 * 1024 * 1024, other: 16 * 1024 * 1024 } as const;

/** What the cache remembers about the last verified refresh of one registry. */
export interface VerifiedState {
  registry: string;
  url: string;
  /** Registry name and title from the snapshot. */
  title?: string;
  version: number;
  expires: string;
  etag?: string;
  timestampSha256: string;
  snapshotPath: string;
  snapshotSha256: string;
  summary: { prefix: string; path: string; count: number }[];
  /** When the index was last verified against the network (or folder). */
  verifiedAt: string;
}

/** Security state kept outside the cache: rollback protection must survive `rm -rf cache`. */
interface RegistryState {
  url: string;
  highestVersion: number;
  /** Keys pinned for an `MPAK_REGISTRY` registry (configured ones keep theirs in config.json). */
  keys?: PinnedKey[];
}

export async function readJsonFile<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

export async function readVerifiedState(ctx: ClientContext, reg: ActiveRegistry): Promise<VerifiedState | undefined> {
  const state = await readJsonFile<VerifiedState>(join(registryCacheDir(ctx, reg), 'verified.json'));
  return state && state.url === reg.url ? state : undefined;
}

export async function readRegistryState(ctx: ClientContext, reg: ActiveRegistry): Promise<RegistryState | undefined> {
  const state = await readJsonFile<RegistryState>(registryStateFile(ctx, reg));
  return state && state.url === reg.url ? state : undefined;
}

async function writeRegistryState(ctx: ClientContext, reg: ActiveRegistry, state: RegistryState): Promise<void> {
  await mkdir(join(ctx.paths.stateDir, 'registries'), { recursive: true, mode: 0o700 });
  await writeFileAtomic(registryStateFile(ctx, reg), `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

/** A reader for the registry's location (git registries are cloned/fetched into the cache). */
export async function openReader(ctx: ClientContext, reg: ActiveRegistry, options: { offline?: boolean } = {}): Promise<RegistryReader> {
  const location = parseRegistryLocation(reg.url, ctx.cwd);
  if (location.kind === 'http') return httpReader(location.base, ctx.fetch ?? fetch);
  if (location.kind === 'folder') return folderReader(location.dir);
  return gitReader(location.url, join(registryCacheDir(ctx, reg), 'git'), options);
}

/** Path of a cached, verified published file. */
export function cachedFilePath(ctx: ClientContext, reg: ActiveRegistry, path: string): string {
  return join(registryCacheDir(ctx, reg), 'files', ...path.split('/'));
}

function refused(code: string, reg: ActiveRegistry, what: string, suggestions: string[] = []) {
  return negativeError(code, `Registry ${reg.name} (${reg.url}): ${what}`, { suggestions });
}

function parseJson(bytes: Buffer, reg: ActiveRegistry, what: string): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw refused('INDEX_CORRUPT', reg, `${what} is not valid JSON`);
  }
}

function checkExpiry(ctx: ClientContext, reg: ActiveRegistry, what: string, expires: string): void {
  if (ctx.allowExpired) return;
  if (Date.parse(expires) < now(ctx).getTime()) {
    throw refused('INDEX_EXPIRED', reg, `${what} expired at ${expires} (the registry may be frozen or stale)`, [
      'Ask the registry maintainer to rebuild, or pass --allow-expired for an air-gapped mirror you trust.',
    ]);
  }
}

export interface RefreshResult {
  registry: string;
  changed: boolean;
  version: number;
  /** Files downloaded and verified this time (paths). */
  fetched: string[];
  /** Set when the network failed and the last verified cache is used instead. */
  stale?: { ageMs: number; reason: string };
  state: VerifiedState;
}

/** Keys the registry's metadata must be signed with. */
export async function trustedKeys(ctx: ClientContext, reg: ActiveRegistry): Promise<PinnedKey[]> {
  if (reg.origin === 'config') return reg.keys;
  const pinned = (await readRegistryState(ctx, reg))?.keys;
  if (pinned && pinned.length > 0) return pinned;
  // MPAK_REGISTRY: trust on first use, pinned in the state folder (never in config.json).
  if (ctx.offline) return [];
  const { fetchRegistryKeys } = await import('./registry-keys.js');
  const keys = await fetchRegistryKeys(ctx, reg);
  ctx.warn?.(`registry ${reg.name} (${reg.url}): pinned index key(s) ${keys.map((k) => `sha256:${k.keyid}`).join(', ')} on first use`);
  return keys;
}

/**
 * Brings one registry's verified cache up to date. Security failures (bad signature, rollback,
 * expiry, hash mismatch, size cap) throw exit-1 errors and leave the cache untouched; an
 * unreachable registry falls back to the last verified cache with a warning naming its age, and
 * only without one throws an exit-3 error.
 */
export async function refreshRegistry(ctx: ClientContext, reg: ActiveRegistry, options: { keys?: PinnedKey[] } = {}): Promise<RefreshResult> {
  const cached = await readVerifiedState(ctx, reg);
  if (ctx.offline) {
    if (!cached) throw environmentError('INDEX_NOT_CACHED', `Registry ${reg.name} has no verified cache and --offline is set`, { suggestions: ['mpak registry update'] });
    checkExpiry(ctx, reg, 'the cached timestamp', cached.expires);
    return { registry: reg.name, changed: false, version: cached.version, fetched: [], state: cached };
  }
  try {
    return await refreshOnline(ctx, reg, cached, options.keys ?? (await trustedKeys(ctx, reg)));
  } catch (err) {
    const unreachable = isMpakError(err) && err.exitCode === 3;
    if (!unreachable || !cached) throw err;
    checkExpiry(ctx, reg, 'the cached timestamp', cached.expires);
    const ageMs = now(ctx).getTime() - Date.parse(cached.verifiedAt);
    ctx.warn?.(`registry ${reg.name} is unreachable (${err.message}); using the cache verified ${formatAge(ageMs)} ago`);
    return { registry: reg.name, changed: false, version: cached.version, fetched: [], stale: { ageMs, reason: err.message }, state: cached };
  }
}

export function formatAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86400)}d`;
}

async function refreshOnline(ctx: ClientContext, reg: ActiveRegistry, cached: VerifiedState | undefined, keys: PinnedKey[]): Promise<RefreshResult> {
  const format = await import('../registry/format.js');
  const { verifyCanonical } = await import('../sign/index-keys.js');
  const reader = await openReader(ctx, reg);
  const state = await readRegistryState(ctx, reg);
  const highest = state?.highestVersion ?? 0;
  if (keys.length === 0) {
    throw refused('INDEX_NO_KEYS', reg, 'no index key is pinned for this registry', [`mpak registry add ${reg.name} ${reg.url} --key <fingerprint|file>`]);
  }

  const ts = await reader.read(format.TIMESTAMP_PATH, { maxBytes: LIMITS.timestamp, etag: cached?.etag });
  const verifiedAt = now(ctx).toISOString();
  if (ts.status === 'not-modified' && cached) {
    checkExpiry(ctx, reg, 'timestamp.json', cached.expires);
    const next = { ...cached, verifiedAt };
    await writeFileAtomic(join(registryCacheDir(ctx, reg), 'verified.json'), `${JSON.stringify(next, null, 2)}\n`);
    return { registry: reg.name, changed: false, version: cached.version, fetched: [], state: next };
  }
  const tsBytes = ts.bytes!;
  const tsParsed = format.TimestampFile.safeParse(parseJson(tsBytes, reg, 'timestamp.json'));
  if (!tsParsed.success) throw refused('INDEX_CORRUPT', reg, `timestamp.json does not match the format: ${tsParsed.error.issues[0]?.message ?? ''}`);
  const timestamp = tsParsed.data;
  const tsCheck = verifyCanonical(timestamp, keys);
  if (!tsCheck.valid) {
    throw refused('INDEX_SIGNATURE_INVALID', reg, `timestamp.json: ${tsCheck.reason}`, [
      'If the registry rotated its key on purpose, re-add it with the new key: mpak registry add <name> <url> --key <fingerprint>',
    ]);
  }
  if (timestamp.signed.version < highest) {
    throw refused('INDEX_ROLLBACK', reg, `timestamp.json version ${timestamp.signed.version} is older than version ${highest} seen before (rollback refused)`);
  }
  checkExpiry(ctx, reg, 'timestamp.json', timestamp.signed.expires);

  const fetched: string[] = [format.TIMESTAMP_PATH];
  const tsSha = sha256(tsBytes);
  const snapRef = timestamp.signed.snapshot;
  let next: VerifiedState;
  if (cached && cached.snapshotPath === snapRef.path && cached.timestampSha256 === tsSha) {
    next = { ...cached, etag: ts.etag, verifiedAt };
  } else {
    const snapBytes = await readVerified(reader, snapRef.path, snapRef, LIMITS.snapshot, reg);
    fetched.push(snapRef.path);
    const snapParsed = format.SnapshotFile.safeParse(parseJson(snapBytes, reg, snapRef.path));
    if (!snapParsed.success) throw refused('INDEX_CORRUPT', reg, `${snapRef.path} does not match the format: ${snapParsed.error.issues[0]?.message ?? ''}`);
    const snapshot = snapParsed.data;
    const snapCheck = verifyCanonical(snapshot, keys);
    if (!snapCheck.valid) throw refused('INDEX_SIGNATURE_INVALID', reg, `${snapRef.path}: ${snapCheck.reason}`);
    if (snapshot.signed.version < highest) throw refused('INDEX_ROLLBACK', reg, `snapshot version ${snapshot.signed.version} is older than version ${highest} seen before`);
    checkExpiry(ctx, reg, 'the snapshot', snapshot.signed.expires);
    const staged: { path: string; bytes: Buffer }[] = [{ path: snapRef.path, bytes: snapBytes }];
    for (const shard of snapshot.signed.summary) {
      const meta = snapshot.signed.files[shard.path];
      if (!meta) throw refused('INDEX_CORRUPT', reg, `summary shard ${shard.path} is not listed in the snapshot`);
      if (await cachedMatches(cachedFilePath(ctx, reg, shard.path), meta.sha256)) continue;
      const bytes = await readVerified(reader, shard.path, meta, LIMITS.other, reg);
      const parsed = format.SummaryShard.safeParse(parseJson(bytes, reg, shard.path));
      if (!parsed.success) throw refused('INDEX_CORRUPT', reg, `${shard.path} does not match the summary format`);
      try {
        format.summaryRecords(parsed.data);
      } catch (err) {
        throw refused('INDEX_CORRUPT', reg, `${shard.path} holds an invalid record: ${(err as Error).message.slice(0, 200)}`);
      }
      staged.push({ path: shard.path, bytes });
      fetched.push(shard.path);
    }
    // Content-addressed files first; verified.json (the commit point) last.
    for (const f of staged) await writeFileAtomic(cachedFilePath(ctx, reg, f.path), f.bytes);
    next = {
      registry: snapshot.signed.registry.name,
      url: reg.url,
      title: snapshot.signed.registry.title,
      version: timestamp.signed.version,
      expires: timestamp.signed.expires < snapshot.signed.expires ? timestamp.signed.expires : snapshot.signed.expires,
      etag: ts.etag,
      timestampSha256: tsSha,
      snapshotPath: snapRef.path,
      snapshotSha256: snapRef.sha256,
      summary: snapshot.signed.summary.map((s) => ({ prefix: s.prefix, path: s.path, count: s.count })),
      verifiedAt,
    };
  }
  next.version = timestamp.signed.version;
  next.expires = next.expires < timestamp.signed.expires ? next.expires : timestamp.signed.expires;
  await writeFileAtomic(cachedFilePath(ctx, reg, format.TIMESTAMP_PATH), tsBytes);
  await writeFileAtomic(join(registryCacheDir(ctx, reg), 'verified.json'), `${JSON.stringify(next, null, 2)}\n`);
  if (timestamp.signed.version > highest || !state || (reg.origin === 'env' && !state.keys)) {
    await writeRegistryState(ctx, reg, { url: reg.url, highestVersion: Math.max(highest, timestamp.signed.version), ...(reg.origin === 'env' ? { keys } : {}) });
  }
  return { registry: reg.name, changed: true, version: timestamp.signed.version, fetched, state: next };
}

async function cachedMatches(path: string, expected: string): Promise<boolean> {
  try {
    return sha256(await readFile(path)) === expected;
  } catch {
    return false;
  }
}

/** Reads a file named by signed metadata and checks its length and SHA-256 before returning it. */
export async function readVerified(
  reader: RegistryReader,
  path: string,
  meta: { sha256: string; length: number },
  cap: number,
  reg: ActiveRegistry,
): Promise<Buffer> {
  if (meta.length > cap) throw refused('REGISTRY_FILE_TOO_LARGE', reg, `${path} is declared as ${meta.length} bytes, over the ${cap}-byte limit`);
  const got = await reader.read(path, { maxBytes: Math.min(cap, meta.length) });
  const bytes = got.bytes ?? Buffer.alloc(0);
  const actual = sha256(bytes);
  if (bytes.length !== meta.length || actual !== meta.sha256) {
    throw refused('INDEX_HASH_MISMATCH', reg, `${path}: integrity mismatch: expected sha256 ${meta.sha256} (${meta.length} bytes), got ${actual} (${bytes.length} bytes)`);
  }
  return bytes;
}

/**
 * Reads and verifies a package document listed in the cached snapshot (fetched on demand and
 * cached by its content address). Returns undefined when the registry has no such package.
 */
export async function loadPackageDocument(
  ctx: ClientContext,
  reg: ActiveRegistry,
  state: VerifiedState,
  name: string,
  kind: 'bundle' | 'skill' = 'bundle',
): Promise<import('../registry/format.js').PackageDocument | undefined> {
  const format = await import('../registry/format.js');
  const snapshot = await loadCachedSnapshot(ctx, reg, state);
  const indexRef = format.FileRef.safeParse(snapshot.documents);
  if (!indexRef.success) throw refused('INDEX_FORMAT_OLD', reg, 'the cached snapshot has an older registry format (no document index)', ['mpak registry update']);
  const indexBytes = await readCachedOrFetch(ctx, reg, indexRef.data.path, indexRef.data, name);
  const indexParsed = format.DocumentIndex.safeParse(parseJson(indexBytes, reg, indexRef.data.path));
  if (!indexParsed.success) throw refused('INDEX_CORRUPT', reg, `${indexRef.data.path} does not match the document index format`);
  const ref = format.documentRef(indexParsed.data, kind, name);
  if (!ref) return undefined;
  const docPath = ref.path;
  const bytes = await readCachedOrFetch(ctx, reg, docPath, ref, name);
  const parsed = format.PackageDocument.safeParse(parseJson(bytes, reg, docPath));
  if (!parsed.success) throw refused('INDEX_CORRUPT', reg, `${docPath} does not match the package document format`);
  if (parsed.data.name !== name) throw refused('INDEX_CORRUPT', reg, `${docPath} describes ${parsed.data.name}, not ${name}`);
  return parsed.data;
}

/**
 * A file named by signed metadata: from the content-addressed cache when its hash still matches,
 * else fetched, verified (length, SHA-256) and cached. Offline, a missing file is an error.
 */
async function readCachedOrFetch(ctx: ClientContext, reg: ActiveRegistry, path: string, meta: { sha256: string; length: number }, name: string): Promise<Buffer> {
  const local = cachedFilePath(ctx, reg, path);
  try {
    const b = await readFile(local);
    if (b.length === meta.length && sha256(b) === meta.sha256) return b;
  } catch {
    // not cached yet
  }
  if (ctx.offline) throw environmentError('INDEX_NOT_CACHED', `${name}: its details are not cached and --offline is set`, { suggestions: ['mpak registry update'] });
  const reader = await openReader(ctx, reg, { offline: true });
  const bytes = await readVerified(reader, path, meta, LIMITS.other, reg);
  await writeFileAtomic(local, bytes);
  return bytes;
}

/** The cached snapshot's `signed` part (already verified when it was cached; its hash is re-checked). */
export async function loadCachedSnapshot(ctx: ClientContext, reg: ActiveRegistry, state: VerifiedState): Promise<import('../registry/format.js').SnapshotSigned> {
  const bytes = await readFile(cachedFilePath(ctx, reg, state.snapshotPath));
  if (sha256(bytes) !== state.snapshotSha256) throw refused('INDEX_CORRUPT', reg, 'the cached snapshot changed on disk; run mpak registry update');
  return (JSON.parse(bytes.toString('utf8')) as { signed: import('../registry/format.js').SnapshotSigned }).signed;
}
