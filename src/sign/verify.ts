import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fromFsError } from '../errors.js';
import { OID, viewCertificate, type CertView } from './certs.js';
import { anchorViews, validatePath, type ChainProblem } from './chain.js';
import { CmsFormatError, matchesSid, parseSignedData, signatureScheme, verifyWithScheme, type ParsedSignedData } from './cms.js';
import { loadTrustAnchors, type TrustAnchor } from './keys.js';
import { digestVariants } from './signed-bytes.js';
import { readSignatureTrailer, SIG_START, type TrailerInfo } from './trailer.js';

/**
 * Bundle signature verification (mcpb-format.md §6): trailer → CMS → digest over the bytes of
 * the right EOCD variant (streamed) → signer by sid → signature → our own path validation.
 */

export type SignatureState = 'trusted' | 'self-signed' | 'untrusted' | 'invalid' | 'malformed' | 'unsigned';
export type SignatureVariant = 'A' | 'B' | 'C';

export interface CertificateSummary {
  subject: string;
  issuer: string;
  serialNumber: string;
  fingerprintSha256: string;
  notBefore: string;
  notAfter: string;
  keyAlgorithm: string;
}

export interface VerifyResult {
  file: string;
  state: SignatureState;
  /** The verdict for a gate: trusted, or self-signed/untrusted when `allowUntrusted` was set. */
  accepted: boolean;
  reason: string;
  /** Machine-readable cause for untrusted results: expired, not-yet-valid, wrong-key-usage, unknown-root... */
  problem?: ChainProblem;
  variant?: SignatureVariant;
  signer?: CertificateSummary;
  signingTime?: string;
  digestAlgorithm?: string;
  signatureAlgorithm?: string;
  /** Signer first, then issuers up to the trust anchor (or as far as the chain could be built). */
  chain?: CertificateSummary[];
  trustAnchor?: string;
  warnings: string[];
}

export interface VerifyOptions {
  file: string;
  /** Trust anchor files: certificates (PEM/DER, several per file allowed) or keys. */
  trust?: string[];
  /** A directory whose *.pem files are trust anchors (MPAK_HOME/trust); missing is fine. */
  trustStoreDir?: string;
  /** The clock, for "is the certificate still valid" warnings and when signingTime is absent. */
  now?: Date;
  /** Accept a valid signature that is self-signed or does not chain to an anchor (`accepted`). */
  allowUntrusted?: boolean;
}

export function summarizeCertificate(c: CertView): CertificateSummary {
  return {
    subject: c.subject,
    issuer: c.issuer,
    serialNumber: c.serialNumber,
    fingerprintSha256: c.fingerprintSha256,
    notBefore: c.notBefore.toISOString(),
    notAfter: c.notAfter.toISOString(),
    keyAlgorithm: c.keyAlgorithm,
  };
}

async function collectAnchors(options: VerifyOptions): Promise<TrustAnchor[]> {
  const anchors: TrustAnchor[] = [];
  for (const path of options.trust ?? []) anchors.push(...(await loadTrustAnchors(path)));
  if (options.trustStoreDir) {
    let names: string[] = [];
    try {
      names = (await readdir(options.trustStoreDir)).filter((n) => n.endsWith('.pem')).sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw fromFsError(err, 'trust store');
    }
    for (const n of names) anchors.push(...(await loadTrustAnchors(join(options.trustStoreDir, n))));
  }
  return anchors;
}

/** A signed file whose end marker was damaged looks unsigned; the start marker in the ZIP comment gives it away. */
async function damagedTrailer(file: string, info: TrailerInfo): Promise<boolean> {
  if (info.eocdOffset === undefined) return false;
  const start = info.eocdOffset + 22;
  const length = info.zipLength - start;
  if (length < SIG_START.length) return false;
  const handle = await open(file, 'r');
  try {
    const comment = Buffer.alloc(length);
    await handle.read(comment, 0, length, start);
    return comment.includes(SIG_START);
  } finally {
    await handle.close();
  }
}

