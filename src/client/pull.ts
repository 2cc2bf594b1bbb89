import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable, Transform } from 'node:stream';
import { environmentError, inputError, negativeError } from '../errors.js';
import type { TrustLevel } from '../config/store.js';
import { type ClientContext } from './context.js';
import { blobPathOf, bundleDirOf, cacheTempPath, commitBlob, extractToCache, hashFile, readMarker, sweepStale, type CacheMarker } from './cache.js';
import { parseRegistryLocation } from '../registry/transport.js';
import { resolvePackage, type ResolvedPackage } from './resolve.js';

export interface ProgressEvent {
  bytes: number;
  total: number;
}

export interface PullOptions {
  spec: string;
  /** `<os>-<arch>` (from currentPlatform). */
  platform: string;
  /** Trust policy: refuse versions scanned below this level unless `force`. */
  minLevel: TrustLevel;
  force?: boolean;
  /** Also copy the verified .mcpb here (`mpak bundle pull -o dir`). */
  outputDir?: string;
  /** Extract into the bundle cache (run does; pull -o alone does not need to). */
  extract?: boolean;
  refresh?: boolean;
  onProgress?: (e: ProgressEvent) => void;
}

export interface PullResult {
  name: string;
  version: string;
  registry: string;
  sha256: string;
  size: number;
  level: number;
  trust: string;
  signature: string;
  /** The verified blob in the cache. */
  blob: string;
  /** The extracted bundle folder, when extracted. */
  bundleDir?: string;
  /** The copy written to `outputDir`. */
  file?: string;
  /** True when nothing was downloaded (the blob was cached). */
  cached: boolean;
  status: string;
}

const LEVELS = ['L0', 'L1', 'L2', 'L3', 'L4'];

/** Refuses a version below the trust policy (exit 1) unless forced. */
export function checkTrustPolicy(resolved: Pick<ResolvedPackage, 'document' | 'entry'>, minLevel: TrustLevel, force?: boolean, warn?: (m: string) => void): void {
  const min = LEVELS.indexOf(minLevel);
  const scan = resolved.entry.scan;
  if (scan.level >= min && !scan.degraded) return;
  const why = scan.degraded ? `its scan is degraded (${scan.display})` : `it is scanned at ${scan.display}, below the policy ${minLevel}`;
  if (force) {
    warn?.(`${resolved.document.name}@${resolved.entry.version}: ${why}; continuing because of --force`);
    return;
  }
  throw negativeError('TRUST_BELOW_POLICY', `Refusing ${resolved.document.name}@${resolved.entry.version}: ${why}`, {
    suggestions: [`Lower the gate with --min-level L${scan.level}`, 'or accept the risk once with --force', `See the findings: mpak bundle show ${resolved.document.name}@${resolved.entry.version}`],
  });
}

/**
 * Downloads into a temp file while hashing and counting, refusing anything longer than the
 * signed size; only a file with the right size and SHA-256 is moved into the blob store.
 */
export async function downloadVerified(ctx: ClientContext, resolved: ResolvedPackage, onProgress?: (e: ProgressEvent) => void): Promise<{ blob: string; cached: boolean }> {
  const { artifact } = resolved;
  const blob = blobPathOf(ctx.paths, artifact.sha256);
  const existing = await hashFile(blob);
  if (existing && existing.sha256 === artifact.sha256 && existing.size === artifact.size) return { blob, cached: true };
  if (existing) await rm(blob, { force: true });
  if (ctx.offline) throw environmentError('BUNDLE_NOT_CACHED', `${resolved.document.name}@${resolved.entry.version} is not cached and --offline is set`);
  await sweepStale(ctx.paths.tmpDir);
  const temp = await cacheTempPath(ctx.paths, 'download');
  try {
    const source = await openArtifact(ctx, resolved);
    const hash = createHash('sha256');
    let bytes = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        bytes += chunk.length;
        if (bytes > artifact.size) {
          done(negativeError('INTEGRITY_MISMATCH', `Integrity mismatch: ${resolved.document.name}@${resolved.entry.version} is longer than the ${artifact.size} bytes the index signs`));
          return;
        }
        hash.update(chunk);
        onProgress?.({ bytes, total: artifact.size });
        done(null, chunk);
      },
    });
    await pipeline(source, meter, createWriteStream(temp, { flags: 'wx', mode: 0o644 }));
    const actual = hash.digest('hex');
    if (actual !== artifact.sha256 || bytes !== artifact.size) {
      throw negativeError('INTEGRITY_MISMATCH', `Integrity mismatch: expected ${artifact.sha256} (${artifact.size} bytes), got ${actual} (${bytes} bytes)`, {
        suggestions: ['The download was deleted. Report it to the registry maintainer if it happens again.'],
      });
    }
    await verifySignaturePolicy(ctx, resolved, temp);
    await commitBlob(ctx.paths, temp, artifact.sha256);
    return { blob, cached: false };
  } finally {
    await rm(temp, { force: true });
  }
}

async function openArtifact(ctx: ClientContext, resolved: ResolvedPackage): Promise<Readable> {
  const url = resolved.artifact.url;
  const absolute = /^[a-z][a-z0-9+.-]*:/i.test(url);
  if (absolute && !/^https?:\/\//i.test(url)) {
    throw negativeError('ARTIFACT_URL_UNSUPPORTED', `Refusing artifact URL ${url}: only https:// or a registry-relative path`);
  }
  if (absolute) return fetchStream(ctx, url);
  const location = parseRegistryLocation(resolved.registry.url, ctx.cwd);
  if (location.kind === 'http') return fetchStream(ctx, new URL(url, location.base).href);
  const { openReader } = await import('./refresh.js');
  const reader = await openReader(ctx, resolved.registry, { offline: true });
  const file = reader.describe(url);
  return createReadStream(file).on('error', () => undefined);
}

