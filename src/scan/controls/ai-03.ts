import type { RawFinding } from '../types.js';
import { bundleFile } from './bundle-file.js';
import { defineControl, finding } from './helpers.js';

/** AI-03 Bundle Signature: the MCPB_SIG_V1 trailer, verified by the sign module. */
export const ai03 = defineControl('AI-03', async (ctx) => {
  const { verifyBundleSignature } = await import('../../sign/index.js');
  const file = await bundleFile(ctx);
  let result;
  try {
    result = await verifyBundleSignature(file, { trust: ctx.options.trust, now: ctx.options.now });
  } catch (err) {
    return { status: 'error', reason: `trust anchors unreadable: ${(err as Error).message}`, findings: [], errors: [`AI-03: ${(err as Error).message}`] };
  }
  const findings: RawFinding[] = [];
  const add = (rule: string, severity: RawFinding['severity'], title: string, description: string, remediation: string) => findings.push(finding('AI-03', rule, severity, title, description, remediation));
  const anchors = ctx.options.trust.length > 0;
  const signerEmail = /(?:^|[,/]\s*)(?:E|emailAddress)=([^,/]+)/.exec(result.signer?.subject ?? '')?.[1]?.trim();
  const data = { state: result.state, ...(result.signer ? { signer: result.signer.subject, fingerprint: result.signer.fingerprintSha256 } : {}), ...(signerEmail ? { signer_email: signerEmail } : {}) };
  for (const f of ctx.files) {
    if (f.path === 'manifest.sig.json' || f.path.startsWith('.sigstore/')) {
      add('mtf-signature-file', 'INFO', 'MTF 0.1 signature file present', `${f.path} is a Sigstore/JCS signature from MTF 0.1; it does not satisfy AI-03 in this version.`, 'Sign the bundle with `mpak bundle sign`.');
    }
  }
  switch (result.state) {
    case 'unsigned':
      add('unsigned', 'HIGH', 'Bundle is not signed', result.reason, 'Sign it: mpak bundle sign <bundle> --key <key> --cert <cert>.');
      break;
    case 'malformed':
      add('malformed', 'HIGH', 'Signature is malformed', result.reason, 'Re-sign the bundle with `mpak bundle sign`.');
      break;
    case 'invalid':
      add('invalid', 'CRITICAL', 'Signature does not verify: the bundle was tampered with', result.reason, 'Do not install this file; obtain the bundle again from its publisher.');
      break;
    case 'untrusted':
      if (anchors || result.problem === 'expired' || result.problem === 'wrong-key-usage') {
        const rule = result.problem === 'expired' ? 'expired-certificate' : result.problem === 'wrong-key-usage' ? 'wrong-key-usage' : 'untrusted-signer';
        add(rule, 'HIGH', result.problem === 'expired' ? 'Signer certificate expired at signing time' : result.problem === 'wrong-key-usage' ? 'Certificate not valid for code signing' : 'Signer does not chain to a trusted anchor', result.reason, 'Sign with a code-signing certificate issued by an anchor you trust, or pass that anchor with --trust.');
      }
      break;
    case 'self-signed':
      if (anchors) add('untrusted-signer', 'HIGH', 'Self-signed certificate is not among the trust anchors', result.reason, 'Pass the signer certificate with --trust if you trust it.');
      break;
  }
  if (result.digestAlgorithm && !/sha-?(256|384|512)/i.test(result.digestAlgorithm)) add('weak-digest', 'HIGH', 'Digest weaker than SHA-256', `The signature uses ${result.digestAlgorithm}.`, 'Re-sign with SHA-256 or stronger.');
  const bits = Number(/^rsa(?:-pss)?-(\d+)$/.exec(result.signer?.keyAlgorithm ?? '')?.[1] ?? NaN);
  if (Number.isFinite(bits) && ['trusted', 'self-signed', 'untrusted'].includes(result.state)) {
    if (bits < 3072) add('weak-rsa-key', 'HIGH', `RSA key of ${bits} bits`, 'MTF rejects RSA keys under 3072 bits.', 'Use RSA-4096 or ECDSA P-256 for signing.');
    else if (bits < 4096) add('rsa-under-4096', 'MEDIUM', `RSA key of ${bits} bits`, 'MTF asks for 4096-bit RSA keys.', 'Use RSA-4096 or ECDSA P-256 for signing.');
  }
  if (result.warnings.some((w) => /stacked/i.test(w))) add('stacked-trailer', 'MEDIUM', 'Stacked signature trailers', 'The bundle carries more than one signature block.', 'Unsign and sign once: mpak bundle unsign, then mpak bundle sign.');
  if (result.state !== 'unsigned' && result.state !== 'malformed') add('revocation-unchecked', 'INFO', 'Revocation not checked', 'Certificate revocation cannot be checked offline.', 'Nothing to do offline.');
  const blocking = findings.some((f) => f.severity === 'CRITICAL' || f.severity === 'HIGH');
  if (blocking) return { status: 'fail', reason: result.reason, findings, data };
  if (result.state === 'trusted') return { status: 'pass', reason: `signed by ${result.signer?.subject ?? 'a trusted signer'}`, findings, data };
  return { status: 'unverified', reason: `valid signature (${result.state}) but no trust anchor to check it against`, requires: ['--trust'], findings, data };
});
