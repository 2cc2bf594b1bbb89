// Loads the published index the way the CLI does: timestamp.json → snapshot → summary shards,
// checking each file's length and SHA-256 against the signed metadata before it is parsed, and
// the Ed25519 signatures of timestamp and snapshot against the keys in registry.json when the
// browser's WebCrypto supports Ed25519. Nothing is fetched from anywhere but this registry.
import type {
  DocumentIndex,
  PackageDocument,
  RegistryConfig,
  SnapshotFile,
  SnapshotSigned,
  SummaryRecord,
  SummaryShard,
  TimestampFile,
  TimestampSigned,
} from '../../src/registry/format.js';

export type { PackageDocument, SummaryRecord };

/** The sizes readers accept before parsing (spec/registry.md). */
const LIMITS = { timestamp: 16 * 1024, snapshot: 4 * 1024 * 1024, other: 16 * 1024 * 1024 };
const KNOWN_FORMAT = 2;
const ROLLBACK_KEY = 'mpak:highest-timestamp-version';
const PINNED_KEYS = 'mpak:pinned-index-keys';

/** A file did not match the signed metadata: shown as a tamper warning, never rendered. */
export class VerificationError extends Error {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(message);
  }
}

export type SignatureState =
  | { state: 'verified'; keyids: string[] }
  | { state: 'unsupported' }
  | { state: 'no-keys'; reason: string };

export interface Warning {
  title: string;
  text: string;
}

export interface LoadedIndex {
  timestamp: TimestampSigned;
  snapshot: SnapshotSigned;
  records: SummaryRecord[];
  signature: SignatureState;
  /** Expiry, rollback and key-change problems: the page still shows the data, under a warning. */
  warnings: Warning[];
  /** Bytes of the index files read for the first render. */
  bytes: number;
}

const base = () => document.baseURI;

async function fetchBytes(path: string, limit: number, init?: RequestInit): Promise<Uint8Array> {
  const url = new URL(path, base());
  if (url.origin !== new URL(base()).origin) throw new VerificationError(`${path} points outside this registry`, path);
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    throw new Error(`could not fetch ${path}: ${(error as Error).message}`, { cause: error });
  }
  if (!response.ok) throw new Error(`could not fetch ${path}: HTTP ${response.status}`);
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > limit) throw new VerificationError(`${path} is larger than the ${limit} bytes a reader accepts`, path);
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes.byteLength > limit) throw new VerificationError(`${path} is larger than the ${limit} bytes a reader accepts`, path);
  return bytes;
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as BufferSource));
  return toHex(digest);
}

function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

function fromHex(hex: string): Uint8Array | undefined {
  if (!/^(?:[0-9a-f]{2})+$/i.test(hex)) return undefined;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

function parseJson<T>(bytes: Uint8Array, path: string): T {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as T;
  } catch {
    throw new VerificationError(`${path} is not valid UTF-8 JSON`, path);
  }
}

/** Fetches a file listed in the snapshot and checks its length and SHA-256 before parsing it. */
export async function fetchVerified<T>(snapshot: SnapshotSigned, path: string): Promise<{ value: T; bytes: number }> {
  const meta = snapshot.files[path];
  if (!meta) throw new VerificationError(`${path} is not listed in the signed snapshot`, path);
  const bytes = await fetchBytes(path, Math.min(LIMITS.other, meta.length));
  if (bytes.byteLength !== meta.length || (await sha256Hex(bytes)) !== meta.sha256) {
    throw new VerificationError(`${path} does not match the SHA-256 recorded in the signed snapshot`, path);
  }
  return { value: parseJson<T>(bytes, path), bytes: bytes.byteLength };
}

/** The canonical JSON the signatures cover (sorted keys, no white space), as src/util does. */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

let ed25519Support: Promise<boolean> | undefined;