async function fetchStream(ctx: ClientContext, url: string): Promise<Readable> {
  if (/^http:\/\//i.test(url)) {
    const host = new URL(url).hostname;
    if (host !== '127.0.0.1' && host !== 'localhost') throw negativeError('ARTIFACT_URL_INSECURE', `Refusing plain http:// download ${url}`);
  }
  let response: Response;
  try {
    response = await (ctx.fetch ?? fetch)(url, { redirect: 'follow' });
  } catch (err) {
    throw environmentError('DOWNLOAD_FAILED', `Cannot download ${url}: ${(err as Error).message}`, { cause: err, suggestions: ['Check the network and retry.'] });
  }
  if (!response.ok || !response.body) {
    throw environmentError('DOWNLOAD_FAILED', `Cannot download ${url}: HTTP ${response.status}`, { suggestions: ['Retry later.'] });
  }
  return Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>);
}

/**
 * Signature per policy: when the index says a version is signed, the downloaded file must carry a
 * signature that is not invalid or malformed (a stripped or broken signature is refused).
 */
async function verifySignaturePolicy(ctx: ClientContext, resolved: ResolvedPackage, file: string): Promise<void> {
  const claimed = resolved.entry.signature.status;
  if (claimed === 'unsigned') return;
  const { verifyBundleSignature } = await import('../sign/verify.js');
  const result = await verifyBundleSignature(file, { trustStoreDir: join(ctx.paths.home, 'trust'), now: ctx.now?.() });
  if (result.state === 'invalid' || result.state === 'malformed' || result.state === 'unsigned') {
    throw negativeError('SIGNATURE_INVALID', `${resolved.document.name}@${resolved.entry.version}: the index says the bundle is signed (${claimed}), but its signature is ${result.state}: ${result.reason}`, {
      suggestions: ['The download was deleted. Report it to the registry maintainer.'],
    });
  }
}

/** Resolve, check the trust policy, download and verify, optionally copy and extract. */
export async function pullBundle(ctx: ClientContext, options: PullOptions): Promise<PullResult> {
  const resolved = await resolvePackage(ctx, options.spec, { platform: options.platform, refresh: options.refresh });
  checkTrustPolicy(resolved, options.minLevel, options.force, ctx.warn);
  const { name } = resolved.document;
  const { version } = resolved.entry;
  const target = bundleDirOf(ctx.paths, name, version);
  const marker = await readMarker(target);
  let blob = blobPathOf(ctx.paths, resolved.artifact.sha256);
  let cached = true;
  // A cache hit makes no download: the extracted copy carries the verified hash in its marker.
  const hit = options.extract && !options.outputDir && marker?.sha256 === resolved.artifact.sha256;
  if (!hit) ({ blob, cached } = await downloadVerified(ctx, resolved, options.onProgress));
  const result: PullResult = {
    name,
    version,
    registry: resolved.registry.name,
    sha256: resolved.artifact.sha256,
    size: resolved.artifact.size,
    level: resolved.entry.scan.level,
    trust: resolved.entry.scan.display,
    signature: resolved.entry.signature.status,
    blob,
    cached,
    status: resolved.entry.status,
  };
  if (options.outputDir) {
    await mkdir(options.outputDir, { recursive: true });
    const file = join(options.outputDir, `${name.slice(1).replace('/', '-')}-${version}.mcpb`);
    await copyFile(blob, file);
    result.file = file;
  }
  if (options.extract) {
    const [os, arch] = options.platform.split('-') as [string, string];
    const m: CacheMarker = { name, version, sha256: resolved.artifact.sha256, size: resolved.artifact.size, registry: resolved.registry.name, source: 'registry', pulledAt: (ctx.now?.() ?? new Date()).toISOString(), platform: { os, arch } };
    result.bundleDir = hit ? target : (await extractToCache(blob, target, m)).path;
  }
  return result;
}

/**
 * Extracts a local `.mcpb` into `cache/_local/<sha256>/` (keyed by content, not path or mtime).
 * A private copy is hashed and unpacked, so a file changing underneath cannot be cached under
 * another file's hash.
 */
export async function prepareLocalBundle(ctx: ClientContext, file: string, platform: string): Promise<{ bundleDir: string; sha256: string; cached: boolean }> {
  const first = await hashFile(file);
  if (!first) throw inputError('NOT_FOUND', `${file}: no such file`, { suggestions: ['Check the path and try again.'] });
  const known = join(ctx.paths.localBundlesDir, first.sha256);
  if ((await readMarker(known))?.sha256 === first.sha256) return { bundleDir: known, sha256: first.sha256, cached: true };
  const copy = await cacheTempPath(ctx.paths, 'local');
  try {
    await copyFile(file, copy);
    const hashed = (await hashFile(copy))!;
    const target = join(ctx.paths.localBundlesDir, hashed.sha256);
    const [os, arch] = platform.split('-') as [string, string];
    const marker: CacheMarker = { name: '', version: '', sha256: hashed.sha256, size: hashed.size, source: 'local', pulledAt: (ctx.now?.() ?? new Date()).toISOString(), platform: { os, arch } };
    await extractToCache(copy, target, marker);
    return { bundleDir: target, sha256: hashed.sha256, cached: false };
  } finally {
    await rm(copy, { force: true });
  }
}
