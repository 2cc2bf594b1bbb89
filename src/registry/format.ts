/**
 * The data formats of the static, git-backed registry (spec/registry.md), as zod schemas with
 * their inferred types. Three families live here:
 *
 * - **Source** files that maintainers and PRs change: `registry.json` and one entry per package
 *   (`packages/@scope/name.json`, `skills/@scope/name.json`).
 * - **Published** files that `mpak index build` writes: the signed `timestamp.json` and
 *   `snapshot/<sha256>.json`, the compact `summary/<sha256>.json` shards, the per-package
 *   documents `packages/@scope/name/<sha256>.json`, and `catalog.json`.
 * - **Paths and references**: where each file lives, and `@scope/name@range` parsing.
 *
 * Readers (client, web page, mirror) parse every file they fetch with these schemas; writers
 * serialise with `canonicalJson`/`stableJson` so equal data always gives equal bytes.
 */
import semver from 'semver';
import { z } from 'zod';
import { inputError } from '../errors.js';

/**
 * The format version written by this mpak; readers refuse a higher major than they know.
 *
 * - 1: the snapshot listed every package document (a `documents` name → path map, and each path
 *   again in `files`).
 * - 2: package documents and their hashes live in a content-addressed document index
 *   (`documents/<sha256>.json`) that the snapshot references by path, SHA-256 and length, so the
 *   snapshot stays small (about 10 KiB at 10,000 packages) and the web page's first render does
 *   not carry it. `catalog.json` is compact (summary-level data + the latest version's
 *   artifacts). Version entries may carry per-control scan detail and a `longDescription`.
 */
export const REGISTRY_FORMAT_VERSION = 2;

// ---------------------------------------------------------------------------------------------
// Shared building blocks
// ---------------------------------------------------------------------------------------------

/** Lowercase hex SHA-256. */
export const Sha256Hex = z.string().regex(/^[a-f0-9]{64}$/, 'expected 64 lowercase hex characters');

/** An RFC 3339 UTC timestamp as written by `Date.toISOString()` (milliseconds optional). */
export const IsoTime = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/, 'expected an ISO 8601 UTC time');

/**
 * A package name: `@scope/name`, lowercase, npm-like characters. The scope is the namespace a
 * claim is checked against (normally the GitHub owner of the source repository).
 */
export const PACKAGE_NAME_PATTERN = /^@([a-z0-9][a-z0-9._-]{0,63})\/([a-z0-9][a-z0-9._-]{0,127})$/;
export const PackageName = z.string().regex(PACKAGE_NAME_PATTERN, 'expected a lowercase scoped name like @scope/name');

/** A strict semver version (a leading `v` is not part of a stored version). */
export const Version = z
  .string()
  .max(255)
  .refine(isStrictSemver, 'expected a semver version like 1.2.3');

/** True for a full semver version as written (`1.2.3`, `1.0.0-rc.1`, `1.0.1+build.7`), no `v`, no spaces. */
export function isStrictSemver(v: string): boolean {
  return /^\d+\.\d+\.\d+[0-9A-Za-z.+-]*$/.test(v) && semver.valid(v) !== null;
}

/** Trust level 0..4 (L0 None … L4 Attested), mtf-controls.md §1. */
export const TrustLevel = z.number().int().min(0).max(4);

/** What a registry entry describes. Pluggable by design: a new kind adds a folder and a reader. */
export const PackageKind = z.enum(['bundle', 'skill']);
export type PackageKind = z.infer<typeof PackageKind>;

/** The source folder of each kind (and the published folder of its documents). */
export const KIND_FOLDERS: Record<PackageKind, 'packages' | 'skills'> = { bundle: 'packages', skill: 'skills' };

/** Lifecycle of one version. Removal is a status change, never a silent delete. */
export const VersionStatus = z.enum(['active', 'deprecated', 'yanked', 'deleted']);
export type VersionStatus = z.infer<typeof VersionStatus>;

/** Platform tag of an artifact: `<os>-<arch>`, os darwin/linux/win32, arch x64/arm64. */
export const Platform = z.string().regex(/^(darwin|linux|win32)-(x64|arm64)$/, 'expected <os>-<arch>, e.g. darwin-arm64');

