import { verifyCanonical, type IndexPublicKey } from '../sign/index-keys.js';
import { sha256 } from '../util/hash.js';
import {
  DocumentIndex,
  ExportIndex,
  PackageDocument,
  REGISTRY_CONFIG_PATH,
  RegistryConfig,
  SIZE_LIMITS,
  SnapshotFile,
  SummaryShard,
  TIMESTAMP_PATH,
  TimestampFile,
  blobPath,
  documentRef,
  type FileMeta,
  type FileRef,
  type PackageKind,
  type SnapshotSigned,
} from './format.js';
import { isSafeRelativePath, openPublished, TooLargeError, type PublishedReader } from './reader.js';

export type VerifyProblemKind =
  | 'missing'
  | 'hash-mismatch'
  | 'length-mismatch'
  | 'signature'
  | 'expired'
  | 'rollback'
  | 'too-large'
  | 'invalid'
  | 'unsafe-path'
  | 'version-mismatch'
  | 'blob-tampered';

export interface VerifyProblem {
  path: string;
  kind: VerifyProblemKind;
  message: string;
}

export interface VerifyIndexOptions {
  /** A published folder, `file://` URL or `http(s)://` base URL. */
  source: string;
  /** Trusted public keys (base64 raw or PEM); default: the keys in the published registry.json (trust on first use). */
  keys?: string[];
  /** The verification time (ISO or Date); expiry is checked against it. */
  now: Date;
  allowExpired?: boolean;
  /** Highest version seen before (rollback protection); a lower one is a problem. */
  minVersion?: number;
  /** Check `blobs/sha256/<hex>` of every artifact (default true). */
  checkBlobs?: boolean;
  fetch?: typeof fetch;
}

export interface VerifyIndexResult {
  source: string;
  ok: boolean;
  version?: number;
  expires?: string;
  /** Where the trusted keys came from. */
  keysFrom: 'flag' | 'registry.json';
  keyids: string[];
  checked: { files: number; blobs: number };
  /** Blobs referenced by entries but not present: a partial mirror, not tampering. */
  notMirrored: string[];
  problems: VerifyProblem[];
}

/**
 * Verifies a published index or mirror end to end: timestamp → snapshot → every listed file
 * (hash, length, size caps), both signatures against the trusted keys, expiry and version, the
 * export index, and every blob that package documents reference. Lists every problem instead of
 * stopping at the first; `ok` is false when there is any. Missing blobs of a partial mirror are
 * listed as `notMirrored`, a present blob with the wrong hash is a `blob-tampered` problem.
 */
export async function verifyIndex(options: VerifyIndexOptions): Promise<VerifyIndexResult> {
  const reader = await openPublished(options.source, options.fetch ? { fetch: options.fetch } : {});
  try {
    return await verifyWith(reader, options);
  } finally {
    await reader.close();
  }
}

