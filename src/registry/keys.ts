import { access, chmod, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inputError } from '../errors.js';
import { generateEd25519KeyPair, loadIndexPrivateKey, parseIndexPublicKey, keyIdOf } from '../sign/index-keys.js';
import { writeFileAtomic } from '../util/fs-atomic.js';
import type { RegistryKey } from './format.js';

/** The human-checkable fingerprint shown when a client pins an index key: `sha256:<keyid>`. */
export function indexKeyFingerprint(keyid: string): string {
  return `sha256:${keyid}`;
}

/** The registry.json entry of a public key (base64 raw or PEM). */
export function registryKeyOf(publicKey: string): RegistryKey {
  parseIndexPublicKey(publicKey);
  const keyid = keyIdOf(publicKey);
  return { keyid, algorithm: 'ed25519', publicKey: publicKey.trim(), fingerprint: indexKeyFingerprint(keyid) };
}

export interface IndexSigningKey {
  keyid: string;
  publicKey: string;
  privateKeyPem: string;
  /** Where the private key was read from or written to, when it is a file. */
  path?: string;
}

/** Loads an Ed25519 private key (PEM text). */
export function indexSigningKeyFromPem(pem: string, path?: string): IndexSigningKey {
  let loaded: ReturnType<typeof loadIndexPrivateKey>;
  try {
    loaded = loadIndexPrivateKey(pem);
  } catch (err) {
    throw inputError('INDEX_KEY_INVALID', `${path ?? 'The index key'} is not an Ed25519 private key: ${(err as Error).message}`, {
      suggestions: ['mpak key generate --type index'],
    });
  }
  return { keyid: loaded.keyid, publicKey: loaded.publicKey, privateKeyPem: pem, ...(path ? { path } : {}) };
}

export async function readIndexSigningKey(path: string): Promise<IndexSigningKey> {
  let pem: string;
  try {
    pem = await readFile(path, 'utf8');
  } catch {
    throw inputError('INDEX_KEY_NOT_FOUND', `Cannot read the index signing key ${path}.`, {
      suggestions: ['Pass --key <private-key.pem> or set MPAK_INDEX_KEY to the PEM text.'],
    });
  }
  return indexSigningKeyFromPem(pem, path);
}

/**
 * Creates a new Ed25519 index key in `keysDir` as `index-<keyid16>.pem` (mode 0600, folder 0700)
 * with the public half beside it.
 */
export async function createIndexSigningKey(keysDir: string): Promise<IndexSigningKey> {
  const pair = generateEd25519KeyPair();
  await mkdir(keysDir, { recursive: true, mode: 0o700 });
  await chmod(keysDir, 0o700).catch(() => undefined);
  const path = join(keysDir, `index-${pair.keyid.slice(0, 16)}.pem`);
  await writeFileAtomic(path, pair.privateKeyPem, { mode: 0o600 });
  await writeFileAtomic(join(keysDir, `index-${pair.keyid.slice(0, 16)}.pub`), `${pair.publicKey}\n`);
  return { keyid: pair.keyid, publicKey: pair.publicKey, privateKeyPem: pair.privateKeyPem, path };
}

/** True when the path exists. */
export async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