// ---------------------------------------------------------------------------------------------
// registry.json
// ---------------------------------------------------------------------------------------------

/**
 * One index-signing key. `publicKey` is the raw 32-byte Ed25519 key in base64 (or a PEM SPKI
 * block); `keyid` is `keyIdOf(publicKey)` (src/sign/index-keys.ts); `fingerprint` is the
 * human-checkable form shown when a client pins the key on first use.
 */
export const RegistryKey = z.strictObject({
  keyid: z.string().min(1),
  algorithm: z.literal('ed25519'),
  publicKey: z.string().min(1),
  fingerprint: z.string().min(1),
});
export type RegistryKey = z.infer<typeof RegistryKey>;

/** A repository the scheduled poll watches for new releases (`mpak index poll`). */
export const WatchedRepo = z.strictObject({
  /** `owner/repo` on GitHub (or the configured GitHub API host). */
  repository: z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'expected owner/repo'),
  /** The package the releases belong to, when it is not derivable from the repository's mpak.json. */
  package: PackageName.optional(),
});
export type WatchedRepo = z.infer<typeof WatchedRepo>;

/** Admission policy: what `mpak index add` requires before it writes an entry. */
export const RegistryPolicy = z.strictObject({
  /** Minimum trust level a version must reach to be admitted (0 admits everything that opens). */
  minLevel: TrustLevel,
  /**
   * Scope → GitHub owner overrides for the claim check. By default `@acme/x` must come from a
   * repository owned by `acme`; `{"acme": "acme-corp"}` accepts `acme-corp/*` instead.
   */
  scopes: z.record(z.string(), z.string()).optional(),
  /** Accept versions whose source repository has no matching mpak.json (claim `unverified`). Default false. */
  allowUnclaimed: z.boolean().optional(),
});
export type RegistryPolicy = z.infer<typeof RegistryPolicy>;

export const RegistryConfig = z.strictObject({
  $schema: z.string().optional(),
  /** Short machine name of the registry (e.g. `acme`), used as the client's registry name by default. */
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'expected a lowercase short name'),
  title: z.string().min(1).max(200),
  /** Where the published `dist/` is served (`https://owner.github.io/registry/`); ends with `/`. */
  baseUrl: z.string().url(),
  formatVersion: z.number().int().min(1),
  policy: RegistryPolicy,
  /** Index-signing public keys; timestamp and snapshot need a signature from one of them. */
  keys: z.array(RegistryKey).min(1),
  watch: z.array(WatchedRepo).optional(),
  /** Days after the source commit's time at which timestamp/snapshot expire. Default 90. */
  expiresDays: z.number().int().min(1).max(3650).optional(),
});
export type RegistryConfig = z.infer<typeof RegistryConfig>;

export const DEFAULT_EXPIRES_DAYS = 90;

// ---------------------------------------------------------------------------------------------
// Source entries: packages/@scope/name.json and skills/@scope/name.json
// ---------------------------------------------------------------------------------------------

/**
 * A downloadable file of one version. `url` is an `https://` URL or a registry-relative path
 * (`blobs/sha256/<hex>`) resolved against the registry's base; `sha256`/`size` are checked
 * before anything is trusted.
 */
export const Artifact = z.strictObject({
  url: z.string().refine(isArtifactUrl, 'expected an https:// URL (http:// only on loopback) or blobs/sha256/<hex>'),
  sha256: Sha256Hex,
  size: z.number().int().min(0),
  platform: Platform.optional(),
});
export type Artifact = z.infer<typeof Artifact>;

/** Where an artifact may point: https, plain http only on the loopback host (tests, previews), or the registry's own blobs. */
export function isArtifactUrl(url: string): boolean {
  if (/^blobs\/sha256\/[a-f0-9]{64}$/.test(url)) return true;
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || (u.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname));
  } catch {
    return false;
  }
}

export const UserConfigSummary = z.strictObject({
  key: z.string(),
  type: z.enum(['string', 'number', 'boolean', 'directory', 'file']),
  title: z.string().optional(),
  required: z.boolean(),
  sensitive: z.boolean(),
});
export type UserConfigSummary = z.infer<typeof UserConfigSummary>;

