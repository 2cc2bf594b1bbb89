import { createPublicKey, sign as cryptoSign, verify as cryptoVerify, constants, type KeyObject } from 'node:crypto';
import { bufferOf, loadPkijs, OID, type CertView } from './certs.js';

/**
 * CMS SignedData (RFC 5652) as MCPB signatures use it: building the official shape (detached
 * id-data, signer certificate then intermediates, one SignerInfo v1 with issuerAndSerialNumber and
 * contentType/messageDigest/signingTime) and parsing any well-formed single-signer SignedData for
 * verification. Structures come from pkijs/asn1js; every cryptographic operation is Node's.
 */

export type DigestName = 'sha256' | 'sha384' | 'sha512';
const DIGESTS: Record<string, DigestName> = { [OID.sha256]: 'sha256', [OID.sha384]: 'sha384', [OID.sha512]: 'sha512' };

/** A SignedData that does not parse: the signature is `malformed`. */
export class CmsFormatError extends Error {}

export interface ParsedSigner {
  version: number;
  sid: { kind: 'issuerAndSerialNumber'; issuerDer: Buffer; serial: Buffer } | { kind: 'subjectKeyIdentifier'; keyId: Buffer };
  digestAlgorithmOid: string;
  digest?: DigestName;
  /** DER of the signed attributes with the SET OF tag, exactly what the signature covers. */
  signedAttrsDer?: Buffer;
  contentTypeAttr?: string;
  messageDigest?: Buffer;
  signingTime?: Date;
  /** Problems with the attributes that make the signature `invalid` (duplicates, missing values). */
  attributeProblems: string[];
  signatureAlgorithmOid: string;
  /** DER of the signature algorithm parameters, when present (RSASSA-PSS). */
  signatureParams?: Buffer;
  signature: Buffer;
}

export interface ParsedSignedData {
  version: number;
  eContentType: string;
  hasEContent: boolean;
  /** Certificates in the order they are stored, as their original DER bytes. */
  certificates: Buffer[];
  signer: ParsedSigner;
}

