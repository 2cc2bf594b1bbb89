import { copyFile, mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { inputError } from '../errors.js';
import { signCanonical } from '../sign/index-keys.js';
import { canonicalJson } from '../util/canonical-json.js';
import { siblingTempPath } from '../util/fs-atomic.js';
import { sha256 } from '../util/hash.js';
import { cutAtWord, serverResponse, type ServerResponse } from './export-v01.js';
import { FileSink, listTree } from './files.js';
import {
  CATALOG_PATH,
  DEFAULT_EXPIRES_DAYS,
  KIND_FOLDERS,
  REGISTRY_CONFIG_PATH,
  REGISTRY_FORMAT_VERSION,
  SIZE_LIMITS,
  SUMMARY_DESCRIPTION_MAX,
  SourceEntry,
  TIMESTAMP_PATH,
  documentIndexPath,
  exportIndexPath,
  latestVersion,
  packageDocumentPath,
  serverNameOf,
  snapshotPath,
  sortVersionsDescending,
  summaryPath,
  summaryShard,
  v01VersionPath,
  v01VersionsPath,
  V01_SERVERS_PATH,
  type CatalogEntry,
  type DocumentIndex,
  type PackageDocument,
  type PackageKind,
  type RegistryConfig,
  type SnapshotSigned,
  type SummaryRecord,
  type SummaryShardRef,
  type TimestampSigned,
} from './format.js';
import { headCommit, openGit } from './git.js';
import type { IndexSigningKey } from './keys.js';
import { checkEntryPath, parseJsonWith, readRegistryConfig } from './source.js';

export interface BuildIndexOptions {
  /** The registry source folder (a git checkout). */
  dir: string;
  /** Where the published files go; replaced atomically. */
  outDir: string;
  /** The index-signing private key; its public half must be listed in registry.json. */
  key: IndexSigningKey;
  /** Summary shards are split by name prefix above this many bytes (default 1,000,000). */
  shardBytes?: number;
}

export interface BuildIndexResult {
  outDir: string;
  /** Snapshot/timestamp version: the source commit count. */
  version: number;
  expires: string;
  commit: string;
  /** True when packages/, skills/ or registry.json have uncommitted changes (output then is not reproducible from the commit). */
  dirty: boolean;
  packages: { bundle: number; skill: number };
  versions: number;
  /** Files listed in the snapshot, the export index and the document index, plus the document index. */
  files: number;
  snapshot: { path: string; sha256: string; length: number };
  summary: { shards: number; bytes: number };
  blobs: number;
}

/** Top-level entries of a registry source folder that are not part of the web page. */
const NOT_PAGE = new Set(['packages', 'skills', 'blobs', REGISTRY_CONFIG_PATH, 'author', 'node_modules', 'dist', 'web-src']);

/**
 * Generates the published layout of spec/registry.md from the source entries: per-package
 * documents, summary shards, the `/v0.1` export, catalog.json, blobs and the web page, listed
 * in a signed snapshot that a signed timestamp points to. Deterministic: the same source commit
 * gives byte-identical output (versions and times come from the commit, never the clock). The
 * output folder is built beside `outDir` and renamed into place.
 */
export async function buildIndex(options: BuildIndexOptions): Promise<BuildIndexResult> {
  const dir = resolve(options.dir);
  const outDir = resolve(options.outDir);
  const config = await readRegistryConfig(dir);
  if (!config.keys.some((k) => k.keyid === options.key.keyid)) {
    throw inputError('INDEX_KEY_UNLISTED', `The signing key ${options.key.keyid.slice(0, 16)}… is not among registry.json's keys; clients would reject the index.`, {
      suggestions: ['Pass the key created by `mpak index init` (--key or MPAK_INDEX_KEY), or add its public key to registry.json.'],
    });
  }
  const git = await openGit(dir);
  const head = await headCommit(git).catch(() => {
    throw inputError('INDEX_NOT_GIT', `${dir} is not a git repository with at least one commit; the index version comes from the commit.`, {
      suggestions: [`git -C ${dir} init && git -C ${dir} add -A && git -C ${dir} commit -m "registry"`],
    });
  });
  if ((await git.raw(['rev-parse', '--is-shallow-repository'])).trim() === 'true') {
    throw inputError('INDEX_SHALLOW_CLONE', `${dir} is a shallow clone: the index version is the commit count, which a shallow history gets wrong (clients would see a rollback).`, {
      suggestions: [`git -C ${dir} fetch --unshallow`, 'In GitHub Actions: actions/checkout with fetch-depth: 0'],
    });
  }
  const dirty = (await git.raw(['status', '--porcelain', '--', 'packages', 'skills', REGISTRY_CONFIG_PATH])).trim() !== '';
  const expiresDays = config.expiresDays ?? DEFAULT_EXPIRES_DAYS;
  const expires = new Date(Date.parse(head.committedAt) + expiresDays * 86_400_000).toISOString().replace('.000Z', 'Z');
  const registry = { name: config.name, title: config.title, baseUrl: config.baseUrl };

  const tmp = siblingTempPath(outDir, 'build');
  await mkdir(tmp, { recursive: true });
  try {
    const sink = new FileSink(tmp);
    const exportsSink = new FileSink(tmp);
    const docsSink = new FileSink(tmp);
    const documents: DocumentIndex = { formatVersion: REGISTRY_FORMAT_VERSION, bundle: {}, skill: {} };
    const records: SummaryRecord[] = [];
    const catalog: CatalogEntry[] = [];
    const latestServers: ServerResponse[] = [];
    const counts = { bundle: 0, skill: 0 };
    let versions = 0;

    for (const kind of ['bundle', 'skill'] as const) {
      for await (const entry of readEntries(dir, kind)) {
        counts[kind]++;
        versions += entry.versions.length;
        const doc = packageDocument(entry);
        const text = fileText(doc);
        const docMeta = hashOnly(text);
        const docPath = packageDocumentPath(doc.name, kind, docMeta.sha256);
        docsSink.add(docPath, text);
        documents[kind][doc.name] = docMeta;
        records.push(summaryRecord(doc));
        catalog.push(catalogEntry(doc, docPath));
        if (kind === 'bundle') {
          const latest = writeV01(exportsSink, doc, config);
          if (latest) latestServers.push(latest);
        }
      }
    }

    await docsSink.flush();
    exportsSink.add(V01_SERVERS_PATH, fileText({ servers: latestServers, metadata: { count: latestServers.length } }));
    await exportsSink.flush();

    const shards = shardRecords(records.sort(byNameKind), options.shardBytes ?? 1_000_000);
    const summary: SummaryShardRef[] = [];
    let summaryBytes = 0;
    for (const shard of shards) {
      const text = fileText(summaryShard(shard.prefix, shard.records));
      const path = summaryPath((hashOnly(text)).sha256);
      const meta = sink.add(path, text);
      summaryBytes += meta.length;
      summary.push({ prefix: shard.prefix, path, count: shard.records.length });
    }

    sink.add(
      CATALOG_PATH,
      fileText({ formatVersion: REGISTRY_FORMAT_VERSION, registry, version: head.count, packages: catalog.sort(byNameKind) }),
    );
    sink.add(REGISTRY_CONFIG_PATH, await readFile(join(dir, REGISTRY_CONFIG_PATH)));
    for (const rel of await listTree(dir, (name) => name.startsWith('.') || NOT_PAGE.has(name) || isInside(join(dir, name), outDir))) {
      sink.add(rel, await readFile(join(dir, ...rel.split('/'))));
    }
    const blobs = await copyBlobs(dir, tmp);

    const exportIndex = fileText({ formatVersion: REGISTRY_FORMAT_VERSION, files: Object.fromEntries(sortedEntries(exportsSink.files)) });
    const exportsPath = exportIndexPath((hashOnly(exportIndex)).sha256);
    sink.add(exportsPath, exportIndex);
    await sink.flush();
    // The document index is referenced by the snapshot, not listed in its files.
    const documentIndex = fileText(documents);
    const documentsRef = { path: documentIndexPath(hashOnly(documentIndex).sha256), ...hashOnly(documentIndex) };
    const indexSink = new FileSink(tmp);
    indexSink.add(documentsRef.path, documentIndex);
    await indexSink.flush();

    for (const [path, meta] of [...sink.files, ...docsSink.files, ...indexSink.files]) {
      if (meta.length > SIZE_LIMITS.other) {
        throw inputError('INDEX_FILE_TOO_LARGE', `${path} would be ${meta.length} bytes, over the ${SIZE_LIMITS.other}-byte cap readers enforce.`);
      }
    }

    const snapshotSigned: SnapshotSigned = {
      type: 'snapshot',
      formatVersion: REGISTRY_FORMAT_VERSION,
      version: head.count,
      expires,
      source: { commit: head.commit, committedAt: head.committedAt },
      registry,
      summary,
      documents: documentsRef,
      files: Object.fromEntries(sortedEntries(sink.files)),
      exports: exportsPath,
    };
    const snapshotText = fileText({ signed: snapshotSigned, signatures: [signCanonical(snapshotSigned, options.key.privateKeyPem)] });
    if (Buffer.byteLength(snapshotText) > SIZE_LIMITS.snapshot) {
      throw inputError('INDEX_SNAPSHOT_TOO_LARGE', `The snapshot would be ${Buffer.byteLength(snapshotText)} bytes, over the ${SIZE_LIMITS.snapshot}-byte cap.`);
    }
    const snapshotMeta = hashOnly(snapshotText);
    const snapshot = { path: snapshotPath(snapshotMeta.sha256), ...snapshotMeta };
    const finalSink = new FileSink(tmp);
    finalSink.add(snapshot.path, snapshotText);
    const timestampSigned: TimestampSigned = {
      type: 'timestamp',
      formatVersion: REGISTRY_FORMAT_VERSION,
      version: head.count,
      expires,
      snapshot,
    };
    finalSink.add(TIMESTAMP_PATH, fileText({ signed: timestampSigned, signatures: [signCanonical(timestampSigned, options.key.privateKeyPem)] }));
    await finalSink.flush();

    await replaceDir(tmp, outDir);
    return {
      outDir,
      version: head.count,
      expires,
      commit: head.commit,
      dirty,
      packages: counts,
      versions,
      files: sink.files.size + exportsSink.files.size + docsSink.files.size + 1,
      snapshot,
      summary: { shards: summary.length, bytes: summaryBytes },
      blobs,
    };
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

/** Published JSON text: canonical JSON and a final newline. */
export function fileText(value: unknown): string {
  return `${canonicalJson(value)}\n`;
}

function hashOnly(text: string): { sha256: string; length: number } {
  return { sha256: sha256(text), length: Buffer.byteLength(text) };
}

function sortedEntries<T>(map: Map<string, T>): [string, T][] {
  return [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function byNameKind(a: { name: string; kind: PackageKind }, b: { name: string; kind: PackageKind }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0;
}

function isInside(path: string, parent: string): boolean {
  const rel = relative(path, parent);
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep));
}

/** Yields every source entry of a kind in path order, each validated and checked against its path. */
export async function* readEntries(dir: string, kind: PackageKind): AsyncGenerator<SourceEntry> {
  const folder = KIND_FOLDERS[kind];
  const scopes = (await readdir(join(dir, folder), { withFileTypes: true }).catch(() => []))
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  for (const scope of scopes) {
    const names = (await readdir(join(dir, folder, scope))).filter((n) => n.endsWith('.json')).sort();
    const BATCH = 64;
    for (let i = 0; i < names.length; i += BATCH) {
      const texts = await Promise.all(names.slice(i, i + BATCH).map((n) => readFile(join(dir, folder, scope, n), 'utf8')));
      for (const [j, text] of texts.entries()) {
        const rel = `${folder}/${scope}/${names[i + j]}`;
        const entry = parseJsonWith(SourceEntry, text, rel);
        checkEntryPath(entry, rel);
        yield entry;
      }
    }
  }
}

function packageDocument(entry: SourceEntry): PackageDocument {
  const versions = sortVersionsDescending(entry.versions);
  return {
    formatVersion: REGISTRY_FORMAT_VERSION,
    kind: entry.kind,
    name: entry.name,
    serverName: serverNameOf(entry.name),
    latest: latestVersion(versions)?.version ?? null,
    claim: entry.claim,
    versions,
  };
}

function summaryRecord(doc: PackageDocument): SummaryRecord {
  const v = doc.versions.find((x) => x.version === doc.latest) ?? doc.versions[0]!;
  return {
    name: doc.name,
    kind: doc.kind,
    version: v.version,
    description: cutAtWord(v.manifest.description, SUMMARY_DESCRIPTION_MAX),
    keywords: v.manifest.keywords,
    level: v.scan.level,
    score: v.scan.score,
    display: v.scan.display,
    serverType: v.manifest.serverType ?? null,
    platforms: [...new Set(v.artifacts.flatMap((a) => (a.platform ? [a.platform] : [])))].sort(),
    publishedAt: v.publishedAt,
    status: v.status,
  };
}

function catalogEntry(doc: PackageDocument, document: string): CatalogEntry {
  const latest = doc.versions.find((v) => v.version === doc.latest);
  const v = latest ?? doc.versions[0]!;
  const m = v.manifest;
  return {
    kind: doc.kind,
    name: doc.name,
    serverName: doc.serverName,
    latest: doc.latest,
    versionCount: doc.versions.length,
    ...(m.displayName === undefined ? {} : { displayName: m.displayName }),
    description: m.description,
    keywords: m.keywords,
    ...(m.serverType === undefined ? {} : { serverType: m.serverType }),
    ...(m.license === undefined ? {} : { license: m.license }),
    ...(m.repository === undefined ? {} : { repository: m.repository }),
    level: v.scan.level,
    score: v.scan.score,
    display: v.scan.display,
    signature: v.signature.status,
    status: v.status,
    publishedAt: v.publishedAt,
    artifacts: latest?.artifacts ?? [],
    document,
  };
}

/** Writes the `/v0.1` files of one bundle package; returns the latest ServerResponse, if any. */
function writeV01(sink: FileSink, doc: PackageDocument, config: RegistryConfig): ServerResponse | undefined {
  let latest: ServerResponse | undefined;
  const texts: string[] = [];
  for (const entry of doc.versions) {
    const response = serverResponse(doc, entry, config.baseUrl);
    const text = canonicalJson(response);
    texts.push(text);
    sink.add(v01VersionPath(doc.serverName, entry.version), `${text}\n`);
    if (entry.version === doc.latest) {
      latest = response;
      sink.add(v01VersionPath(doc.serverName, 'latest'), `${text}\n`);
    }
  }
  // canonical JSON of {servers, metadata} assembled from the already canonical items ("metadata" < "servers")
  sink.add(v01VersionsPath(doc.serverName), `{"metadata":{"count":${texts.length}},"servers":[${texts.join(',')}]}\n`);
  return latest;
}

/**
 * Splits summary records into shards of at most `maxBytes`: by growing name prefixes (the bare
 * name after `@`: one shard `""` while it fits, else `a`, `b`, … and `ab`, `ac`, …), then packs
 * neighbouring pieces back together while they fit, so shards stay few and disjoint, in name order.
 * A shard's `prefix` is the longest prefix all its names share.
 */
export function shardRecords(records: SummaryRecord[], maxBytes: number): { prefix: string; records: SummaryRecord[] }[] {
  const size = (prefix: string, rs: SummaryRecord[]) => Buffer.byteLength(fileText(summaryShard(prefix, rs)));
  const split = (prefix: string, rs: SummaryRecord[]): { prefix: string; records: SummaryRecord[] }[] => {
    if (rs.length <= 1 || prefix.length >= 12 || size(prefix, rs) <= maxBytes) return [{ prefix, records: rs }];
    const groups = new Map<string, SummaryRecord[]>();
    for (const r of rs) {
      const key = r.name.slice(1, prefix.length + 2);
      (groups.get(key) ?? groups.set(key, []).get(key)!).push(r);
    }
    if (groups.size === 1) return split([...groups.keys()][0]!, rs);
    return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).flatMap(([key, group]) => split(key, group));
  };
  if (records.length === 0) return [{ prefix: '', records: [] }];
  const packed: { prefix: string; records: SummaryRecord[] }[] = [];
  for (const piece of split('', records)) {
    const last = packed[packed.length - 1];
    if (last) {
      const prefix = commonPrefix(last.prefix, piece.prefix);
      const merged = [...last.records, ...piece.records];
      if (size(prefix, merged) <= maxBytes) {
        packed[packed.length - 1] = { prefix, records: merged };
        continue;
      }
    }
    packed.push(piece);
  }
  return packed;
}

function commonPrefix(a: string, b: string): string {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return a.slice(0, i);
}

/** Copies `blobs/sha256/*` of a local registry; their names are their hashes, so they are not listed. */
async function copyBlobs(dir: string, out: string): Promise<number> {
  const from = join(dir, 'blobs', 'sha256');
  const names = await readdir(from).catch(() => [] as string[]);
  const blobs = names.filter((n) => /^[a-f0-9]{64}$/.test(n)).sort();
  if (blobs.length === 0) return 0;
  await mkdir(join(out, 'blobs', 'sha256'), { recursive: true });
  for (const name of blobs) await copyFile(join(from, name), join(out, 'blobs', 'sha256', name));
  return blobs.length;
}

/** Swaps a freshly built folder into place: the old output stays whole until the rename. */
async function replaceDir(fresh: string, target: string): Promise<void> {
  const existing = await stat(target).catch(() => undefined);
  if (!existing) {
    await rename(fresh, target);
    return;
  }
  const old = siblingTempPath(target, 'old');
  await rename(target, old);
  try {
    await rename(fresh, target);
  } catch (err) {
    await rename(old, target);
    throw err;
  }
  await rm(old, { recursive: true, force: true });
}