async function verifyWith(reader: PublishedReader, options: VerifyIndexOptions): Promise<VerifyIndexResult> {
  const problems: VerifyProblem[] = [];
  const result: VerifyIndexResult = {
    source: reader.source,
    ok: false,
    keysFrom: options.keys?.length ? 'flag' : 'registry.json',
    keyids: [],
    checked: { files: 0, blobs: 0 },
    notMirrored: [],
    problems,
  };
  const problem = (path: string, kind: VerifyProblemKind, message: string) => problems.push({ path, kind, message });
  const fetchCapped = async (path: string, max: number): Promise<Buffer | null> => {
    if (!isSafeRelativePath(path)) {
      problem(path, 'unsafe-path', `unsafe path ${JSON.stringify(path)} in signed metadata`);
      return null;
    }
    try {
      const bytes = await reader.read(path, max);
      if (bytes === null) problem(path, 'missing', `${path} is listed but missing`);
      return bytes;
    } catch (err) {
      if (err instanceof TooLargeError) {
        problem(path, 'too-large', `${path} exceeds the ${max}-byte cap`);
        return null;
      }
      throw err;
    }
  };

  let keys: IndexPublicKey[];
  if (options.keys?.length) keys = options.keys.map((publicKey) => ({ publicKey }));
  else {
    const config = parse(await fetchCapped(REGISTRY_CONFIG_PATH, SIZE_LIMITS.other), RegistryConfig, REGISTRY_CONFIG_PATH, problem);
    keys = config?.keys ?? [];
  }

  const timestamp = parse(await fetchCapped(TIMESTAMP_PATH, SIZE_LIMITS.timestamp), TimestampFile, TIMESTAMP_PATH, problem);
  if (!timestamp) return finish(result);
  checkSignature(timestamp, keys, TIMESTAMP_PATH, problem, result);
  result.version = timestamp.signed.version;
  result.expires = timestamp.signed.expires;
  checkFreshness(timestamp.signed, TIMESTAMP_PATH, options, problem);

  const snapRef = timestamp.signed.snapshot;
  const snapBytes = await fetchCapped(snapRef.path, SIZE_LIMITS.snapshot);
  if (!snapBytes) return finish(result);
  checkMeta(snapRef.path, snapBytes, snapRef, problem);
  const snapshot = parse(snapBytes, SnapshotFile, snapRef.path, problem);
  if (!snapshot) return finish(result);
  checkSignature(snapshot, keys, snapRef.path, problem, result);
  if (snapshot.signed.version !== timestamp.signed.version) {
    problem(snapRef.path, 'version-mismatch', `snapshot version ${snapshot.signed.version} ≠ timestamp version ${timestamp.signed.version}`);
  }
  checkFreshness(snapshot.signed, snapRef.path, { ...options, minVersion: undefined }, problem);

  const documents: { path: string; bytes: Buffer }[] = [];
  let exportsBytes: Buffer | undefined;
  const wanted = referencedPaths(snapshot.signed);
  await checkFiles(snapshot.signed.files, fetchCapped, problem, result, (path, bytes) => {
    if (path === snapshot.signed.exports) exportsBytes = bytes;
    if (snapshot.signed.summary.some((s) => s.path === path)) parse(bytes, SummaryShard, path, problem);
  });
  for (const path of wanted) {
    if (!(path in snapshot.signed.files)) problem(path, 'missing', `${path} is referenced by the snapshot but not listed in its files`);
  }

  const docRef = snapshot.signed.documents;
  const docIndexBytes = await fetchCapped(docRef.path, SIZE_LIMITS.other);
  if (docIndexBytes) {
    result.checked.files++;
    const docIndex = checkMeta(docRef.path, docIndexBytes, docRef, problem) ? parse(docIndexBytes, DocumentIndex, docRef.path, problem) : undefined;
    if (docIndex) {
      const listed: Record<string, FileMeta> = {};
      for (const kind of ['bundle', 'skill'] as const) {
        for (const name of Object.keys(docIndex[kind])) {
          const ref = documentRefOrProblem(docIndex, kind, name, docRef.path, problem);
          if (ref) listed[ref.path] = ref;
        }
      }
      await checkFiles(listed, fetchCapped, problem, result, (path, bytes) => documents.push({ path, bytes }));
    }
  }

  if (snapshot.signed.exports) {
    const index = exportsBytes ? parse(exportsBytes, ExportIndex, snapshot.signed.exports, problem) : undefined;
    if (index) await checkFiles(index.files, fetchCapped, problem, result, () => undefined);
  }

  if (options.checkBlobs !== false) {
    // hash → declared size; a blob is read with its declared size as the cap (no endless streams)
    const blobs = new Map<string, number>();
    for (const { path, bytes } of documents) {
      const doc = parse(bytes, PackageDocument, path, problem);
      for (const v of doc?.versions ?? []) for (const a of v.artifacts) blobs.set(a.sha256, a.size);
    }
    for (const [hex, size] of [...blobs].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const path = blobPath(hex);
      let bytes: Buffer | null;
      try {
        bytes = await reader.read(path, size);
      } catch (err) {
        if (!(err instanceof TooLargeError)) throw err;
        problem(path, 'blob-tampered', `${path} is larger than the ${size} bytes its entry declares (tampered or corrupt)`);
        continue;
      }
      if (bytes === null) {
        result.notMirrored.push(path);
        continue;
      }
      result.checked.blobs++;
      if (bytes.length !== size || sha256(bytes) !== hex) problem(path, 'blob-tampered', `${path} does not hash to its name (tampered or corrupt)`);
    }
  }
  return finish(result);
}

