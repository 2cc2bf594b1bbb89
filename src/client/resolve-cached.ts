import { readFile } from 'node:fs/promises';
import type { TrustLevel } from '../config/store.js';
import type { PackageDocument, PackageRef, VersionEntry } from '../registry/format.js';
import { sha256 } from '../util/hash.js';
import { bundleDirOf, readMarker } from './cache.js';
import { checkedOnce } from './checked.js';
import { type ClientContext, now } from './context.js';
import { checkTrustPolicy } from './pull.js';
import { activeRegistries } from './registries.js';
import { cachedFilePath, loadCachedSnapshot, readVerifiedState } from './refresh.js';
import { chooseArtifact, INDEX_MAX_AGE_MS } from './resolve.js';

/**
 * Resolving a registry ref from the verified cache alone, for the `mpak bundle run` fast path:
 * no network, no zod at module level, no oclif. It answers only when the full resolver
 * (`resolvePackage` + the cache-hit branch of `pullBundle`) would reach the same extracted bundle
 * without touching the network; anything else (refresh due, document not cached, range it cannot
 * decide cheaply, extraction missing, any surprise) returns undefined and the caller takes the
 * full path. The trust policy is enforced here exactly as `pullBundle` does (TRUST_BELOW_POLICY).
 */

export interface CachedBundle {
  name: string;
  version: string;
  bundleDir: string;
}

const PACKAGE_NAME_PATTERN = /^@([a-z0-9][a-z0-9._-]{0,63})\/([a-z0-9][a-z0-9._-]{0,127})$/;
const PLAIN_VERSION = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;
const SHA256 = /^[a-f0-9]{64}$/;

/**
 * `parsePackageRef` without zod: the same name pattern and range handling; undefined when the
 * spec is invalid (the full path reports that error).
 */
export async function parseRefLight(spec: string): Promise<PackageRef | undefined> {
  const at = spec.lastIndexOf('@');
  const namePart = at > 0 ? spec.slice(0, at) : spec;
  let range = at > 0 ? spec.slice(at + 1).trim() : undefined;
  const m = PACKAGE_NAME_PATTERN.exec(namePart.toLowerCase());
  if (!m) return undefined;
  if (range === '') return undefined;
  if (range === 'latest') range = undefined;
  if (range !== undefined && /^v\d/.test(range)) range = range.slice(1);
  let exact = false;
  if (range !== undefined) {
    if (PLAIN_VERSION.test(range)) exact = true;
    else {
      const { default: validRange } = await import('semver/ranges/valid.js');
      const { default: valid } = await import('semver/functions/valid.js');
      if (validRange(range) === null) return undefined;
      exact = valid(range) !== null;
    }
  }
  return { name: namePart.toLowerCase(), scope: m[1]!, bare: m[2]!, ...(range === undefined ? {} : { range }), exact };
}

async function verifiedBytes(path: string, expected: string): Promise<Buffer | undefined> {
  const bytes = await readFile(path).catch(() => undefined);
  return bytes && sha256(bytes) === expected ? bytes : undefined;
}