/**
 * Verifies the MCPB_SIG_V1 signature of a bundle and decides its state: `trusted` (valid and
 * chaining to an anchor), `self-signed`, `untrusted` (with `problem`), `invalid`, `malformed` or
 * `unsigned`. Throws only for an unreadable file or trust anchor; every property of the bundle
 * itself is reported in the result.
 */
export async function verifyBundle(options: VerifyOptions): Promise<VerifyResult> {
  const anchors = await collectAnchors(options);
  let info: TrailerInfo;
  try {
    info = await readSignatureTrailer(options.file);
  } catch (err) {
    throw fromFsError(err, 'bundle');
  }
  return verifyWithTrailer(options, info, anchors);
}

/**
 * The scanner's entry point: the same verdict as `verifyBundle`, but never throws for the bundle
 * (an unreadable file is `malformed`, with the reason). Trust anchor errors still throw: they are
 * the caller's input.
 */
export async function verifyBundleSignature(file: string, options: Omit<VerifyOptions, 'file'> = {}): Promise<VerifyResult> {
  const anchors = await collectAnchors({ ...options, file });
  let info: TrailerInfo;
  try {
    info = await readSignatureTrailer(file);
  } catch (err) {
    return { file, state: 'malformed', accepted: false, reason: `cannot read the bundle: ${(err as Error).message}`, warnings: [] };
  }
  return verifyWithTrailer({ ...options, file }, info, anchors);
}

async function verifyWithTrailer(options: VerifyOptions, info: TrailerInfo, anchors: TrustAnchor[]): Promise<VerifyResult> {
  const r = await decide(options, info, anchors);
  const accepted = r.state === 'trusted' || (options.allowUntrusted === true && (r.state === 'self-signed' || r.state === 'untrusted'));
  return { ...r, accepted };
}

