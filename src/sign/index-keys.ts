import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { canonicalJson } from '../util/canonical-json.js';

/**
 * Ed25519 keys for signing registry metadata (registry.md: TUF-shaped `{signed, signatures}`).
 * A key id is the SHA-256 of the raw 32-byte public key; public keys travel as base64 of those raw
 * bytes (what WebCrypto's `importKey('raw', …, 'Ed25519')` takes in the web page); signatures are
 * hex over the canonical JSON of `signed`.
 */
export interface IndexKeyPair {
  keyid: string;
  /** base64 of the raw 32-byte public key */
  publicKey: string;
  privateKeyPem: string;
  publicKeyPem: string;
}

export interface IndexSignature {
  keyid: string;
  sig: string;
}

export interface SignedEnvelope<T = unknown> {
  signed: T;
  signatures: IndexSignature[];
}

export interface IndexPublicKey {
  keyid?: string;
  /** base64 raw 32 bytes, or a PEM SPKI public key */
  publicKey: string;
}

const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

function rawPublicKey(key: KeyObject): Buffer {
  const der = key.export({ format: 'der', type: 'spki' });
  return der.subarray(der.length - 32);
}

/** Parses a base64 raw key or a PEM public key into a KeyObject, rejecting anything but Ed25519. */
export function parseIndexPublicKey(publicKey: string): KeyObject {
  const text = publicKey.trim();
  const key = text.startsWith('-----BEGIN')
    ? createPublicKey(text)
    : (() => {
        const raw = Buffer.from(text, 'base64');
        if (raw.length !== 32) throw new Error('an Ed25519 public key is 32 bytes (base64 of the raw key)');
        return createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
      })();
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`expected an Ed25519 key, got ${key.asymmetricKeyType}`);
  return key;
}

/** The key id of a public key (base64 raw or PEM): SHA-256 hex of the raw 32 bytes. */
export function keyIdOf(publicKey: string | KeyObject): string {
  const key = typeof publicKey === 'string' ? parseIndexPublicKey(publicKey) : publicKey;
  return createHash('sha256').update(rawPublicKey(key)).digest('hex');
}

export function generateEd25519KeyPair(): IndexKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    keyid: keyIdOf(publicKey),
    publicKey: rawPublicKey(publicKey).toString('base64'),
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
  };
}

/** Loads an Ed25519 private key from PEM text and returns it with its public half. */
export function loadIndexPrivateKey(pem: string): { privateKey: KeyObject; keyid: string; publicKey: string } {
  const privateKey = createPrivateKey(pem);
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new Error(`an index signing key must be Ed25519, got ${privateKey.asymmetricKeyType}`);
  }
  const pub = createPublicKey(privateKey);
  return { privateKey, keyid: keyIdOf(pub), publicKey: rawPublicKey(pub).toString('base64') };
}

/** Signs the canonical JSON of `signed` with an Ed25519 private key (PEM or KeyObject). */
export function signCanonical(signed: unknown, privateKey: string | KeyObject): IndexSignature {
  const key = typeof privateKey === 'string' ? loadIndexPrivateKey(privateKey).privateKey : privateKey;
  const sig = sign(null, Buffer.from(canonicalJson(signed), 'utf8'), key);
  return { keyid: keyIdOf(createPublicKey(key)), sig: sig.toString('hex') };
}

export interface CanonicalVerification {
  valid: boolean;
  /** Key ids whose signature verified. */
  keyids: string[];
  reason?: string;
}

/**
 * Verifies an envelope against trusted keys: valid when at least `threshold` distinct trusted keys
 * signed the canonical JSON of `signed`. Unknown key ids and bad signatures are ignored, not fatal,
 * so a key rotation can carry old and new signatures side by side.
 */
export function verifyCanonical(
  envelope: SignedEnvelope,
  keys: IndexPublicKey[],
  threshold = 1,
): CanonicalVerification {
  if (!envelope || typeof envelope !== 'object' || !Array.isArray(envelope.signatures)) {
    return { valid: false, keyids: [], reason: 'not a signed envelope ({signed, signatures})' };
  }
  const trusted = new Map<string, KeyObject>();
  for (const k of keys) {
    try {
      const obj = parseIndexPublicKey(k.publicKey);
      trusted.set(keyIdOf(obj), obj);
    } catch {
      // an unusable configured key cannot verify anything; it simply does not count
    }
  }
  const payload = Buffer.from(canonicalJson(envelope.signed), 'utf8');
  const ok = new Set<string>();
  for (const s of envelope.signatures) {
    if (!s || typeof s.keyid !== 'string' || typeof s.sig !== 'string') continue;
    const key = trusted.get(s.keyid);
    if (!key || !/^[0-9a-f]+$/i.test(s.sig)) continue;
    if (verify(null, payload, key, Buffer.from(s.sig, 'hex'))) ok.add(s.keyid);
  }
  const keyids = [...ok].sort();
  if (keyids.length >= threshold) return { valid: true, keyids };
  const reason =
    trusted.size === 0
      ? 'no trusted index key configured'
      : envelope.signatures.some((s) => trusted.has(s?.keyid))
        ? 'signature does not verify (the file was changed after signing)'
        : `signed by unknown key(s): ${envelope.signatures.map((s) => s?.keyid?.slice(0, 16)).join(', ') || 'none'}`;
  return { valid: false, keyids, reason };
}
