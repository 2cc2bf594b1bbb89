import { inputError, negativeError } from '../errors.js';
import type { PackageDocument, PackageRef, VersionEntry, Artifact } from '../registry/format.js';
import { type ActiveRegistry, type ClientContext, now } from './context.js';
import { activeRegistries } from './registries.js';
import { loadPackageDocument, readVerifiedState, refreshRegistry, type VerifiedState } from './refresh.js';

/** Index caches older than this are refreshed (one conditional request) before resolving a ref. */
export const INDEX_MAX_AGE_MS = 60 * 60 * 1000;

export interface ResolvedPackage {
  ref: PackageRef;
  registry: ActiveRegistry;
  document: PackageDocument;
  entry: VersionEntry;
  artifact: Artifact;
  platform: string;
}

/** The verified state of a registry, refreshed when missing or older than INDEX_MAX_AGE_MS (or when forced). */
export async function ensureIndex(ctx: ClientContext, reg: ActiveRegistry, options: { refresh?: boolean } = {}): Promise<VerifiedState> {
  const cached = await readVerifiedState(ctx, reg);
  const fresh = cached && now(ctx).getTime() - Date.parse(cached.verifiedAt) < INDEX_MAX_AGE_MS;
  if (cached && (ctx.offline || (fresh && !options.refresh))) return cached;
  return (await refreshRegistry(ctx, reg)).state;
}

/** Finds a package document in the first registry (in configured order) that lists it. */
export async function findPackage(
  ctx: ClientContext,
  name: string,
  options: { refresh?: boolean; kind?: 'bundle' | 'skill' } = {},
): Promise<{ registry: ActiveRegistry; document: PackageDocument; state: VerifiedState }> {
  const registries = await activeRegistries(ctx);
  if (registries.length === 0) {
    throw inputError('NO_REGISTRY', 'No registry is configured', {
      suggestions: ['mpak registry add <name> <https-url|folder|git-url>', 'or set MPAK_REGISTRY=<url> for one run'],
    });
  }
  for (const reg of registries) {
    const state = await ensureIndex(ctx, reg, options);
    const document = await loadPackageDocument(ctx, reg, state, name, options.kind ?? 'bundle');
    if (document) return { registry: reg, document, state };
  }
  throw inputError('PACKAGE_NOT_FOUND', `Unknown package ${name} (searched: ${registries.map((r) => r.name).join(', ')})`, {
    suggestions: [`mpak search ${name.split('/')[1] ?? name}`, 'mpak registry update'],
  });
}

/**
 * Chooses the version a ref means: an exact version as listed (unless deleted), a range → the
 * highest matching active version, no range → the document's latest.
 */
export async function chooseVersion(document: PackageDocument, ref: PackageRef, warn?: (m: string) => void): Promise<VersionEntry> {
  const semver = (await import('semver')).default;
  const versions = document.versions.filter((v) => v.status !== 'deleted');
  let entry: VersionEntry | undefined;
  if (ref.range === undefined) entry = versions.find((v) => v.version === document.latest);
  else if (ref.exact) entry = versions.find((v) => semver.eq(v.version, ref.range!));
  else {
    const active = versions.filter((v) => v.status === 'active').map((v) => v.version);
    const best = semver.maxSatisfying(active, ref.range);
    entry = versions.find((v) => v.version === best);
  }
  if (!entry) {
    throw inputError('VERSION_NOT_FOUND', `${document.name} has no ${ref.range ? `version matching ${ref.range}` : 'installable version'}`, {
      details: { available: versions.map((v) => `${v.version} (${v.status})`) },
      suggestions: [`mpak bundle show ${document.name}`],
    });
  }
  if (entry.status !== 'active') warn?.(`${document.name}@${entry.version} is ${entry.status}${entry.statusMessage ? `: ${entry.statusMessage}` : ''}`);
  return entry;
}

/** The artifact for this platform: an exact `<os>-<arch>` match first, then a platform-neutral one. */
export function chooseArtifact(document: PackageDocument, entry: VersionEntry, platform: string): Artifact {
  const artifact = entry.artifacts.find((a) => a.platform === platform) ?? entry.artifacts.find((a) => !a.platform);
  if (!artifact) {
    throw negativeError('NO_ARTIFACT_FOR_PLATFORM', `${document.name}@${entry.version} has no file for ${platform} (has: ${entry.artifacts.map((a) => a.platform ?? 'any').join(', ')})`);
  }
  return artifact;
}

/** Resolves `@scope/name[@range]` to one registry, version and artifact. */
export async function resolvePackage(
  ctx: ClientContext,
  spec: string,
  options: { platform: string; refresh?: boolean; kind?: 'bundle' | 'skill' },
): Promise<ResolvedPackage> {
  const { parsePackageRef } = await import('../registry/format.js');
  const ref = parsePackageRef(spec);
  const { registry, document } = await findPackage(ctx, ref.name, { refresh: options.refresh, kind: options.kind });
  const entry = await chooseVersion(document, ref, ctx.warn);
  const artifact = chooseArtifact(document, entry, options.platform);
  return { ref, registry, document, entry, artifact, platform: options.platform };
}