async function decide(options: VerifyOptions, info: TrailerInfo, anchors: TrustAnchor[]): Promise<Omit<VerifyResult, 'accepted'>> {
  const file = options.file;
  const warnings = [...info.warnings];
  const base = { file, warnings };
  if (info.state === 'unsigned') {
    if (await damagedTrailer(file, info)) {
      return { ...base, state: 'malformed', reason: 'a damaged MCPB_SIG_V1 block follows the archive (the file does not end with MCPB_SIG_END)' };
    }
    return { ...base, state: 'unsigned', reason: info.reason ?? 'the bundle has no MCPB_SIG_V1 signature' };
  }
  if (info.state === 'malformed' || !info.der || info.eocdOffset === undefined || info.signedLength === undefined) {
    return { ...base, state: 'malformed', reason: info.reason ?? 'the signature trailer does not parse' };
  }

  let cms: ParsedSignedData;
  try {
    cms = await parseSignedData(info.der);
  } catch (err) {
    if (err instanceof CmsFormatError) return { ...base, state: 'malformed', reason: err.message };
    return { ...base, state: 'malformed', reason: `the CMS SignedData does not parse (${(err as Error).message})` };
  }
  const signer = cms.signer;
  const at = signer.signingTime ?? options.now ?? new Date();
  const result: Omit<VerifyResult, 'accepted'> = {
    ...base,
    state: 'invalid',
    reason: '',
    ...(signer.signingTime ? { signingTime: signer.signingTime.toISOString() } : {}),
    ...(signer.digest ? { digestAlgorithm: signer.digest } : {}),
  };
  const invalid = (reason: string): Omit<VerifyResult, 'accepted'> => ({ ...result, state: 'invalid', reason });

  let certs: CertView[];
  try {
    certs = await Promise.all(cms.certificates.map((c) => viewCertificate(c)));
  } catch (err) {
    return { ...result, state: 'malformed', reason: `a certificate in the signature does not parse (${(err as Error).message})` };
  }
  const leaf = certs.find((c) => matchesSid(c, signer.sid));
  if (leaf) result.signer = summarizeCertificate(leaf);

  if (cms.eContentType !== OID.data) return invalid(`the signed content type is ${cms.eContentType}, not id-data`);
  if (cms.hasEContent) return invalid('the signature embeds its content instead of signing the bundle (not detached)');
  if (!signer.digest) return invalid(`unsupported digest algorithm ${signer.digestAlgorithmOid} (SHA-256, SHA-384 or SHA-512 expected)`);
  if (!signer.signedAttrsDer) return invalid('the SignerInfo has no signed attributes; mpak requires contentType and messageDigest');
  if (signer.attributeProblems.length > 0) return invalid(signer.attributeProblems.join('; '));
  if (signer.contentTypeAttr !== OID.data) return invalid(`the contentType attribute is ${signer.contentTypeAttr}, not id-data`);

  // Which bytes were signed: the EOCD variant (A: c = d; C: c = d + T as stored; B: c reset to d).
  const E = info.eocdOffset;
  const outer = info.trailers[0]!;
  const d = info.signedLength - (E + 22);
  const c = info.storedCommentLength!;
  const range = { length: info.signedLength, eocdOffset: E };
  let candidates: Array<{ variant: SignatureVariant; comment: number | null }>;
  if (c === d) candidates = [{ variant: 'A', comment: null }];
  else if (c === d + outer.length) candidates = [{ variant: 'C', comment: null }, { variant: 'B', comment: d }];
  else if (info.trailers.length > 1) {
    warnings.push('stacked signatures: the outer one covers the inner block as stored');
    candidates = [{ variant: 'A', comment: null }];
  } else {
    return { ...result, state: 'malformed', reason: `EOCD comment length ${c} fits none of the signature variants` };
  }
  const digests = await digestVariants(file, range, signer.digest, candidates.map((x) => x.comment));
  const hit = candidates.findIndex((_, i) => digests[i]!.equals(signer.messageDigest!));
  if (hit < 0) return invalid('the bundle does not match its signature (messageDigest differs): it was modified after signing');
  result.variant = candidates[hit]!.variant;
  if (result.variant === 'A' && info.trailers.length === 1) {
    warnings.push('variant A (comment length not covering the signature): strict ZIP readers such as Claude Desktop reject this file; re-sign with mpak bundle sign');
  }

  if (!leaf) return invalid('the signer certificate named by the SignerInfo is not in the signature');
  let scheme;
  try {
    scheme = await signatureScheme(signer);
  } catch (err) {
    return invalid((err as Error).message);
  }
  result.signatureAlgorithm = scheme.name;
  if (!verifyWithScheme(scheme, signer.signedAttrsDer, leaf.publicKey, signer.signature)) {
    return invalid(`the ${scheme.name} signature does not verify under the signer certificate's key`);
  }

  const anchorCerts = new Map<TrustAnchor, CertView>();
  for (const a of anchors) if (a.kind === 'certificate') anchorCerts.set(a, await viewCertificate(a.der));
  const outcome = validatePath(leaf, certs.filter((x) => x !== leaf), anchorViews(anchors, anchorCerts), at);
  warnings.push(...outcome.warnings);
  const now = options.now ?? new Date();
  if (signer.signingTime && signer.signingTime.getTime() > now.getTime() + 5 * 60_000) {
    warnings.push(`the signing time ${signer.signingTime.toISOString()} is in the future`);
  }
  if (outcome.status !== 'untrusted' && now.getTime() > leaf.notAfter.getTime()) {
    warnings.push(`the signer certificate has expired since signing (${leaf.notAfter.toISOString()})`);
  }
  return {
    ...result,
    state: outcome.status,
    reason: outcome.reason,
    ...(outcome.problem ? { problem: outcome.problem } : {}),
    chain: outcome.path.map(summarizeCertificate),
    ...(outcome.anchor ? { trustAnchor: outcome.anchor } : {}),
  };
}

export interface SignatureSummary {
  status: SignatureState;
  signer?: string;
  fingerprint?: string;
}

/** The compact form registry entries carry: status, signer subject, certificate fingerprint. */
export function summarizeSignature(result: VerifyResult): SignatureSummary {
  return {
    status: result.state,
    // A signer is only worth naming when the signature over the bundle holds.
    ...(result.signer && ['trusted', 'self-signed', 'untrusted'].includes(result.state) ? { signer: result.signer.subject, fingerprint: result.signer.fingerprintSha256 } : {}),
  };
}