/** The cached, verified package document of `name`, or undefined when the cache cannot answer. */
async function cachedDocument(ctx: ClientContext, name: string, checkerVersion: string): Promise<PackageDocument | undefined> {
  const registries = await activeRegistries(ctx);
  if (registries.length === 0) return undefined;
  for (const reg of registries) {
    const state = await readVerifiedState(ctx, reg);
    if (!state) return undefined;
    const fresh = now(ctx).getTime() - Date.parse(state.verifiedAt) < INDEX_MAX_AGE_MS;
    if (!ctx.offline && !fresh) return undefined;
    const snapshot = (await loadCachedSnapshot(ctx, reg, state)) as unknown as { documents?: unknown };
    // Format 2 (what the full reader accepts): a content-addressed document index, then the document by its hash.
    const documents = snapshot.documents as Record<string, unknown> | undefined;
    if (!documents || typeof documents.path !== 'string' || typeof documents.sha256 !== 'string') return undefined;
    const indexBytes = await verifiedBytes(cachedFilePath(ctx, reg, documents.path), documents.sha256);
    if (!indexBytes) return undefined;
    const index = JSON.parse(indexBytes.toString('utf8')) as { bundle?: Record<string, { sha256?: unknown }> };
    const indexValid = await checkedOnce(ctx, 'document-index', indexBytes, checkerVersion, async () => {
      const format = await import('../registry/format.js');
      return format.DocumentIndex.safeParse(index).success;
    });
    if (!indexValid) return undefined;
    const meta = index.bundle && Object.hasOwn(index.bundle, name) ? index.bundle[name] : undefined;
    if (!meta) continue;
    if (typeof meta.sha256 !== 'string' || !SHA256.test(meta.sha256)) return undefined;
    const m = PACKAGE_NAME_PATTERN.exec(name)!;
    const docRef = { path: `packages/@${m[1]}/${m[2]}/${meta.sha256}.json`, sha256: meta.sha256 };
    const bytes = await verifiedBytes(cachedFilePath(ctx, reg, docRef.path), docRef.sha256);
    if (!bytes) return undefined;
    const json = JSON.parse(bytes.toString('utf8')) as PackageDocument;
    const valid = await checkedOnce(ctx, 'package-document', bytes, checkerVersion, async () => {
      const format = await import('../registry/format.js');
      return format.PackageDocument.safeParse(json).success;
    });
    if (!valid || json.name !== name) return undefined;
    return json;
  }
  return undefined;
}

/** `chooseVersion` for the cases decidable without loading semver; undefined otherwise. */
async function chooseVersionLight(document: PackageDocument, ref: PackageRef): Promise<VersionEntry | undefined> {
  const versions = document.versions.filter((v) => v.status !== 'deleted');
  if (ref.range === undefined) return versions.find((v) => v.version === document.latest);
  if (ref.exact && PLAIN_VERSION.test(ref.range)) return versions.find((v) => v.version.split('+')[0] === ref.range);
  const { default: eq } = await import('semver/functions/eq.js');
  const { default: maxSatisfying } = await import('semver/ranges/max-satisfying.js');
  if (ref.exact) return versions.find((v) => eq(v.version, ref.range!));
  const best = maxSatisfying(
    versions.filter((v) => v.status === 'active').map((v) => v.version),
    ref.range,
  );
  return versions.find((v) => v.version === best);
}

/**
 * The extracted, verified bundle a registry ref means, from the caches alone; undefined when the
 * full path must decide. Throws TRUST_BELOW_POLICY like `pullBundle` (warnings go to ctx.warn).
 */
export async function resolveCachedBundle(
  ctx: ClientContext,
  spec: string,
  options: { platform: string; minLevel: TrustLevel; force?: boolean; checkerVersion: string },
): Promise<CachedBundle | undefined> {
  const ref = await parseRefLight(spec);
  if (!ref) return undefined;
  const document = await cachedDocument(ctx, ref.name, options.checkerVersion);
  if (!document) return undefined;
  const entry = await chooseVersionLight(document, ref);
  if (!entry) return undefined;
  let artifact;
  try {
    artifact = chooseArtifact(document, entry, options.platform);
  } catch {
    return undefined;
  }
  const marker = await readMarker(bundleDirOf(ctx.paths, document.name, entry.version));
  if (marker?.sha256 !== artifact.sha256) return undefined;
  if (entry.status !== 'active') ctx.warn?.(`${document.name}@${entry.version} is ${entry.status}${entry.statusMessage ? `: ${entry.statusMessage}` : ''}`);
  checkTrustPolicy({ document, entry }, options.minLevel, options.force, ctx.warn);
  return { name: document.name, version: entry.version, bundleDir: bundleDirOf(ctx.paths, document.name, entry.version) };
}