const NamedItem = z.strictObject({ name: z.string(), description: z.string().optional() });

/** What a listing or `bundle show` needs from the manifest, without opening the bundle. */
export const ManifestSummary = z.strictObject({
  displayName: z.string().optional(),
  description: z.string(),
  /** `node`, `python`, `binary`, `uv` for bundles; absent for skills. */
  serverType: z.string().optional(),
  tools: z.array(NamedItem),
  prompts: z.array(NamedItem),
  userConfig: z.array(UserConfigSummary),
  keywords: z.array(z.string()),
  license: z.string().optional(),
  /** The manifest's `long_description` (Markdown; renderers must treat it as untrusted). */
  longDescription: z.string().max(65_536).optional(),
  /** Source repository URL as declared by the manifest. */
  repository: z.string().optional(),
  homepage: z.string().optional(),
  /** An `https://` icon URL when the manifest has one (bundle-relative icons are not published). */
  icon: z.string().optional(),
});
export type ManifestSummary = z.infer<typeof ManifestSummary>;

export const ControlStatus = z.enum(['pass', 'fail', 'skip', 'unverified', 'error']);

const SeverityCounts = z.strictObject({
  critical: z.number().int().min(0),
  high: z.number().int().min(0),
  medium: z.number().int().min(0),
  low: z.number().int().min(0),
  info: z.number().int().min(0),
});

/** Why one control has its status, and how many findings of each severity it raised (all optional). */
export const ControlDetail = z.strictObject({
  /** The scanner's reason, cut to CONTROL_REASON_MAX characters. */
  reason: z.string().max(1000).optional(),
  /** Findings of this control by severity; severities with none are omitted. */
  findings: SeverityCounts.partial().optional(),
});
export type ControlDetail = z.infer<typeof ControlDetail>;
export const CONTROL_REASON_MAX = 300;

/** The scan result a registry keeps per version (mtf-controls.md §3, §7 condensed). */
export const ScanSummary = z.strictObject({
  level: TrustLevel,
  score: z.number().int().min(0).max(100),
  /** `L<level> <score>`, e.g. `L3 88`. */
  display: z.string(),
  /** A degraded report is never a certification; clients show it as such. */
  degraded: z.boolean(),
  /** Control id → status, e.g. `{"AI-01": "pass", "CQ-06": "unverified"}`. */
  controls: z.record(z.string(), ControlStatus),
  counts: SeverityCounts,
  scannerVersion: z.string(),
  /** Control id → reason and finding counts (format 2, optional: older entries have none). */
  details: z.record(z.string(), ControlDetail).optional(),
});
export type ScanSummary = z.infer<typeof ScanSummary>;

export const SignatureStatus = z.enum(['trusted', 'self-signed', 'untrusted', 'invalid', 'malformed', 'unsigned']);
export type SignatureStatus = z.infer<typeof SignatureStatus>;

export const SignatureSummary = z.strictObject({
  status: SignatureStatus,
  /** Subject of the signing certificate (CN / O), when signed. */
  signer: z.string().optional(),
  /** `sha256:<hex>` of the signing certificate, when signed. */
  fingerprint: z.string().optional(),
});
export type SignatureSummary = z.infer<typeof SignatureSummary>;

export const Provenance = z.strictObject({
  /** `https://github.com/owner/repo` */
  repository: z.string().optional(),
  commit: z.string().regex(/^[a-f0-9]{40}$/).optional(),
  tag: z.string().optional(),
  /** The workflow that built it, e.g. `.github/workflows/release.yml`. */
  workflow: z.string().optional(),
});
export type Provenance = z.infer<typeof Provenance>;

/** One immutable version of a package. */
export const VersionEntry = z.strictObject({
  version: Version,
  /** When the version was released (release or commit time), never the build's clock. */
  publishedAt: IsoTime,
  artifacts: z.array(Artifact).min(1),
  manifest: ManifestSummary,
  scan: ScanSummary,
  signature: SignatureSummary,
  provenance: Provenance,
  status: VersionStatus,
  statusMessage: z.string().optional(),
});
export type VersionEntry = z.infer<typeof VersionEntry>;