function finish(result: VerifyIndexResult): VerifyIndexResult {
  result.ok = result.problems.length === 0;
  result.keyids.sort();
  return result;
}

function referencedPaths(snapshot: SnapshotSigned): Set<string> {
  const out = new Set<string>();
  for (const shard of snapshot.summary) out.add(shard.path);
  if (snapshot.exports) out.add(snapshot.exports);
  return out;
}

type ProblemFn = (path: string, kind: VerifyProblemKind, message: string) => void;

function documentRefOrProblem(index: DocumentIndex, kind: PackageKind, name: string, indexPath: string, problem: ProblemFn): FileRef | undefined {
  try {
    return documentRef(index, kind, name);
  } catch {
    problem(indexPath, 'invalid', `${indexPath} lists an invalid package name ${JSON.stringify(name)}`);
    return undefined;
  }
}

async function checkFiles(
  files: Record<string, FileMeta>,
  fetchCapped: (path: string, max: number) => Promise<Buffer | null>,
  problem: ProblemFn,
  result: VerifyIndexResult,
  onFile: (path: string, bytes: Buffer) => void,
): Promise<void> {
  const paths = Object.keys(files).sort();
  const BATCH = 32;
  for (let i = 0; i < paths.length; i += BATCH) {
    const slice = paths.slice(i, i + BATCH);
    const contents = await Promise.all(slice.map((p) => fetchCapped(p, SIZE_LIMITS.other)));
    for (const [j, bytes] of contents.entries()) {
      const path = slice[j]!;
      if (!bytes) continue;
      result.checked.files++;
      if (checkMeta(path, bytes, files[path]!, problem)) onFile(path, bytes);
    }
  }
}

function checkMeta(path: string, bytes: Buffer, meta: FileMeta, problem: ProblemFn): boolean {
  if (bytes.length !== meta.length) {
    problem(path, 'length-mismatch', `${path} is ${bytes.length} bytes, the signed metadata says ${meta.length}`);
    return false;
  }
  const actual = sha256(bytes);
  if (actual !== meta.sha256) {
    problem(path, 'hash-mismatch', `${path} has SHA-256 ${actual}, the signed metadata says ${meta.sha256}`);
    return false;
  }
  return true;
}

function checkSignature(
  envelope: { signed: unknown; signatures: { keyid: string; sig: string }[] },
  keys: IndexPublicKey[],
  path: string,
  problem: ProblemFn,
  result: VerifyIndexResult,
): void {
  const check = verifyCanonical(envelope, keys);
  if (!check.valid) problem(path, 'signature', `${path}: ${check.reason ?? 'signature does not verify'}`);
  for (const id of check.keyids) if (!result.keyids.includes(id)) result.keyids.push(id);
}

function checkFreshness(
  signed: { version: number; expires: string },
  path: string,
  options: Pick<VerifyIndexOptions, 'now' | 'allowExpired' | 'minVersion'>,
  problem: ProblemFn,
): void {
  if (!options.allowExpired && Date.parse(signed.expires) <= options.now.getTime()) {
    problem(path, 'expired', `${path} expired at ${signed.expires} (use --allow-expired for an air-gapped copy)`);
  }
  if (options.minVersion !== undefined && signed.version < options.minVersion) {
    problem(path, 'rollback', `${path} has version ${signed.version}, lower than ${options.minVersion} seen before (rollback)`);
  }
}

function parse<T>(
  bytes: Buffer | null,
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } } },
  path: string,
  problem: ProblemFn,
): T | undefined {
  if (!bytes) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    problem(path, 'invalid', `${path} is not valid JSON`);
    return undefined;
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    problem(path, 'invalid', `${path} does not match the registry format (${first?.path.map(String).join('.') || 'root'}: ${first?.message})`);
    return undefined;
  }
  return parsed.data;
}
