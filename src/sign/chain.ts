import { createPublicKey } from 'node:crypto';
import type { CertView } from './certs.js';
import { OID } from './certs.js';
import type { TrustAnchor } from './keys.js';

/**
 * Our own X.509 path validation (mcpb-format.md §6): from the signer certificate through the
 * certificates carried in the signature to a trust anchor (a certificate or a bare key), checking
 * signatures, validity at signing time, CA constraints, path lengths, key usage and the
 * code-signing EKU. No openssl, no OS store.
 */

export type ChainProblem =
  | 'expired'
  | 'not-yet-valid'
  | 'wrong-key-usage'
  | 'unknown-root'
  | 'bad-chain-signature'
  | 'not-a-ca'
  | 'path-length'
  | 'unsupported-critical-extension';

export interface AnchorView {
  source: string;
  cert?: CertView;
  spki?: Buffer;
}

export interface ChainOutcome {
  status: 'trusted' | 'self-signed' | 'untrusted';
  problem?: ChainProblem;
  reason: string;
  /** Signer first, up to and including the anchor certificate when there is one. */
  path: CertView[];
  anchor?: string;
  warnings: string[];
}

export function anchorViews(anchors: TrustAnchor[], views: Map<TrustAnchor, CertView>): AnchorView[] {
  return anchors.map((a) => (a.kind === 'certificate' ? { source: a.source, cert: views.get(a)! } : { source: a.source, spki: a.spki }));
}