/** Who may publish: `maintainers` (GitHub users) and the source repository the claim lives in. */
export const Claim = z.strictObject({
  maintainers: z.array(z.string()),
  repository: z.string().optional(),
});
export type Claim = z.infer<typeof Claim>;

/** `packages/@scope/name.json` / `skills/@scope/name.json`: versions semver-descending. */
export const SourceEntry = z.strictObject({
  kind: PackageKind,
  name: PackageName,
  claim: Claim,
  versions: z.array(VersionEntry),
});
export type SourceEntry = z.infer<typeof SourceEntry>;

/** `mpak.json` at the root of a source repository: the claim a registry checks. */
export const ClaimFile = z.object({
  name: PackageName,
  maintainers: z.array(z.string()).default([]),
});
export type ClaimFile = z.infer<typeof ClaimFile>;

// ---------------------------------------------------------------------------------------------
// Published, signed metadata (TUF-shaped)
// ---------------------------------------------------------------------------------------------

export const Signature = z.strictObject({ keyid: z.string(), sig: z.string() });

/** `{signed, signatures}`: Ed25519 over `canonicalJson(signed)`. */
export function signedEnvelope<T extends z.ZodType>(signed: T) {
  return z.strictObject({ signed, signatures: z.array(Signature).min(1) });
}

export const FileMeta = z.strictObject({ sha256: Sha256Hex, length: z.number().int().min(0) });
export type FileMeta = z.infer<typeof FileMeta>;

/** A file named by its path, with its hash and length (the snapshot in the timestamp, the document index in the snapshot). */
export const FileRef = z.strictObject({ path: z.string(), sha256: Sha256Hex, length: z.number().int().min(0) });
export type FileRef = z.infer<typeof FileRef>;

/** `timestamp.json` → `signed`. `version` is the source commit count; it only grows. */
export const TimestampSigned = z.strictObject({
  type: z.literal('timestamp'),
  formatVersion: z.number().int().min(1),
  version: z.number().int().min(1),
  expires: IsoTime,
  snapshot: FileRef,
});
export type TimestampSigned = z.infer<typeof TimestampSigned>;
export const TimestampFile = signedEnvelope(TimestampSigned);
export type TimestampFile = z.infer<typeof TimestampFile>;

/** One summary shard. Shards are disjoint and in name order; every bare name (after `@`) in a shard starts with its `prefix` (`""` = no common prefix). */
export const SummaryShardRef = z.strictObject({
  prefix: z.string(),
  path: z.string(),
  count: z.number().int().min(0),
});
export type SummaryShardRef = z.infer<typeof SummaryShardRef>;

/** `snapshot/<sha256>.json` → `signed`. Lists every published file except itself, timestamp and blobs. */
export const SnapshotSigned = z.strictObject({
  type: z.literal('snapshot'),
  formatVersion: z.number().int().min(1),
  version: z.number().int().min(1),
  expires: IsoTime,
  /** The source commit the snapshot was built from, and its committer time. */
  source: z.strictObject({ commit: z.string(), committedAt: IsoTime }),
  registry: z.strictObject({ name: z.string(), title: z.string(), baseUrl: z.string() }),
  /** Summary shards in prefix order; a client reads all of them (or the ones a search needs). */
  summary: z.array(SummaryShardRef),
  /**
   * The document index (`documents/<sha256>.json`): package name → hash and length of its
   * document, per kind. Readers fetch it only when they need a package document.
   */
  documents: FileRef,
  /**
   * Path (relative to the registry root, `/`-separated) → hash and length of the summary shards,
   * catalogue, export index, registry.json and web page. Package documents are listed in the
   * document index and the fixed-path `/v0.1` files in the export index instead, so the snapshot
   * stays a few KiB however many packages there are.
   */
  files: z.record(z.string(), FileMeta),
  /** Path of the export index (`exports/<sha256>.json`, itself in `files`), or null without exports. */
  exports: z.string().nullable(),
});
export type SnapshotSigned = z.infer<typeof SnapshotSigned>;
export const SnapshotFile = signedEnvelope(SnapshotSigned);
export type SnapshotFile = z.infer<typeof SnapshotFile>;

