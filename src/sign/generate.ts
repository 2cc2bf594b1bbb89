import { createHash, generateKeyPair as generateKeyPairCb, type KeyObject } from 'node:crypto';
import { access, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { inputError } from '../errors.js';
import { writeFileAtomic } from '../util/fs-atomic.js';
import { issueCertificate } from './certs.js';
import { generateEd25519KeyPair } from './index-keys.js';
import { toPem } from './keys.js';

/**
 * Signing material: a bundle-signing key with a self-signed code-signing certificate, or an
 * Ed25519 index-signing key. Files are created with mode 0600 and never overwritten silently.
 */

const generateKeyPair = promisify(generateKeyPairCb);

export type KeyKind = 'bundle' | 'index';
export type BundleKeyAlgorithm = 'rsa-4096' | 'rsa-3072' | 'rsa-2048' | 'ecdsa-p256' | 'ecdsa-p384';
export const BUNDLE_KEY_ALGORITHMS: BundleKeyAlgorithm[] = ['rsa-4096', 'rsa-3072', 'rsa-2048', 'ecdsa-p256', 'ecdsa-p384'];

export interface GenerateKeysOptions {
  kind: KeyKind;
  /** Bundle keys only; default rsa-4096. */
  algorithm?: BundleKeyAlgorithm;
  /** Directory to write into (the command passes MPAK_HOME/keys by default). */
  out: string;
  /** Bundle certificates only: "CN=..., O=..."; default "CN=mpak bundle signer". */
  subject?: string;
  /** Certificate lifetime in days; default 730. */
  days?: number;
  now?: Date;
  force?: boolean;
  /** File name stem; default "bundle-signing" or "index-signing". */
  name?: string;
}

export interface GeneratedFile {
  role: 'private-key' | 'certificate' | 'public-key';
  path: string;
}

export interface GenerateKeysResult {
  kind: KeyKind;
  algorithm: string;
  files: GeneratedFile[];
  /** Bundle: SHA-256 of the certificate DER. Index: the Ed25519 key id. */
  fingerprint: string;
  subject?: string;
  notBefore?: string;
  notAfter?: string;
  /** Index keys: base64 of the raw public key, as registry.json lists it. */
  publicKey?: string;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

async function keyPairFor(algorithm: BundleKeyAlgorithm): Promise<{ privateKey: KeyObject; publicKey: KeyObject }> {
  if (algorithm.startsWith('rsa-')) return generateKeyPair('rsa', { modulusLength: Number(algorithm.slice(4)) });
  return generateKeyPair('ec', { namedCurve: algorithm === 'ecdsa-p384' ? 'P-384' : 'P-256' });
}

/** Creates signing material and writes it under `out`; refuses to overwrite without `force`. */
export async function generateKeys(options: GenerateKeysOptions): Promise<GenerateKeysResult> {
  const stem = options.name ?? `${options.kind}-signing`;
  const files: GeneratedFile[] =
    options.kind === 'bundle'
      ? [
          { role: 'private-key', path: join(options.out, `${stem}.key.pem`) },
          { role: 'certificate', path: join(options.out, `${stem}.cert.pem`) },
        ]
      : [
          { role: 'private-key', path: join(options.out, `${stem}.key.pem`) },
          { role: 'public-key', path: join(options.out, `${stem}.pub.pem`) },
        ];
  if (!options.force) {
    for (const f of files) {
      if (await exists(f.path)) {
        throw inputError('KEY_EXISTS', `${f.path} already exists`, {
          suggestions: [`mpak key generate --kind ${options.kind} --force  # replaces it`, `mpak key generate --kind ${options.kind} --out <other-dir>`],
        });
      }
    }
  }
  await mkdir(options.out, { recursive: true, mode: 0o700 });

  if (options.kind === 'index') {
    if (options.algorithm) throw inputError('USAGE', '--algorithm applies to bundle keys; index keys are always Ed25519');
    const pair = generateEd25519KeyPair();
    await writeFileAtomic(files[0]!.path, pair.privateKeyPem, { mode: 0o600 });
    await writeFileAtomic(files[1]!.path, pair.publicKeyPem, { mode: 0o600 });
    return { kind: 'index', algorithm: 'ed25519', files, fingerprint: pair.keyid, publicKey: pair.publicKey };
  }

  const algorithm = options.algorithm ?? 'rsa-4096';
  if (!BUNDLE_KEY_ALGORITHMS.includes(algorithm)) {
    throw inputError('USAGE', `unknown algorithm ${algorithm} (${BUNDLE_KEY_ALGORITHMS.join(', ')})`);
  }
  const now = options.now ?? new Date();
  const days = options.days ?? 730;
  if (!Number.isInteger(days) || days < 1) throw inputError('USAGE', `--days must be a positive whole number, got ${days}`);
  const subject = options.subject ?? 'CN=mpak bundle signer';
  const { privateKey, publicKey } = await keyPairFor(algorithm);
  // Backdated a minute so a signature made right away is inside the validity window on skewed clocks.
  const notBefore = new Date(Math.floor(now.getTime() / 1000) * 1000 - 60_000);
  const notAfter = new Date(notBefore.getTime() + days * 86_400_000);
  const certDer = await issueCertificate({ subject, publicKey, issuerKey: privateKey, notBefore, notAfter });
  await writeFileAtomic(files[0]!.path, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), { mode: 0o600 });
  await writeFileAtomic(files[1]!.path, toPem('CERTIFICATE', certDer), { mode: 0o600 });
  return {
    kind: 'bundle',
    algorithm,
    files,
    fingerprint: createHash('sha256').update(certDer).digest('hex'),
    subject,
    notBefore: notBefore.toISOString(),
    notAfter: notAfter.toISOString(),
  };
}