/** Parses a DER ContentInfo holding SignedData. Throws CmsFormatError when the structure is wrong. */
export async function parseSignedData(der: Buffer): Promise<ParsedSignedData> {
  const { pkijs, asn1js } = await loadPkijs();
  const fail = (why: string): never => {
    throw new CmsFormatError(why);
  };
  const asn1 = asn1js.fromBER(der);
  if (asn1.offset === -1) fail(`the signature is not DER: ${asn1.result.error || 'unparseable'}`);
  if (asn1.offset !== der.length) fail(`${der.length - asn1.offset} unexpected bytes after the CMS ContentInfo`);
  let contentInfo: InstanceType<typeof pkijs.ContentInfo>;
  let signedData: InstanceType<typeof pkijs.SignedData>;
  try {
    contentInfo = new pkijs.ContentInfo({ schema: asn1.result });
  } catch (err) {
    return fail(`not a CMS ContentInfo (${(err as Error).message})`);
  }
  if (contentInfo.contentType !== OID.signedData) fail(`CMS content type ${contentInfo.contentType} is not SignedData`);
  try {
    signedData = new pkijs.SignedData({ schema: contentInfo.content });
  } catch (err) {
    return fail(`not a CMS SignedData (${(err as Error).message})`);
  }
  if (signedData.signerInfos.length !== 1) fail(`expected exactly one SignerInfo, found ${signedData.signerInfos.length}`);

  // Original certificate bytes: [0] IMPLICIT CertificateSet inside the SignedData SEQUENCE.
  const certificates: Buffer[] = [];
  const sdSeq = contentInfo.content as InstanceType<typeof asn1js.Sequence>;
  for (const el of sdSeq.valueBlock.value) {
    if (el.idBlock.tagClass === 3 && el.idBlock.tagNumber === 0) {
      for (const c of (el as InstanceType<typeof asn1js.Constructed>).valueBlock.value) {
        if (c.idBlock.tagClass === 1 && c.idBlock.tagNumber === 16) certificates.push(Buffer.from(bufferOf(c.valueBeforeDecodeView)));
      }
    }
  }

  const si = signedData.signerInfos[0]!;
  let sid: ParsedSigner['sid'];
  if (si.sid instanceof pkijs.IssuerAndSerialNumber) {
    sid = {
      kind: 'issuerAndSerialNumber',
      issuerDer: Buffer.from(bufferOf(si.sid.issuer.valueBeforeDecode)),
      serial: Buffer.from(bufferOf(si.sid.serialNumber.valueBlock.valueHexView)),
    };
  } else {
    const block = si.sid as InstanceType<typeof asn1js.Constructed> | InstanceType<typeof asn1js.Primitive>;
    const inner =
      block instanceof asn1js.Constructed
        ? (block.valueBlock.value[0] as InstanceType<typeof asn1js.OctetString> | undefined)?.valueBlock.valueHexView
        : (block as InstanceType<typeof asn1js.Primitive>).valueBlock.valueHexView;
    if (!inner || inner.byteLength === 0) fail('SignerInfo sid is neither issuerAndSerialNumber nor subjectKeyIdentifier');
    sid = { kind: 'subjectKeyIdentifier', keyId: Buffer.from(bufferOf(inner!)) };
  }

  const signer: ParsedSigner = {
    version: si.version,
    sid,
    digestAlgorithmOid: si.digestAlgorithm.algorithmId,
    attributeProblems: [],
    signatureAlgorithmOid: si.signatureAlgorithm.algorithmId,
    signature: Buffer.from(bufferOf(si.signature.valueBlock.valueHexView)),
  };
  const digest = DIGESTS[signer.digestAlgorithmOid];
  if (digest) signer.digest = digest;
  const params = si.signatureAlgorithm.algorithmParams as { toBER?: () => ArrayBuffer } | undefined;
  if (params && typeof params.toBER === 'function' && signer.signatureAlgorithmOid === OID.rsaPss) {
    signer.signatureParams = Buffer.from(params.toBER());
  }
  if (si.signedAttrs) {
    signer.signedAttrsDer = Buffer.from(bufferOf(si.signedAttrs.encodedValue));
    const seen = new Set<string>();
    for (const attr of si.signedAttrs.attributes) {
      if (seen.has(attr.type)) signer.attributeProblems.push(`signed attribute ${attr.type} appears twice`);
      seen.add(attr.type);
      const values = attr.values as Array<InstanceType<typeof asn1js.BaseBlock>>;
      const single = values.length === 1 ? values[0] : undefined;
      if (attr.type === OID.contentType || attr.type === OID.messageDigest || attr.type === OID.signingTime) {
        if (!single) {
          signer.attributeProblems.push(`signed attribute ${attr.type} must have exactly one value`);
          continue;
        }
      }
      if (attr.type === OID.contentType && single instanceof asn1js.ObjectIdentifier) signer.contentTypeAttr = single.valueBlock.toString();
      else if (attr.type === OID.messageDigest && single instanceof asn1js.OctetString) {
        signer.messageDigest = Buffer.from(bufferOf(single.valueBlock.valueHexView));
      } else if (attr.type === OID.signingTime && single) {
        if (single instanceof asn1js.UTCTime || single instanceof asn1js.GeneralizedTime) signer.signingTime = single.toDate();
        else signer.attributeProblems.push('signingTime is neither UTCTime nor GeneralizedTime');
      }
    }
    if (!signer.contentTypeAttr) signer.attributeProblems.push('the signed attributes lack a contentType');
    if (!signer.messageDigest) signer.attributeProblems.push('the signed attributes lack a messageDigest');
  }

  const eci = signedData.encapContentInfo;
  return {
    version: signedData.version,
    eContentType: eci.eContentType,
    hasEContent: eci.eContent !== undefined && eci.eContent !== null,
    certificates,
    signer,
  };
}

/** Does this certificate match the SignerInfo sid? Never by position. */
export function matchesSid(cert: CertView, sid: ParsedSigner['sid']): boolean {
  if (sid.kind === 'subjectKeyIdentifier') return cert.subjectKeyId !== undefined && cert.subjectKeyId.equals(sid.keyId);
  return cert.issuerDer.equals(sid.issuerDer) && stripZeros(cert.serialBytes).equals(stripZeros(sid.serial));
}

function stripZeros(b: Buffer): Buffer {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.subarray(i);
}