/** `exports/<sha256>.json`: hashes of the fixed-path `/v0.1` files (one level below the snapshot). */
export const ExportIndex = z.strictObject({
  formatVersion: z.number().int().min(1),
  files: z.record(z.string(), FileMeta),
});
export type ExportIndex = z.infer<typeof ExportIndex>;
export const exportIndexPath = (sha256: string) => `exports/${sha256}.json`;

/**
 * `documents/<sha256>.json`: package name → hash and length of its document, per kind. The
 * document's path follows from them: `packageDocumentPath(name, kind, sha256)`.
 */
export const DocumentIndex = z.strictObject({
  formatVersion: z.number().int().min(2),
  bundle: z.record(z.string(), FileMeta),
  skill: z.record(z.string(), FileMeta),
});
export type DocumentIndex = z.infer<typeof DocumentIndex>;
export const documentIndexPath = (sha256: string) => `documents/${sha256}.json`;

/** The published path and metadata of one package's document, or undefined when the index does not list it. */
export function documentRef(index: DocumentIndex, kind: PackageKind, name: string): FileRef | undefined {
  const meta = Object.hasOwn(index[kind], name) ? index[kind][name] : undefined;
  return meta ? { path: packageDocumentPath(name, kind, meta.sha256), ...meta } : undefined;
}

// ---------------------------------------------------------------------------------------------
// Summary records (compact; one per package)
// ---------------------------------------------------------------------------------------------

/** One line of a listing. The record describes the latest non-yanked version. */
export const SummaryRecord = z.strictObject({
  name: PackageName,
  kind: PackageKind,
  version: Version,
  /** The manifest description, cut at a word to at most SUMMARY_DESCRIPTION_MAX characters. */
  description: z.string(),
  keywords: z.array(z.string()),
  level: TrustLevel,
  score: z.number().int().min(0).max(100),
  display: z.string(),
  serverType: z.string().nullable(),
  platforms: z.array(z.string()),
  publishedAt: IsoTime,
  /** Status of that version; a package whose versions are all removed shows `deleted`/`yanked`. */
  status: VersionStatus,
});
export type SummaryRecord = z.infer<typeof SummaryRecord>;

export const SUMMARY_DESCRIPTION_MAX = 100;

/**
 * Column order of a summary shard. Shards are tables: a header names the columns once and each row is an array in that order, which keeps 10,000 packages under about
 * 1 MB. Use `summaryRecords(shard)` to get objects back.
 */
export const SUMMARY_COLUMNS = [
  'name',
  'kind',
  'version',
  'description',
  'keywords',
  'level',
  'score',
  'display',
  'serverType',
  'platforms',
  'publishedAt',
  'status',
] as const satisfies readonly (keyof SummaryRecord)[];

/** `summary/<sha256>.json`. */
export const SummaryShard = z.strictObject({
  formatVersion: z.number().int().min(1),
  prefix: z.string(),
  columns: z.array(z.string()),
  rows: z.array(z.array(z.unknown())),
});
export type SummaryShard = z.infer<typeof SummaryShard>;

/** Encodes records as one shard (rows in the given order). */
export function summaryShard(prefix: string, records: readonly SummaryRecord[]): SummaryShard {
  return {
    formatVersion: REGISTRY_FORMAT_VERSION,
    prefix,
    columns: [...SUMMARY_COLUMNS],
    rows: records.map((r) => SUMMARY_COLUMNS.map((c) => r[c])),
  };
}

/** Decodes a shard to validated records; columns are matched by name, so readers survive reordering. */
export function summaryRecords(shard: SummaryShard): SummaryRecord[] {
  return shard.rows.map((row) => SummaryRecord.parse(Object.fromEntries(shard.columns.map((c, i) => [c, row[i]]))));
}

// ---------------------------------------------------------------------------------------------
// Per-package documents and the catalogue
// ---------------------------------------------------------------------------------------------