function signedBy(subject: CertView, issuer: CertView | Buffer): boolean {
  try {
    if (Buffer.isBuffer(issuer)) {
      return subject.node.verify(createKey(issuer));
    }
    return subject.node.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

function createKey(spki: Buffer) {
  return createPublicKey({ key: spki, format: 'der', type: 'spki' });
}

export function isSelfSigned(cert: CertView): boolean {
  return cert.subjectDer.equals(cert.issuerDer) && signedBy(cert, cert);
}

function validityProblem(cert: CertView, at: Date, role: string): { problem: ChainProblem; reason: string } | undefined {
  if (at.getTime() > cert.notAfter.getTime()) {
    return { problem: 'expired', reason: `the ${role} certificate "${cert.subject}" had expired (${cert.notAfter.toISOString()}) at signing time ${at.toISOString()}` };
  }
  if (at.getTime() < cert.notBefore.getTime()) {
    return { problem: 'not-yet-valid', reason: `the ${role} certificate "${cert.subject}" was not yet valid (from ${cert.notBefore.toISOString()}) at signing time ${at.toISOString()}` };
  }
  return undefined;
}

/** Leaf rules: key usage allows signatures; EKU absent, codeSigning or anyExtendedKeyUsage. */
function leafProblem(leaf: CertView, at: Date): { problem: ChainProblem; reason: string } | undefined {
  const validity = validityProblem(leaf, at, 'signer');
  if (validity) return validity;
  if (leaf.keyUsage && !leaf.keyUsage.has('digitalSignature') && !leaf.keyUsage.has('nonRepudiation')) {
    return { problem: 'wrong-key-usage', reason: `the signer certificate's key usage (${[...leaf.keyUsage].join(', ') || 'none'}) does not allow digital signatures` };
  }
  if (leaf.extKeyUsage && !leaf.extKeyUsage.includes(OID.codeSigning) && !leaf.extKeyUsage.includes(OID.anyExtendedKeyUsage)) {
    return { problem: 'wrong-key-usage', reason: `the signer certificate's extended key usage (${leaf.extKeyUsage.join(', ')}) does not include code signing (${OID.codeSigning})` };
  }
  if (leaf.unknownCritical.length > 0) {
    return { problem: 'unsupported-critical-extension', reason: `the signer certificate has critical extensions mpak does not process: ${leaf.unknownCritical.join(', ')}` };
  }
  return undefined;
}

function caProblem(ca: CertView, at: Date, intermediatesBelow: number): { problem: ChainProblem; reason: string } | undefined {
  const validity = validityProblem(ca, at, 'issuing');
  if (validity) return validity;
  if (!ca.ca) return { problem: 'not-a-ca', reason: `"${ca.subject}" issued a certificate but is not a CA (basicConstraints cA is not set)` };
  if (ca.keyUsage && !ca.keyUsage.has('keyCertSign')) {
    return { problem: 'wrong-key-usage', reason: `"${ca.subject}" issued a certificate but its key usage lacks keyCertSign` };
  }
  if (ca.pathLen !== undefined && intermediatesBelow > ca.pathLen) {
    return { problem: 'path-length', reason: `"${ca.subject}" allows ${ca.pathLen} intermediate CA(s) below it, the chain has ${intermediatesBelow}` };
  }
  if (ca.unknownCritical.length > 0) {
    return { problem: 'unsupported-critical-extension', reason: `"${ca.subject}" has critical extensions mpak does not process: ${ca.unknownCritical.join(', ')}` };
  }
  return undefined;
}

const sameCert = (a: CertView, b: CertView) => a.der.equals(b.der) || (a.subjectDer.equals(b.subjectDer) && a.spki.equals(b.spki));

/**
 * Validates the signer certificate at time `at` against `anchors`, using `pool` (the certificates
 * in the signature) as candidate intermediates. Tries every candidate path; reports the most
 * specific failure when none reaches an anchor. The leaf's own rules (validity, key usage, EKU)
 * apply once its signature is accounted for: on the path found, or to a self-signed leaf.
 */
export function validatePath(leaf: CertView, pool: CertView[], anchors: AnchorView[], at: Date): ChainOutcome {
  const warnings: string[] = [];

  const anchorCerts = anchors.filter((a) => a.cert).map((a) => ({ source: a.source, cert: a.cert! }));
  const anchorKeys = anchors.filter((a) => a.spki).map((a) => ({ source: a.source, spki: a.spki! }));
  let best: { problem: ChainProblem; reason: string; path: CertView[] } | undefined;
  const rank: Record<ChainProblem, number> = {
    'unknown-root': 0,
    'bad-chain-signature': 1,
    'not-a-ca': 2,
    'path-length': 2,
    'wrong-key-usage': 3,
    'unsupported-critical-extension': 3,
    'not-yet-valid': 4,
    expired: 4,
  };
  const note = (problem: ChainProblem, reason: string, path: CertView[]) => {
    if (!best || rank[problem] > rank[best.problem]) best = { problem, reason, path };
  };

  const walk = (path: CertView[]): ChainOutcome | undefined => {
    const cur = path[path.length - 1]!;
    const asAnchor = anchorCerts.find((a) => sameCert(a.cert, cur));
    if (asAnchor) return { status: 'trusted', reason: `chains to the trust anchor ${asAnchor.source}`, path, anchor: asAnchor.source, warnings };
    const keyAnchor = anchorKeys.find((a) => a.spki.equals(cur.spki) || signedBy(cur, a.spki));
    if (keyAnchor) return { status: 'trusted', reason: `certified by the trusted key ${keyAnchor.source}`, path, anchor: keyAnchor.source, warnings };
    if (path.length > 8) {
      note('path-length', 'the certificate chain is longer than 8', path);
      return undefined;
    }
    const candidates = [...pool, ...anchorCerts.map((a) => a.cert)].filter(
      (c) => c.subjectDer.equals(cur.issuerDer) && !path.some((p) => sameCert(p, c)),
    );
    if (candidates.length === 0) {
      note('unknown-root', path.length === 1 ? `no trust anchor issued "${cur.subject}" (issuer "${cur.issuer}")` : `the chain ends at "${cur.subject}", issued by "${cur.issuer}", which is not a trust anchor`, path);
      return undefined;
    }
    for (const issuer of candidates) {
      if (!signedBy(cur, issuer)) {
        note('bad-chain-signature', `the signature on "${cur.subject}" does not verify under "${issuer.subject}"`, [...path, issuer]);
        continue;
      }
      // Intermediates between this issuer and the leaf, excluding self-issued ones (RFC 5280 6.1.4).
      const below = path.slice(1).filter((p) => !p.subjectDer.equals(p.issuerDer)).length;
      const problem = caProblem(issuer, at, below);
      if (problem) {
        note(problem.problem, problem.reason, [...path, issuer]);
        continue;
      }
      const found = walk([...path, issuer]);
      if (found) return found;
    }
    return undefined;
  };

  // Signatures first, then the leaf's own rules: a damaged certificate is reported as damaged
  // (its issuer's signature fails), not as whatever field the damage happened to change.
  const found = walk([leaf]);
  const leafIssue = leafProblem(leaf, at);
  if (found) return leafIssue ? { status: 'untrusted', ...leafIssue, path: found.path, warnings } : found;
  if (isSelfSigned(leaf) && (!best || best.problem === 'unknown-root' || best.problem === 'bad-chain-signature')) {
    if (leafIssue) return { status: 'untrusted', ...leafIssue, path: [leaf], warnings };
    return { status: 'self-signed', reason: `self-signed by "${leaf.subject}", which is not a trust anchor`, path: [leaf], warnings };
  }
  const failure = best ?? { problem: 'unknown-root' as const, reason: 'no trust anchor', path: [leaf] };
  return { status: 'untrusted', problem: failure.problem, reason: failure.reason, path: failure.path, warnings };
}
