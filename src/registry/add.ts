import { copyFile, mkdir, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { environmentError, inputError } from '../errors.js';
import { siblingTempPath } from '../util/fs-atomic.js';
import { sha256File } from '../util/hash.js';
import {
  PACKAGE_NAME_PATTERN,
  isStrictSemver,
  blobPath,
  packageSourcePath,
  sortVersionsDescending,
  type Artifact,
  type Claim,
  type PackageKind,
  type Provenance,
  type RegistryConfig,
  type SourceEntry,
  type VersionEntry,
} from './format.js';
import { openGit } from './git.js';
import { createOctokit, downloadAsset, getRelease, parseGitHubSource, readClaim, streamToFile, MAX_ASSET_BYTES, type GitHubOptions } from './github.js';
import { DEFAULT_KINDS, kindFor, type KindHandler } from './kinds.js';
import { readRegistryConfig, readSourceEntry, sourceEntryText, writeSourceEntry } from './source.js';

export interface AddToIndexOptions {
  /** The registry source folder. */
  dir: string;
  /** A local `.mcpb`/`.skill`, an `https://` URL (`http://` only on loopback), or `github:owner/repo@tag`. */
  source: string;
  /** Base of a relative local path. */
  cwd: string;
  /** Check everything, write nothing. */
  dryRun?: boolean;
  /** Keep the file in `blobs/sha256/<hex>` (default: true for local files, false otherwise). */
  storeBlob?: boolean;
  /** Commit the change (default true). */
  commit?: boolean;
  github?: GitHubOptions;
  fetch?: typeof fetch;
  /** The clock for local and URL sources (their publishedAt); GitHub sources use the release time. */
  now: Date;
  mpakHome?: string;
  trust?: string[];
  advisories?: string[];
  kinds?: KindHandler[];
}

export type AddOutcome = 'added' | 'unchanged' | 'refused';

export interface AddToIndexResult {
  outcome: AddOutcome;
  /** Why it was refused (policy, claim, immutability); empty otherwise. */
  reasons: { code: string; message: string }[];
  kind: PackageKind;
  name: string;
  version: string;
  /** Registry-relative source entry path. */
  entryPath: string;
  entry: VersionEntry;
  /** The whole entry text as written (or as it would be written, with --dry-run). */
  entryText: string;
  claim: { status: 'verified' | 'unverified' | 'mismatch'; repository?: string; maintainers: string[] };
  blob?: string;
  commit?: string;
  dryRun: boolean;
}

interface FetchedArtifact {
  file: string;
  fileName: string;
  artifact: Artifact;
}

interface ResolvedSource {
  artifacts: FetchedArtifact[];
  publishedAt: string;
  provenance: Provenance;
  local: boolean;
  github?: { owner: string; repo: string; tag: string; commit: string };
  cleanup(): Promise<void>;
}

/**
 * Adds one version to a registry: fetches the source (local file, https URL or GitHub release
 * assets) to a temp folder, checks size and SHA-256, opens and validates it, checks name and
 * version, scans it against the admission policy, summarises its signature, checks the claim
 * (GitHub sources: `mpak.json` at the release commit; the scope must match the owner), refuses
 * a different file for an existing version, then writes `packages/@scope/name.json`, stores the
 * blob when asked and commits. Only the one entry is read, so registry size does not matter.
 * Policy and claim refusals are returned (`outcome: 'refused'`), not thrown.
 */
export async function addToIndex(options: AddToIndexOptions): Promise<AddToIndexResult> {
  const config = await readRegistryConfig(options.dir);
  const resolved = await resolveSource(options);
  try {
    return await admit(options, config, resolved);
  } finally {
    await resolved.cleanup();
  }
}

async function admit(options: AddToIndexOptions, config: RegistryConfig, resolved: ResolvedSource): Promise<AddToIndexResult> {
  const kinds = options.kinds ?? DEFAULT_KINDS;
  const reasons: AddToIndexResult['reasons'] = [];
  const now = new Date(resolved.publishedAt);
  const first = resolved.artifacts[0]!;
  const handler = kindFor(first.fileName, kinds) ?? kinds[0]!;
  const inspections = [];
  for (const a of resolved.artifacts) {
    inspections.push(await handler.inspect(a.file, { now, ...pick(options) }));
  }
  const inspection = inspections[0]!;
  for (const other of inspections.slice(1)) {
    if (other.name !== inspection.name || other.version !== inspection.version) {
      throw inputError('INDEX_ASSETS_DIFFER', `The release's assets disagree: ${inspection.name}@${inspection.version} vs ${other.name}@${other.version}.`);
    }
  }
  const name = inspection.name;
  if (!PACKAGE_NAME_PATTERN.test(name)) {
    throw inputError('PACKAGE_NAME_INVALID', `The manifest name "${name}" is not a lowercase scoped name like @scope/name; a registry needs one.`, {
      suggestions: ['Set "name": "@your-scope/your-server" in manifest.json and pack again.'],
    });
  }
  const version = inspection.version.replace(/^v(?=\d)/, '');
  if (!isStrictSemver(version)) {
    throw inputError('VERSION_INVALID', `The manifest version "${inspection.version}" is not semver.`, {
      suggestions: ['Use a version like 1.2.3 in manifest.json.'],
    });
  }
  if (resolved.github) {
    const tag = resolved.github.tag;
    const tagVersion = tag.replace(/^.*@/, '').replace(/^v/, '');
    if (tagVersion !== version) {
      reasons.push({ code: 'VERSION_TAG_MISMATCH', message: `The release tag ${tag} does not match the manifest version ${version}.` });
    }
  }

  const scan = inspection.scan;
  if (scan.level < config.policy.minLevel) {
    reasons.push({ code: 'POLICY_MIN_LEVEL', message: `Scan result ${scan.display} is below the registry's minimum level L${config.policy.minLevel}.` });
  } else if (scan.degraded && config.policy.minLevel > 0) {
    reasons.push({ code: 'POLICY_DEGRADED', message: 'The scan is degraded (a control errored); a degraded report cannot certify a level.' });
  }

  const kind = handler.kind;
  const existing = await readSourceEntry(options.dir, name, kind);
  const claim = await checkClaim(options, config, resolved, name, existing?.claim);
  if (claim.reason) reasons.push(claim.reason);

  const storeBlob = options.storeBlob ?? resolved.local;
  if (resolved.local && !storeBlob) {
    throw inputError('INDEX_LOCAL_NEEDS_BLOB', 'A local file has no download URL, so the registry must store it in blobs/.', {
      suggestions: ['Drop --no-store-blob, or add the https URL of the uploaded asset instead.'],
    });
  }
  const entry: VersionEntry = {
    version,
    publishedAt: resolved.publishedAt,
    artifacts: resolved.artifacts.map((a) => (storeBlob && resolved.local ? { ...a.artifact, url: blobPath(a.artifact.sha256) } : a.artifact)),
    manifest: inspection.manifest,
    scan,
    signature: inspection.signature,
    provenance: resolved.provenance,
    status: 'active',
  };
  const entryPath = packageSourcePath(name, kind);
  const previous = existing?.versions.find((v) => v.version === version);
  let outcome: AddOutcome = 'added';
  if (previous) {
    const same =
      previous.artifacts.length === entry.artifacts.length &&
      previous.artifacts.every((p) => entry.artifacts.some((e) => e.sha256 === p.sha256 && e.size === p.size));
    if (same) outcome = 'unchanged';
    else reasons.push({ code: 'VERSION_EXISTS', message: `${name}@${version} is already in the registry with different bytes; versions are immutable.` });
  }
  const next: SourceEntry = {
    kind,
    name,
    claim: {
      maintainers: claim.maintainers.length ? claim.maintainers : (existing?.claim.maintainers ?? []),
      ...((claim.repository ?? existing?.claim.repository) ? { repository: claim.repository ?? existing?.claim.repository } : {}),
    },
    versions: sortVersionsDescending([...(existing?.versions.filter((v) => v.version !== version) ?? []), previous && outcome === 'unchanged' ? previous : entry]),
  };
  const entryText = sourceEntryText(next);
  const base: AddToIndexResult = {
    outcome: reasons.length ? 'refused' : outcome,
    reasons,
    kind,
    name,
    version,
    entryPath,
    entry: previous && outcome === 'unchanged' ? previous : entry,
    entryText,
    claim: { status: claim.status, ...(claim.repository ? { repository: claim.repository } : {}), maintainers: next.claim.maintainers },
    dryRun: options.dryRun === true,
  };
  if (reasons.length || outcome === 'unchanged' || options.dryRun) return base;

  const changed = [await writeSourceEntry(options.dir, next)];
  if (storeBlob) {
    for (const a of resolved.artifacts) {
      const rel = blobPath(a.artifact.sha256);
      const target = join(options.dir, ...rel.split('/'));
      if (!(await stat(target).catch(() => undefined))) {
        await mkdir(join(target, '..'), { recursive: true });
        const tmp = siblingTempPath(target);
        await copyFile(a.file, tmp);
        await rename(tmp, target);
      }
      changed.push(rel);
    }
    base.blob = blobPath(first.artifact.sha256);
  }
  if (options.commit !== false) {
    const git = await openGit(options.dir);
    await git.add(changed);
    await git.commit(`Add ${name} ${version} (${scan.display}, signature ${entry.signature.status})`, changed);
    base.commit = (await git.revparse(['HEAD'])).trim();
  }
  return base;
}

function pick(options: AddToIndexOptions) {
  return {
    ...(options.mpakHome ? { mpakHome: options.mpakHome } : {}),
    ...(options.trust ? { trust: options.trust } : {}),
    ...(options.advisories ? { advisories: options.advisories } : {}),
  };
}

interface ClaimCheck {
  status: 'verified' | 'unverified' | 'mismatch';
  repository?: string;
  maintainers: string[];
  reason?: { code: string; message: string };
}

/**
 * GitHub sources must carry `mpak.json` naming the package at the release commit, and the scope
 * must be the repository owner (or mapped to it by `policy.scopes`). Once a package is claimed by
 * a repository, other sources are refused. Local and URL sources cannot prove a claim: they are
 * `unverified`, admitted only for unclaimed packages (a maintainer adding a file by hand) or with
 * `policy.allowUnclaimed`.
 */
async function checkClaim(
  options: AddToIndexOptions,
  config: RegistryConfig,
  resolved: ResolvedSource,
  name: string,
  existing: Claim | undefined,
): Promise<ClaimCheck> {
  const scope = name.slice(1, name.indexOf('/'));
  const gh = resolved.github;
  if (!gh) {
    if (existing?.repository && !config.policy.allowUnclaimed) {
      return {
        status: 'unverified',
        maintainers: [],
        reason: { code: 'CLAIM_UNVERIFIABLE', message: `${name} is claimed by ${existing.repository}; add its versions from there (github:owner/repo@tag).` },
      };
    }
    return { status: 'unverified', maintainers: [] };
  }
  const repository = resolved.provenance.repository!;
  const owner = (config.policy.scopes?.[scope] ?? scope).toLowerCase();
  if (gh.owner.toLowerCase() !== owner) {
    return {
      status: 'mismatch',
      repository,
      maintainers: [],
      reason: { code: 'CLAIM_SCOPE', message: `The scope @${scope} belongs to the GitHub owner "${owner}", not "${gh.owner}".` },
    };
  }
  if (existing?.repository && existing.repository.toLowerCase() !== repository.toLowerCase()) {
    return {
      status: 'mismatch',
      repository,
      maintainers: [],
      reason: { code: 'CLAIM_REPOSITORY', message: `${name} is claimed by ${existing.repository}, not ${repository}.` },
    };
  }
  const octokit = await createOctokit({ ...options.github, ...(options.fetch ? { fetch: options.fetch } : {}) });
  const claim = await readClaim(octokit, gh.owner, gh.repo, gh.commit);
  if (!claim.found) {
    if (config.policy.allowUnclaimed) return { status: 'unverified', repository, maintainers: [] };
    return {
      status: 'unverified',
      repository,
      maintainers: [],
      reason: { code: 'CLAIM_MISSING', message: `${gh.owner}/${gh.repo} has no mpak.json at ${gh.commit.slice(0, 12)} claiming ${name}.` },
    };
  }
  if (claim.claim.name !== name) {
    return {
      status: 'mismatch',
      repository,
      maintainers: claim.claim.maintainers,
      reason: { code: 'CLAIM_NAME', message: `mpak.json in ${gh.owner}/${gh.repo} claims ${claim.claim.name}, not ${name}.` },
    };
  }
  return { status: 'verified', repository, maintainers: claim.claim.maintainers };
}

const PLATFORM_IN_NAME = /-(darwin|linux|win32)-(x64|arm64)\.(mcpb|skill)$/i;

async function resolveSource(options: AddToIndexOptions): Promise<ResolvedSource> {
  const temp = await mkdtemp(join(tmpdir(), 'mpak-index-add-'));
  const cleanup = () => rm(temp, { recursive: true, force: true });
  try {
    const gh = parseGitHubSource(options.source);
    if (gh) return await fromGitHub(options, gh, temp, cleanup);
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(options.source)) return await fromUrl(options, temp, cleanup);
    const file = resolve(options.cwd, options.source);
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) {
      throw inputError('NOT_FOUND', `No such file: ${options.source}`, { suggestions: ['mpak index add ./server.mcpb', 'mpak index add github:owner/repo@v1.0.0'] });
    }
    const { sha256, size } = await sha256File(file);
    return {
      artifacts: [{ file, fileName: basename(file), artifact: { url: blobPath(sha256), sha256, size } }],
      publishedAt: iso(options.now),
      provenance: {},
      local: true,
      cleanup,
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

async function fromUrl(options: AddToIndexOptions, temp: string, cleanup: () => Promise<void>): Promise<ResolvedSource> {
  const url = new URL(options.source);
  const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw inputError('SOURCE_INSECURE', `Only https:// sources are accepted (http:// only on 127.0.0.1): ${options.source}`, {
      suggestions: ['Use the https download URL of the release asset.'],
    });
  }
  const fileName = decodeURIComponent(url.pathname.split('/').pop() || 'download.mcpb');
  const res = await (options.fetch ?? fetch)(url, { redirect: 'follow' }).catch((err: unknown) => {
    throw environmentError('SOURCE_UNREACHABLE', `Cannot download ${options.source}: ${(err as Error).message}`);
  });
  if (!res.ok || !res.body) throw environmentError('SOURCE_HTTP_ERROR', `Downloading ${options.source} failed with HTTP ${res.status}.`);
  const declared = Number(res.headers.get('content-length') ?? NaN);
  const file = join(temp, 'artifact');
  const got = await streamToFile(res, file, MAX_ASSET_BYTES, fileName);
  if (Number.isFinite(declared) && declared !== got.size) {
    throw inputError('ASSET_SIZE_MISMATCH', `${options.source}: the server announced ${declared} bytes, sent ${got.size}.`);
  }
  const platform = PLATFORM_IN_NAME.exec(fileName);
  return {
    artifacts: [{ file, fileName, artifact: { url: url.toString(), ...got, ...(platform ? { platform: `${platform[1]!.toLowerCase()}-${platform[2]!.toLowerCase()}` } : {}) } }],
    publishedAt: iso(options.now),
    provenance: {},
    local: false,
    cleanup,
  };
}

async function fromGitHub(
  options: AddToIndexOptions,
  gh: { owner: string; repo: string; tag: string },
  temp: string,
  cleanup: () => Promise<void>,
): Promise<ResolvedSource> {
  const githubOptions = { ...options.github, ...(options.fetch ? { fetch: options.fetch } : {}) };
  const octokit = await createOctokit(githubOptions);
  const release = await getRelease(octokit, gh.owner, gh.repo, gh.tag);
  const kinds = options.kinds ?? DEFAULT_KINDS;
  const assets = release.assets.filter((a) => kindFor(a.name, kinds)).sort((a, b) => (a.name < b.name ? -1 : 1));
  if (assets.length === 0) {
    throw inputError('GITHUB_NO_ASSET', `Release ${gh.tag} of ${gh.owner}/${gh.repo} has no .mcpb or .skill asset.`, {
      suggestions: ['Upload the packed bundle as a release asset (see index-template/author/release.yml).'],
    });
  }
  const platformOf = (n: string) => PLATFORM_IN_NAME.exec(n);
  if (assets.length > 1 && !assets.every((a) => platformOf(a.name))) {
    throw inputError('GITHUB_AMBIGUOUS_ASSETS', `Release ${gh.tag} has several assets without a platform suffix: ${assets.map((a) => a.name).join(', ')}.`, {
      suggestions: ['Name per-platform assets like server-darwin-arm64.mcpb, or upload one universal .mcpb.'],
    });
  }
  const artifacts: FetchedArtifact[] = [];
  for (const [i, asset] of assets.entries()) {
    const file = join(temp, `asset-${i}`);
    const got = await downloadAsset({ ...githubOptions, owner: gh.owner, repo: gh.repo }, asset, file);
    const p = platformOf(asset.name);
    artifacts.push({
      file,
      fileName: asset.name,
      artifact: { url: asset.browserDownloadUrl, ...got, ...(p && assets.length > 1 ? { platform: `${p[1]!.toLowerCase()}-${p[2]!.toLowerCase()}` } : {}) },
    });
  }
  return {
    artifacts,
    publishedAt: release.publishedAt,
    provenance: { repository: release.repositoryUrl, commit: release.commit, tag: gh.tag },
    local: false,
    github: { ...gh, commit: release.commit },
    cleanup,
  };
}

function iso(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