/**
 * `packages/@scope/name/<sha256>.json` (skills likewise): everything about one package. Equal to
 * the source entry plus the derived `latest` version and the MCP Registry `serverName`.
 */
export const PackageDocument = z.strictObject({
  formatVersion: z.number().int().min(1),
  kind: PackageKind,
  name: PackageName,
  /** `dev.mpak.<scope>/<name>`: the name in the `/v0.1` export. */
  serverName: z.string(),
  /** Highest active (else deprecated) version; null when every version is yanked or deleted. */
  latest: Version.nullable(),
  claim: Claim,
  versions: z.array(VersionEntry),
});
export type PackageDocument = z.infer<typeof PackageDocument>;

/**
 * One package in `catalog.json`: summary-level data and the latest version's artifacts and scan
 * display. Tools, user_config, provenance, scan details and older versions live in the package
 * document (`document`), so 10,000 realistic packages stay a few MB.
 */
export const CatalogEntry = z.strictObject({
  kind: PackageKind,
  name: PackageName,
  serverName: z.string(),
  /** The version installed by default; null when every version is yanked or deleted. */
  latest: Version.nullable(),
  /** How many versions the package document lists. */
  versionCount: z.number().int().min(0),
  displayName: z.string().optional(),
  description: z.string(),
  keywords: z.array(z.string()),
  serverType: z.string().optional(),
  license: z.string().optional(),
  repository: z.string().optional(),
  /** Trust level, score and `L<level> <score>` of the latest (else newest) version. */
  level: TrustLevel,
  score: z.number().int().min(0).max(100),
  display: z.string(),
  signature: SignatureStatus,
  status: VersionStatus,
  publishedAt: IsoTime,
  /** Artifacts of the latest version (empty when there is none). */
  artifacts: z.array(Artifact),
  /** Path of the package document with every version and all details. */
  document: z.string(),
});
export type CatalogEntry = z.infer<typeof CatalogEntry>;

/**
 * `catalog.json`: a one-file export for tools that want a single catalogue: one compact
 * `CatalogEntry` per package (10,000 realistic packages stay well under the 16 MiB file cap).
 */
export const Catalog = z.strictObject({
  formatVersion: z.number().int().min(1),
  registry: z.strictObject({ name: z.string(), title: z.string(), baseUrl: z.string() }),
  version: z.number().int().min(1),
  packages: z.array(CatalogEntry),
});
export type Catalog = z.infer<typeof Catalog>;

// ---------------------------------------------------------------------------------------------
// Paths
// ---------------------------------------------------------------------------------------------

/** Splits `@scope/name` (validated) into its parts. */
export function splitPackageName(name: string): { scope: string; bare: string } {
  const m = PACKAGE_NAME_PATTERN.exec(name);
  if (!m) {
    throw inputError('PACKAGE_NAME_INVALID', `Invalid package name "${name}". Expected a lowercase scoped name like @scope/name.`, {
      suggestions: ['Set "name": "@your-scope/your-server" in manifest.json.'],
    });
  }
  return { scope: m[1]!, bare: m[2]! };
}

/** Source entry of a package: `packages/@scope/name.json` (bundles) or `skills/@scope/name.json`. */
export function packageSourcePath(name: string, kind: PackageKind = 'bundle'): string {
  const { scope, bare } = splitPackageName(name);
  return `${KIND_FOLDERS[kind]}/@${scope}/${bare}.json`;
}

/** Published document of a package: `packages/@scope/name/<sha256>.json`. */
export function packageDocumentPath(name: string, kind: PackageKind, sha256: string): string {
  const { scope, bare } = splitPackageName(name);
  return `${KIND_FOLDERS[kind]}/@${scope}/${bare}/${sha256}.json`;
}

export const TIMESTAMP_PATH = 'timestamp.json';
export const REGISTRY_CONFIG_PATH = 'registry.json';
export const CATALOG_PATH = 'catalog.json';
export const snapshotPath = (sha256: string) => `snapshot/${sha256}.json`;
export const summaryPath = (sha256: string) => `summary/${sha256}.json`;
/** Content-addressed bundle storage of local and mirrored registries. */
export const blobPath = (sha256: string) => `blobs/sha256/${sha256}`;