/** True when this browser's WebCrypto can verify Ed25519 (Chromium 137+, Firefox 129+, Safari 17+). */
export function supportsEd25519(): Promise<boolean> {
  ed25519Support ??= (async () => {
    try {
      await crypto.subtle.importKey('raw', new Uint8Array(32).fill(1), { name: 'Ed25519' }, false, ['verify']);
      return true;
    } catch {
      return false;
    }
  })();
  return ed25519Support;
}

function base64ToBytes(text: string): Uint8Array | undefined {
  try {
    const bin = atob(text.trim());
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

/** Raw 32-byte Ed25519 key from base64, or from a PEM SPKI block (the key is its last 32 bytes). */
function rawKey(publicKey: string): Uint8Array | undefined {
  const text = publicKey.trim();
  const der = text.startsWith('-----BEGIN') ? base64ToBytes(text.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '')) : base64ToBytes(text);
  if (!der) return undefined;
  if (der.length === 32) return der;
  if (der.length === 44) return der.subarray(12);
  return undefined;
}

interface Envelope {
  signed: unknown;
  signatures: Array<{ keyid: string; sig: string }>;
}

/** Key ids of trusted keys whose signature over canonicalJson(signed) verifies. */
async function verifyEnvelope(envelope: Envelope, keys: RegistryConfig['keys']): Promise<string[]> {
  const payload = new TextEncoder().encode(canonicalJson(envelope.signed));
  const ok: string[] = [];
  for (const key of keys) {
    const raw = rawKey(key.publicKey);
    if (!raw) continue;
    // The key id is the SHA-256 of the raw key: a signature only counts for the key it names.
    const keyid = await sha256Hex(raw);
    const sig = envelope.signatures.find((s) => s && s.keyid === keyid);
    const sigBytes = sig && typeof sig.sig === 'string' ? fromHex(sig.sig) : undefined;
    if (!sigBytes) continue;
    const cryptoKey = await crypto.subtle.importKey('raw', raw as BufferSource, { name: 'Ed25519' }, false, ['verify']);
    if (await crypto.subtle.verify({ name: 'Ed25519' }, cryptoKey, sigBytes as BufferSource, payload)) ok.push(keyid);
  }
  return ok;
}

function isEnvelope(value: unknown): value is Envelope {
  const v = value as Envelope;
  return !!v && typeof v === 'object' && !!v.signed && typeof v.signed === 'object' && Array.isArray(v.signatures);
}

async function loadKeys(): Promise<RegistryConfig['keys'] | string> {
  try {
    const config = parseJson<RegistryConfig>(await fetchBytes('registry.json', LIMITS.timestamp * 4, { cache: 'no-cache' }), 'registry.json');
    if (!Array.isArray(config.keys) || config.keys.length === 0) return 'registry.json lists no index keys';
    return config.keys.filter((k) => k && k.algorithm === 'ed25519' && typeof k.publicKey === 'string');
  } catch {
    return 'this registry publishes no registry.json with its index keys';
  }
}

/** Decodes a summary shard by column name (the writer may reorder columns). */
export function decodeShard(shard: SummaryShard, path: string): SummaryRecord[] {
  if (!shard || !Array.isArray(shard.columns) || !Array.isArray(shard.rows)) throw new VerificationError(`${path} is not a summary shard`, path);
  const records: SummaryRecord[] = [];
  for (const row of shard.rows) {
    if (!Array.isArray(row)) continue;
    const r = Object.fromEntries(shard.columns.map((c, i) => [c, row[i]])) as Record<string, unknown>;
    if (typeof r.name !== 'string' || typeof r.kind !== 'string' || typeof r.version !== 'string') continue;
    records.push({
      name: r.name,
      kind: r.kind === 'skill' ? 'skill' : 'bundle',
      version: r.version,
      description: typeof r.description === 'string' ? r.description : '',
      keywords: Array.isArray(r.keywords) ? r.keywords.filter((k): k is string => typeof k === 'string') : [],
      level: typeof r.level === 'number' ? r.level : 0,
      score: typeof r.score === 'number' ? r.score : 0,
      display: typeof r.display === 'string' ? r.display : `L${String(r.level)} ${String(r.score)}`,
      serverType: typeof r.serverType === 'string' ? r.serverType : null,
      platforms: Array.isArray(r.platforms) ? r.platforms.filter((k): k is string => typeof k === 'string') : [],
      publishedAt: typeof r.publishedAt === 'string' ? r.publishedAt : '',
      status: (['active', 'deprecated', 'yanked', 'deleted'] as const).find((s) => s === r.status) ?? 'active',
    });
  }
  return records;
}

/**
 * Keys come from the same host as the data, so on their own they only prove consistency. Like the
 * CLI, the page pins the key ids that verified on the first visit and warns when a later index is
 * signed only by keys this browser has not seen (a key rotation, or a takeover of the host).
 */
function checkPinnedKeys(keyids: string[], warnings: Warning[]): void {
  const pinned = (localStorageGet(PINNED_KEYS) ?? '').split(',').filter(Boolean);
  if (pinned.length === 0) localStorageSet(PINNED_KEYS, keyids.join(','));
  else if (!keyids.some((k) => pinned.includes(k))) {
    warnings.push({
      title: 'Index key changed.',
      text: `This index is signed by key ${keyids.map((k) => k.slice(0, 16)).join(', ')}, not by the key this browser saw first (${pinned.map((k) => k.slice(0, 16)).join(', ')}). Check with the registry's maintainers that the key was rotated.`,
    });
  }
}

function checkExpiry(label: string, expires: string, now: number, warnings: Warning[]): void {
  const t = Date.parse(expires);
  if (!Number.isFinite(t) || t <= now) {
    warnings.push({
      title: 'Index expired.',
      text: `The ${label} expired on ${expires}. This copy of the index may be stale or frozen; newer versions (and security fixes) may be missing.`,
    });
  }
}

/** Loads and verifies timestamp → snapshot → summary. Throws VerificationError on any mismatch. */
export async function loadIndex(now = Date.now()): Promise<LoadedIndex> {
  const [timestampBytes, keys, ed25519] = await Promise.all([
    fetchBytes('timestamp.json', LIMITS.timestamp, { cache: 'no-cache' }),
    loadKeys(),
    supportsEd25519(),
  ]);
  let bytes = timestampBytes.byteLength;
  const timestampFile = parseJson<TimestampFile>(timestampBytes, 'timestamp.json');
  if (!isEnvelope(timestampFile)) throw new VerificationError('timestamp.json is not a signed envelope', 'timestamp.json');
  const timestamp = timestampFile.signed;
  if (timestamp.type !== 'timestamp' || !timestamp.snapshot || typeof timestamp.snapshot.path !== 'string') {
    throw new VerificationError('timestamp.json does not describe a snapshot', 'timestamp.json');
  }
  if (timestamp.formatVersion > KNOWN_FORMAT) throw new Error(`this index uses format ${timestamp.formatVersion}; this page reads format ${KNOWN_FORMAT}`);

  const snapshotPath = timestamp.snapshot.path;
  const snapshotBytes = await fetchBytes(snapshotPath, Math.min(LIMITS.snapshot, timestamp.snapshot.length));
  bytes += snapshotBytes.byteLength;
  if (snapshotBytes.byteLength !== timestamp.snapshot.length || (await sha256Hex(snapshotBytes)) !== timestamp.snapshot.sha256) {
    throw new VerificationError(`${snapshotPath} does not match the SHA-256 recorded in timestamp.json`, snapshotPath);
  }
  const snapshotFile = parseJson<SnapshotFile>(snapshotBytes, snapshotPath);
  if (!isEnvelope(snapshotFile) || snapshotFile.signed.type !== 'snapshot') throw new VerificationError(`${snapshotPath} is not a signed snapshot`, snapshotPath);
  const snapshot = snapshotFile.signed;

  // The shards are fetched while the signatures are checked; they are used only if both verify.
  const shardsPromise = Promise.all(snapshot.summary.map((ref) => fetchVerified<SummaryShard>(snapshot, ref.path)));
  shardsPromise.catch(() => undefined);

  let signature: SignatureState;
  if (typeof keys === 'string') signature = { state: 'no-keys', reason: keys };
  else if (!ed25519) signature = { state: 'unsupported' };
  else {
    const [t, s] = await Promise.all([verifyEnvelope(timestampFile, keys), verifyEnvelope(snapshotFile, keys)]);
    if (t.length === 0) throw new VerificationError('the signature of timestamp.json does not verify with the keys in registry.json', 'timestamp.json');
    if (s.length === 0) throw new VerificationError(`the signature of ${snapshotPath} does not verify with the keys in registry.json`, snapshotPath);
    signature = { state: 'verified', keyids: [...new Set([...t, ...s])] };
  }
  const warnings: Warning[] = [];
  if (signature.state === 'verified') checkPinnedKeys(signature.keyids, warnings);

  checkExpiry('timestamp', timestamp.expires, now, warnings);
  checkExpiry('snapshot', snapshot.expires, now, warnings);
  const seen = Number(localStorageGet(ROLLBACK_KEY) ?? '0');
  if (timestamp.version < seen) {
    warnings.push({
      title: 'Older index.',
      text: `This index (version ${timestamp.version}) is older than one this browser has already seen (version ${seen}): it may have been rolled back.`,
    });
  } else localStorageSet(ROLLBACK_KEY, String(timestamp.version));

  const shards = await shardsPromise;
  const records: SummaryRecord[] = [];
  shards.forEach((shard, i) => {
    bytes += shard.bytes;
    records.push(...decodeShard(shard.value, snapshot.summary[i]!.path));
  });
  return { timestamp, snapshot, records, signature, warnings, bytes };
}

let documentIndex: { path: string; index: Promise<DocumentIndex> } | undefined;

/**
 * Loads one package document: the document index (once per snapshot, verified against the
 * snapshot's reference), then the document, verified against the index.
 */
export async function loadDocument(snapshot: SnapshotSigned, kind: 'bundle' | 'skill', name: string): Promise<PackageDocument | undefined> {
  const ref = snapshot.documents;
  if (documentIndex?.path !== ref.path) {
    const index = fetchBytes(ref.path, Math.min(LIMITS.other, ref.length)).then(async (bytes) => {
      if (bytes.byteLength !== ref.length || (await sha256Hex(bytes)) !== ref.sha256) {
        throw new VerificationError(`${ref.path} does not match the SHA-256 recorded in the signed snapshot`, ref.path);
      }
      return parseJson<DocumentIndex>(bytes, ref.path);
    });
    documentIndex = { path: ref.path, index };
    index.catch(() => {
      if (documentIndex?.index === index) documentIndex = undefined;
    });
  }
  const index = await documentIndex.index;
  const meta = Object.hasOwn(index[kind] ?? {}, name) ? index[kind][name] : undefined;
  if (!meta || !/^[a-f0-9]{64}$/.test(meta.sha256)) return undefined;
  const at = name.indexOf('/');
  const path = `${kind === 'skill' ? 'skills' : 'packages'}/${name.slice(0, at)}/${name.slice(at + 1)}/${meta.sha256}.json`;
  const bytes = await fetchBytes(path, Math.min(LIMITS.other, meta.length));
  if (bytes.byteLength !== meta.length || (await sha256Hex(bytes)) !== meta.sha256) {
    throw new VerificationError(`${path} does not match the SHA-256 recorded in the document index`, path);
  }
  const doc = parseJson<PackageDocument>(bytes, path);
  if (doc.name !== name) throw new VerificationError(`${path} describes ${String(doc.name)}, not ${name}`, path);
  return doc;
}

function localStorageGet(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function localStorageSet(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // storage may be disabled (private mode, file://); rollback detection is then per page load
  }
}