/** Which signature scheme a SignerInfo uses, resolved to Node's verify parameters. */
export interface SignatureScheme {
  name: string;
  /** Hash for Node's verify; null for Ed25519. */
  hash: DigestName | null;
  padding?: number;
  saltLength?: number;
  keyType: 'rsa' | 'ec' | 'ed25519';
}

/** Resolves the signature algorithm of a SignerInfo; throws Error with a reason when unsupported. */
export async function signatureScheme(signer: ParsedSigner): Promise<SignatureScheme> {
  const oid = signer.signatureAlgorithmOid;
  const digest = signer.digest;
  const byOid: Record<string, DigestName> = {
    [OID.sha256WithRSA]: 'sha256',
    [OID.sha384WithRSA]: 'sha384',
    [OID.sha512WithRSA]: 'sha512',
    [OID.ecdsaSha256]: 'sha256',
    [OID.ecdsaSha384]: 'sha384',
    [OID.ecdsaSha512]: 'sha512',
  };
  if (oid === OID.rsaEncryption) {
    if (!digest) throw new Error(`unsupported digest algorithm ${signer.digestAlgorithmOid}`);
    return { name: `rsa-pkcs1-${digest}`, hash: digest, padding: constants.RSA_PKCS1_PADDING, keyType: 'rsa' };
  }
  if (oid === OID.sha256WithRSA || oid === OID.sha384WithRSA || oid === OID.sha512WithRSA) {
    return { name: `rsa-pkcs1-${byOid[oid]}`, hash: byOid[oid]!, padding: constants.RSA_PKCS1_PADDING, keyType: 'rsa' };
  }
  if (oid === OID.ecdsaSha256 || oid === OID.ecdsaSha384 || oid === OID.ecdsaSha512) {
    return { name: `ecdsa-${byOid[oid]}`, hash: byOid[oid]!, keyType: 'ec' };
  }
  if (oid === OID.ecPublicKey) {
    if (!digest) throw new Error(`unsupported digest algorithm ${signer.digestAlgorithmOid}`);
    return { name: `ecdsa-${digest}`, hash: digest, keyType: 'ec' };
  }
  if (oid === OID.ed25519) return { name: 'ed25519', hash: null, keyType: 'ed25519' };
  if (oid === OID.rsaPss) {
    const { pkijs } = await loadPkijs();
    // RFC 4055 defaults are SHA-1 everywhere, which we refuse; real signers state the parameters.
    if (!signer.signatureParams) throw new Error('RSASSA-PSS without parameters means SHA-1, which is not accepted');
    const p = pkijs.RSASSAPSSParams.fromBER(new Uint8Array(signer.signatureParams));
    const hash = DIGESTS[p.hashAlgorithm.algorithmId];
    if (!hash) throw new Error(`unsupported RSASSA-PSS hash ${p.hashAlgorithm.algorithmId}`);
    if (p.maskGenAlgorithm.algorithmId !== OID.mgf1) throw new Error('RSASSA-PSS with a mask generation other than MGF1');
    const mgfHash = (p.maskGenAlgorithm.algorithmParams as { valueBlock?: { value?: Array<{ valueBlock: { toString(): string } }> } })
      ?.valueBlock?.value?.[0]?.valueBlock.toString();
    if (mgfHash && DIGESTS[mgfHash] !== hash) throw new Error('RSASSA-PSS with different message and MGF1 hashes');
    return { name: `rsa-pss-${hash}`, hash, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: p.saltLength, keyType: 'rsa' };
  }
  throw new Error(`unsupported signature algorithm ${oid}`);
}

/** Verifies `signature` over `data` with a public key and a resolved scheme. */
export function verifyWithScheme(scheme: SignatureScheme, data: Buffer, key: KeyObject, signature: Buffer): boolean {
  const type = key.asymmetricKeyType;
  const keyType = type === 'rsa-pss' ? 'rsa' : type;
  if (keyType !== scheme.keyType) return false;
  try {
    if (scheme.keyType === 'rsa') {
      return cryptoVerify(scheme.hash, data, { key, padding: scheme.padding, ...(scheme.saltLength !== undefined ? { saltLength: scheme.saltLength } : {}) }, signature);
    }
    return cryptoVerify(scheme.hash, data, key, signature);
  } catch {
    return false;
  }
}