/** MCP Registry server name of a package: `dev.mpak.<scope>/<name>` (mcpb-format §7). */
export function serverNameOf(name: string): string {
  const { scope, bare } = splitPackageName(name);
  return `dev.mpak.${scope}/${bare}`.toLowerCase();
}

/** `v0.1/servers/<url-encoded server name>/versions/<url-encoded version or latest>`. */
export function v01VersionPath(serverName: string, version: string): string {
  return `v0.1/servers/${encodeURIComponent(serverName)}/versions/${encodeURIComponent(version)}`;
}
/**
 * The version list of one server. A folder cannot also be a file, so the list of
 * `GET /v0.1/servers/{name}/versions` lives at `…/versions/index.json`; `mpak index serve` (and
 * most static hosts' index rules) answer the folder URL with it.
 */
export const v01VersionsPath = (serverName: string) => `v0.1/servers/${encodeURIComponent(serverName)}/versions/index.json`;
/** `GET /v0.1/servers`: the latest version of every server (static: no cursor, `count` = items), at `v0.1/servers/index.json`. */
export const V01_SERVERS_PATH = 'v0.1/servers/index.json';

/** Size caps readers enforce before parsing (spec/registry.md). */
export const SIZE_LIMITS = {
  timestamp: 16 * 1024,
  snapshot: 4 * 1024 * 1024,
  other: 16 * 1024 * 1024,
} as const;

// ---------------------------------------------------------------------------------------------
// Package references
// ---------------------------------------------------------------------------------------------

export interface PackageRef {
  /** `@scope/name` */
  name: string;
  scope: string;
  bare: string;
  /** The exact version or semver range after the last `@`, leading `v` stripped; undefined = latest. */
  range?: string;
  /** True when `range` is one exact version. */
  exact: boolean;
}

/**
 * Parses `@scope/name`, `@scope/name@1.2.3`, `@scope/name@^1.2` or `@scope/name@latest`
 * (mcpb-format §8: split at the last `@` when its index is > 0). Names are lowercased.
 */
export function parsePackageRef(spec: string): PackageRef {
  const invalid = () =>
    inputError('PACKAGE_SPEC_INVALID', `Invalid package spec: "${spec}". Expected scoped format: @scope/name`, {
      suggestions: ['mpak bundle show @scope/name@1.2.3'],
    });
  const at = spec.lastIndexOf('@');
  const namePart = at > 0 ? spec.slice(0, at) : spec;
  let rangePart = at > 0 ? spec.slice(at + 1) : undefined;
  const m = PACKAGE_NAME_PATTERN.exec(namePart.toLowerCase());
  if (!m) throw invalid();
  if (rangePart !== undefined) {
    rangePart = rangePart.trim();
    if (rangePart === '') throw invalid();
    if (rangePart === 'latest') rangePart = undefined;
    else {
      if (/^v\d/.test(rangePart)) rangePart = rangePart.slice(1);
      if (semver.validRange(rangePart) === null) throw invalid();
    }
  }
  const exact = rangePart !== undefined && semver.valid(rangePart) !== null;
  return { name: namePart.toLowerCase(), scope: m[1]!, bare: m[2]!, ...(rangePart === undefined ? {} : { range: rangePart }), exact };
}

// ---------------------------------------------------------------------------------------------
// Ordering helpers shared by writer and readers
// ---------------------------------------------------------------------------------------------

/** Versions semver-descending (the order of every `versions[]`). */
export function sortVersionsDescending<T extends { version: string }>(versions: readonly T[]): T[] {
  return [...versions].sort((a, b) => semver.rcompare(a.version, b.version));
}

/** The version a client installs by default: highest active, else highest deprecated, else none. */
export function latestVersion<T extends { version: string; status: VersionStatus }>(versions: readonly T[]): T | undefined {
  const sorted = sortVersionsDescending(versions);
  const stable = (s: VersionStatus) => sorted.filter((v) => v.status === s);
  const active = stable('active');
  const release = active.find((v) => semver.prerelease(v.version) === null);
  return release ?? active[0] ?? stable('deprecated')[0];
}
