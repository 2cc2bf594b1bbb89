import { open, rm, rename, stat } from 'node:fs/promises';
import { fromFsError, inputError } from '../errors.js';
import { siblingTempPath } from '../util/fs-atomic.js';
import { publicKeyDer, viewCertificate } from './certs.js';
import { buildSignedData } from './cms.js';
import { loadCertificates, loadPrivateKey } from './keys.js';
import { digestVariants, writeSignedBytes, type SignedRange } from './signed-bytes.js';
import { readSignatureTrailer, SIG_END, SIG_START, type TrailerInfo } from './trailer.js';
import { summarizeCertificate, type CertificateSummary } from './verify.js';

/**
 * Signing a bundle (mcpb-format.md §6): strip any existing trailers (re-sign replaces), hash the
 * unsigned bundle, build the official CMS shape, and write variant B (comment_length = d + T, so
 * strict ZIP readers see the trailer as the ZIP comment) atomically.
 */

const EOCD_MAGIC = Buffer.from([0x50, 0x4b, 0x05, 0x06]);
const MAX_COMMENT = 0xffff;

export interface SignOptions {
  file: string;
  key: string;
  cert: string;
  intermediates?: string[];
  /** Where to write; default: replace `file`. */
  output?: string;
  now?: Date;
}

export interface SignResult {
  file: string;
  output: string;
  signer: CertificateSummary;
  variant: 'B';
  signingTime: string;
  /** T: bytes added to the unsigned bundle. */
  trailerLength: number;
  /** True when an earlier signature was replaced. */
  replaced: boolean;
  /** SHA-256 of the unsigned bundle: what the signature covers (equals `pack`'s hash). */
  unsignedSha256: string;
}

/** The ZIP proper and its d, after stripping every trailer; throws when the input is not a bundle. */
export async function unsignedLayout(file: string): Promise<{ info: TrailerInfo; range: SignedRange; d: number }> {
  let info: TrailerInfo;
  try {
    info = await readSignatureTrailer(file);
  } catch (err) {
    throw fromFsError(err, 'bundle');
  }
  if (info.eocdOffset === undefined || info.originalCommentLength === undefined) {
    throw inputError('ARCHIVE_CORRUPT', `${file}: ${info.reason ?? 'not a ZIP archive'}`, {
      suggestions: ['mpak bundle pack <dir>  # to build a bundle'],
    });
  }
  if (info.state === 'malformed' && info.trailers.length === 0) {
    throw inputError('SIGNATURE_MALFORMED', `${file}: ${info.reason ?? 'the signature trailer does not parse'}`);
  }
  return { info, range: { length: info.zipLength, eocdOffset: info.eocdOffset }, d: info.originalCommentLength };
}

function trailerBytes(der: Buffer): Buffer {
  const n = Buffer.alloc(4);
  n.writeUInt32LE(der.length);
  return Buffer.concat([SIG_START, n, der, SIG_END]);
}

/** Writes Z (comment_length = `comment`) + `suffix` to `output` through a temp file and a rename. */
export async function writeBundleAtomic(source: string, range: SignedRange, comment: number, output: string, suffix?: Buffer): Promise<void> {
  const mode = await stat(source).then((s) => s.mode & 0o777, () => 0o644);
  const tmp = siblingTempPath(output);
  const out = await open(tmp, 'wx', mode);
  try {
    await writeSignedBytes(source, range, comment, out, suffix);
    await out.sync();
    await out.close();
    await rename(tmp, output);
  } catch (err) {
    await out.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw fromFsError(err, 'output');
  }
}

/**
 * Signs a bundle in place (or to `output`) with a private key (PEM/DER, PKCS#1/PKCS#8/SEC1) and
 * its X.509 certificate. Any existing signature is replaced. Returns the signer and what was written.
 */
export async function signBundle(options: SignOptions): Promise<SignResult> {
  const key = await loadPrivateKey(options.key);
  if (key.asymmetricKeyType !== 'rsa' && key.asymmetricKeyType !== 'ec') {
    throw inputError('KEY_UNSUPPORTED', `${options.key}: bundle signing needs an RSA or ECDSA key, got ${key.asymmetricKeyType ?? 'unknown'}`, {
      suggestions: ['mpak key generate --kind bundle  # RSA-4096 key and code-signing certificate'],
    });
  }
  const [signerDer, ...extraCerts] = await loadCertificates(options.cert);
  const signer = await viewCertificate(signerDer!);
  if (!signer.spki.equals(publicKeyDer(key))) {
    throw inputError('KEY_CERT_MISMATCH', `the key ${options.key} does not belong to the certificate ${options.cert} ("${signer.subject}")`, {
      suggestions: ['Pass the private key that was used to request this certificate.'],
    });
  }
  const intermediates = [...extraCerts];
  for (const p of options.intermediates ?? []) intermediates.push(...(await loadCertificates(p)));

  const { info, range, d } = await unsignedLayout(options.file);
  const [digest] = await digestVariants(options.file, range, 'sha256', [d]);
  const now = options.now ?? new Date();

  const certBytes = [signer.der, ...intermediates];
  if (certBytes.some((c) => c.includes(EOCD_MAGIC))) {
    throw inputError('SIGNATURE_UNSAFE', 'a certificate contains the bytes 50 4B 05 06 (the ZIP end-of-directory marker); ZIP readers would misread the signed bundle', {
      suggestions: ['Use a different certificate (re-issue it; a new serial number changes the bytes).'],
    });
  }
  let trailer: Buffer | undefined;
  let signingTime = now;
  // A new signingTime changes the signed attributes and so the signature bytes.
  for (let attempt = 0; attempt < 8 && !trailer; attempt++) {
    signingTime = new Date(now.getTime() + attempt * 1000);
    const der = await buildSignedData({ digest: digest!, signingTime, key, signer, intermediates });
    const candidate = trailerBytes(der);
    if (!candidate.includes(EOCD_MAGIC)) trailer = candidate;
  }
  if (!trailer) throw new Error('every signature attempt contained the ZIP end-of-directory marker');
  if (d + trailer.length > MAX_COMMENT) {
    throw inputError('SIGNATURE_TOO_LARGE', `the signature block (${trailer.length} bytes) plus the ZIP comment (${d}) exceeds 65,535 bytes`, {
      suggestions: ['Pass fewer intermediate certificates (--intermediate), or a shorter chain.'],
    });
  }
  const output = options.output ?? options.file;
  await writeBundleAtomic(options.file, range, d + trailer.length, output, trailer);
  return {
    file: options.file,
    output,
    signer: summarizeCertificate(signer),
    variant: 'B',
    signingTime: new Date(Math.floor(signingTime.getTime() / 1000) * 1000).toISOString(),
    trailerLength: trailer.length,
    replaced: info.trailers.length > 0,
    unsignedSha256: digest!.toString('hex'),
  };
}