export interface BuildOptions {
  digest: Buffer;
  signingTime: Date;
  key: KeyObject;
  signer: CertView;
  intermediates: Buffer[];
}

/**
 * Builds the DER ContentInfo the official signer produces: SignedData v1, sha256, detached id-data,
 * certificates (signer first), one SignerInfo v1 with issuerAndSerialNumber, signed attributes
 * contentType/messageDigest/signingTime (UTCTime), RSA PKCS#1 v1.5 (rsaEncryption) or ECDSA.
 */
export async function buildSignedData(options: BuildOptions): Promise<Buffer> {
  const { pkijs, asn1js } = await loadPkijs();
  const keyType = options.key.asymmetricKeyType;
  if (keyType !== 'rsa' && keyType !== 'ec') {
    throw new Error(`bundle signing needs an RSA or ECDSA key, got ${keyType ?? 'unknown'}`);
  }
  const sha256Id = () => new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256, algorithmParams: new asn1js.Null() });
  const attribute = (type: string, value: InstanceType<typeof asn1js.BaseBlock>) =>
    new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: type }), new asn1js.Set({ value: [value] })] });
  // UTCTime covers 1950-2049, which is what RFC 5652 requires signingTime to use in that range.
  const encodedAttrs = [
    attribute(OID.contentType, new asn1js.ObjectIdentifier({ value: OID.data })),
    attribute(OID.signingTime, new asn1js.UTCTime({ valueDate: new Date(Math.floor(options.signingTime.getTime() / 1000) * 1000) })),
    attribute(OID.messageDigest, new asn1js.OctetString({ valueHex: options.digest })),
  ].map((a) => Buffer.from(a.toBER()));
  // DER SET OF: elements sorted by their encodings.
  encodedAttrs.sort(Buffer.compare);
  const attrsSetBody = Buffer.concat(encodedAttrs);
  const signedAttrsDer = Buffer.concat([Buffer.from([0x31]), derLength(attrsSetBody.length), attrsSetBody]);
  const signature =
    keyType === 'rsa'
      ? cryptoSign('sha256', signedAttrsDer, { key: options.key, padding: constants.RSA_PKCS1_PADDING })
      : cryptoSign('sha256', signedAttrsDer, options.key);
  const signatureAlgorithm =
    keyType === 'rsa'
      ? new pkijs.AlgorithmIdentifier({ algorithmId: OID.rsaEncryption, algorithmParams: new asn1js.Null() })
      : new pkijs.AlgorithmIdentifier({ algorithmId: OID.ecdsaSha256 });

  const signerInfo = new asn1js.Sequence({
    value: [
      new asn1js.Integer({ value: 1 }),
      new asn1js.Sequence({
        value: [asn1js.fromBER(options.signer.issuerDer).result, new asn1js.Integer({ valueHex: options.signer.serialBytes })],
      }),
      sha256Id().toSchema(),
      new asn1js.Constructed({
        idBlock: { tagClass: 3, tagNumber: 0 },
        value: encodedAttrs.map((a) => asn1js.fromBER(a).result),
      }),
      signatureAlgorithm.toSchema(),
      new asn1js.OctetString({ valueHex: signature }),
    ],
  });
  const certs = [options.signer.der, ...options.intermediates];
  const signedDataSeq = new asn1js.Sequence({
    value: [
      new asn1js.Integer({ value: 1 }),
      new asn1js.Set({ value: [sha256Id().toSchema()] }),
      new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: OID.data })] }),
      new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: certs.map((c) => asn1js.fromBER(c).result) }),
      new asn1js.Set({ value: [signerInfo] }),
    ],
  });
  const contentInfo = new asn1js.Sequence({
    value: [
      new asn1js.ObjectIdentifier({ value: OID.signedData }),
      new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: [signedDataSeq] }),
    ],
  });
  const der = Buffer.from(contentInfo.toBER());
  // The certificates go in as their exact bytes: a re-encoding would break their signatures.
  for (const c of certs) if (der.indexOf(c) < 0) throw new Error('certificate bytes changed while encoding the SignedData');
  return der;
}

function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** Public key of a certificate as a KeyObject (Node's parser). */
export function certificateKey(cert: CertView): KeyObject {
  return createPublicKey({ key: cert.spki, format: 'der', type: 'spki' });
}
