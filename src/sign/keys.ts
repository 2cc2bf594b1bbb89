import { createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fromFsError, inputError } from '../errors.js';

/**
 * Loading signing material as users have it: PEM or DER, PKCS#1, PKCS#8 or SEC1 private keys,
 * one or several certificates per file. Everything ends up as Node KeyObjects and DER buffers,
 * so the CMS code never sees a file format.
 */

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

export interface PemBlock {
  label: string;
  der: Buffer;
}

export function pemBlocks(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  for (const m of text.matchAll(PEM_BLOCK)) {
    const body = (m[2] ?? '').replace(/^[A-Za-z-]+:.*$/gm, '').replace(/\s+/g, '');
    blocks.push({ label: m[1] ?? '', der: Buffer.from(body, 'base64') });
  }
  return blocks;
}

export function toPem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  return `-----BEGIN ${label}-----\n${b64.replace(/.{1,64}/g, '$&\n')}-----END ${label}-----\n`;
}

async function readInput(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    throw fromFsError(err, what);
  }
}

function looksLikePem(data: Buffer): boolean {
  return data.subarray(0, 4096).toString('latin1').includes('-----BEGIN ');
}

/** A private key from PEM or DER (PKCS#8, PKCS#1 RSA, SEC1 EC). Encrypted keys are refused. */
export function parsePrivateKey(data: Buffer, source = 'key'): KeyObject {
  if (looksLikePem(data)) {
    const text = data.toString('utf8');
    if (/ENCRYPTED/.test(text)) {
      throw inputError('KEY_ENCRYPTED', `${source}: encrypted private keys are not supported`, {
        suggestions: [`openssl pkey -in ${source} -out key.pem  # decrypt to an unencrypted PKCS#8 file kept with mode 0600`],
      });
    }
    try {
      return createPrivateKey({ key: text, format: 'pem' });
    } catch (err) {
      throw inputError('KEY_INVALID', `${source}: not a readable private key (${(err as Error).message})`, {
        suggestions: ['mpak key generate --kind bundle  # creates a key and certificate'],
      });
    }
  }
  for (const type of ['pkcs8', 'pkcs1', 'sec1'] as const) {
    try {
      return createPrivateKey({ key: data, format: 'der', type });
    } catch {
      // try the next DER container
    }
  }
  throw inputError('KEY_INVALID', `${source}: not a PEM or DER private key (PKCS#8, PKCS#1 or SEC1)`, {
    suggestions: ['mpak key generate --kind bundle  # creates a key and certificate'],
  });
}

export async function loadPrivateKey(path: string): Promise<KeyObject> {
  return parsePrivateKey(await readInput(path, 'private key'), path);
}

/** Every certificate in a file (PEM bundle or a single DER certificate), as DER. */
export function parseCertificates(data: Buffer, source = 'certificate'): Buffer[] {
  let ders: Buffer[];
  if (looksLikePem(data)) {
    ders = pemBlocks(data.toString('utf8'))
      .filter((b) => b.label === 'CERTIFICATE' || b.label === 'X509 CERTIFICATE' || b.label === 'TRUSTED CERTIFICATE')
      .map((b) => b.der);
  } else {
    ders = [data];
  }
  if (ders.length === 0) throw inputError('CERT_INVALID', `${source}: no certificate found`);
  for (const der of ders) {
    try {
      new X509Certificate(der);
    } catch (err) {
      throw inputError('CERT_INVALID', `${source}: not a readable X.509 certificate (${(err as Error).message})`);
    }
  }
  return ders;
}

export async function loadCertificates(path: string): Promise<Buffer[]> {
  return parseCertificates(await readInput(path, 'certificate'), path);
}

/**
 * A trust anchor file: certificates (PEM/DER), or a bare key (public or private; only its public
 * half is kept) that the signer's certificate or one of its issuers must carry.
 */
export type TrustAnchor = { kind: 'certificate'; der: Buffer; source: string } | { kind: 'key'; spki: Buffer; source: string };

export async function loadTrustAnchors(path: string): Promise<TrustAnchor[]> {
  const data = await readInput(path, 'trust anchor');
  if (looksLikePem(data)) {
    const blocks = pemBlocks(data.toString('utf8'));
    const anchors: TrustAnchor[] = [];
    for (const b of blocks) {
      if (b.label.endsWith('CERTIFICATE')) anchors.push({ kind: 'certificate', der: b.der, source: path });
      else if (b.label === 'PUBLIC KEY' || b.label.endsWith('PRIVATE KEY')) {
        const pem = toPem(b.label, b.der);
        const pub = b.label === 'PUBLIC KEY' ? createPublicKey(pem) : createPublicKey(parsePrivateKey(Buffer.from(pem), path));
        anchors.push({ kind: 'key', spki: pub.export({ type: 'spki', format: 'der' }), source: path });
      }
    }
    if (anchors.length === 0) throw inputError('TRUST_INVALID', `${path}: no certificate or key found`);
    return anchors;
  }
  try {
    new X509Certificate(data);
    return [{ kind: 'certificate', der: data, source: path }];
  } catch {
    try {
      const pub = createPublicKey({ key: data, format: 'der', type: 'spki' });
      return [{ kind: 'key', spki: pub.export({ type: 'spki', format: 'der' }), source: path }];
    } catch {
      throw inputError('TRUST_INVALID', `${path}: not a certificate or public key (PEM or DER)`);
    }
  }
}

/** "rsa-4096", "ecdsa-p256", "ed25519"... for display. */
export function describeKey(key: KeyObject): string {
  const d = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return `rsa-${d.modulusLength ?? '?'}`;
    case 'rsa-pss':
      return `rsa-pss-${d.modulusLength ?? '?'}`;
    case 'ec':
      return `ecdsa-${(d.namedCurve ?? '?').replace('prime256v1', 'p256').replace('secp384r1', 'p384').replace('secp521r1', 'p521')}`;
    default:
      return key.asymmetricKeyType ?? 'unknown';
  }
}
