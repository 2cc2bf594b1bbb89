/** Bundle signatures (MCPB_SIG_V1 / CMS), signing material, provenance attestations, index keys. */
export { locateTrailer, readSignatureTrailer, type TrailerInfo, type SignatureTrailer } from './trailer.js';
export { signCanonical, verifyCanonical, keyIdOf, generateEd25519KeyPair, loadIndexPrivateKey, parseIndexPublicKey } from './index-keys.js';
export type { IndexKeyPair, IndexSignature, SignedEnvelope, IndexPublicKey, CanonicalVerification } from './index-keys.js';
export { signBundle, type SignOptions, type SignResult } from './sign.js';
export {
  verifyBundle,
  verifyBundleSignature,
  summarizeSignature,
  type VerifyOptions,
  type VerifyResult,
  type SignatureState,
  type SignatureVariant,
  type SignatureSummary,
  type CertificateSummary,
} from './verify.js';
export { unsignBundle, type UnsignOptions, type UnsignResult } from './unsign.js';
export { generateKeys, BUNDLE_KEY_ALGORITHMS, type GenerateKeysOptions, type GenerateKeysResult, type BundleKeyAlgorithm, type KeyKind } from './generate.js';
export { attestBundle, verifyAttestation, type AttestOptions, type AttestResult, type VerifyAttestationOptions, type AttestationResult } from './attest.js';
export type { ChainProblem } from './chain.js';
