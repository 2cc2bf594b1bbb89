import { createHash, createPublicKey, randomBytes, sign as cryptoSign, X509Certificate, type KeyObject } from 'node:crypto';
import { inputError } from '../errors.js';
import { describeKey } from './keys.js';

/**
 * X.509 certificates: a parsed view with the fields path validation needs (names as DER, key
 * usage bits, EKU, basic constraints, key identifiers), and issuing new certificates with pkijs
 * structures signed by Node's crypto (no WebCrypto engine, no openssl binary).
 */

export const OID = {
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha256WithRSA: '1.2.840.113549.1.1.11',
  sha384WithRSA: '1.2.840.113549.1.1.12',
  sha512WithRSA: '1.2.840.113549.1.1.13',
  rsaPss: '1.2.840.113549.1.1.10',
  mgf1: '1.2.840.113549.1.1.8',
  ecPublicKey: '1.2.840.10045.2.1',
  ecdsaSha256: '1.2.840.10045.4.3.2',
  ecdsaSha384: '1.2.840.10045.4.3.3',
  ecdsaSha512: '1.2.840.10045.4.3.4',
  ed25519: '1.3.101.112',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  subjectAltName: '2.5.29.17',
  certificatePolicies: '2.5.29.32',
  codeSigning: '1.3.6.1.5.5.7.3.3',
  anyExtendedKeyUsage: '2.5.29.37.0',
} as const;

const NAME_OIDS: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.5': 'serialNumber',
  '1.2.840.113549.1.9.1': 'emailAddress',
  '0.9.2342.19200300.100.1.25': 'DC',
};
const NAME_KEYS = Object.fromEntries(Object.entries(NAME_OIDS).map(([oid, k]) => [k.toUpperCase(), oid]));

/** Extensions whose criticality we honour; any other critical extension fails path validation. */
const UNDERSTOOD_EXTENSIONS = new Set<string>([
  OID.basicConstraints,
  OID.keyUsage,
  OID.extKeyUsage,
  OID.subjectKeyIdentifier,
  OID.authorityKeyIdentifier,
  OID.subjectAltName,
  OID.certificatePolicies,
]);

export const KEY_USAGE_BITS = ['digitalSignature', 'nonRepudiation', 'keyEncipherment', 'dataEncipherment', 'keyAgreement', 'keyCertSign', 'cRLSign', 'encipherOnly', 'decipherOnly'] as const;
export type KeyUsageName = (typeof KEY_USAGE_BITS)[number];

export interface CertView {
  der: Buffer;
  node: X509Certificate;
  subject: string;
  issuer: string;
  subjectDer: Buffer;
  issuerDer: Buffer;
  serialNumber: string;
  /** DER contents octets of the serial INTEGER, for issuerAndSerialNumber matching. */
  serialBytes: Buffer;
  notBefore: Date;
  notAfter: Date;
  spki: Buffer;
  publicKey: KeyObject;
  keyAlgorithm: string;
  subjectKeyId?: Buffer;
  authorityKeyId?: Buffer;
  ca: boolean;
  pathLen?: number;
  /** undefined when the extension is absent (any usage allowed). */
  keyUsage?: Set<KeyUsageName>;
  /** undefined when the extension is absent. */
  extKeyUsage?: string[];
  unknownCritical: string[];
  fingerprintSha256: string;
}

type Pkijs = typeof import('pkijs');
type Asn1js = typeof import('asn1js');

export async function loadPkijs(): Promise<{ pkijs: Pkijs; asn1js: Asn1js }> {
  const [pkijs, asn1js] = await Promise.all([import('pkijs'), import('asn1js')]);
  return { pkijs, asn1js };
}

export function bufferOf(view: ArrayBuffer | ArrayBufferView): Buffer {
  if (ArrayBuffer.isView(view)) return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
  return Buffer.from(view);
}

/** A distinguished name as "CN=x, O=y" in encoded order. */
export function nameToString(rdn: InstanceType<Pkijs['RelativeDistinguishedNames']>): string {
  return rdn.typesAndValues
    .map((tv) => {
      const key = NAME_OIDS[tv.type] ?? tv.type;
      const value = (tv.value as { valueBlock?: { value?: unknown } }).valueBlock?.value;
      return `${key}=${typeof value === 'string' ? value : bufferOf(tv.value.valueBeforeDecodeView).toString('hex')}`;
    })
    .join(', ');
}

/** Parses a DER certificate into the view used by signing and path validation. */
export async function viewCertificate(der: Buffer): Promise<CertView> {
  const { pkijs } = await loadPkijs();
  let node: X509Certificate;
  let cert: InstanceType<Pkijs['Certificate']>;
  try {
    node = new X509Certificate(der);
    cert = pkijs.Certificate.fromBER(new Uint8Array(der));
  } catch (err) {
    throw inputError('CERT_INVALID', `not a readable X.509 certificate (${(err as Error).message})`);
  }
  const view: CertView = {
    der,
    node,
    subject: nameToString(cert.subject),
    issuer: nameToString(cert.issuer),
    subjectDer: bufferOf(cert.subject.valueBeforeDecode),
    issuerDer: bufferOf(cert.issuer.valueBeforeDecode),
    serialNumber: bufferOf(cert.serialNumber.valueBlock.valueHexView).toString('hex'),
    serialBytes: bufferOf(cert.serialNumber.valueBlock.valueHexView),
    notBefore: cert.notBefore.value,
    notAfter: cert.notAfter.value,
    spki: bufferOf(cert.subjectPublicKeyInfo.toSchema().toBER()),
    publicKey: node.publicKey,
    keyAlgorithm: describeKey(node.publicKey),
    ca: false,
    unknownCritical: [],
    fingerprintSha256: createHash('sha256').update(der).digest('hex'),
  };
  for (const ext of cert.extensions ?? []) {
    if (ext.critical && !UNDERSTOOD_EXTENSIONS.has(ext.extnID)) view.unknownCritical.push(ext.extnID);
    const parsed = ext.parsedValue as unknown;
    switch (ext.extnID) {
      case OID.basicConstraints: {
        const bc = parsed as InstanceType<Pkijs['BasicConstraints']>;
        view.ca = bc.cA === true;
        if (bc.pathLenConstraint !== undefined) {
          const p = bc.pathLenConstraint as unknown;
          view.pathLen = typeof p === 'number' ? p : (p as InstanceType<Asn1js['Integer']>).valueBlock.valueDec;
        }
        break;
      }
      case OID.keyUsage: {
        const bits = parsed as InstanceType<Asn1js['BitString']>;
        const bytes = bufferOf(bits.valueBlock.valueHexView);
        const usage = new Set<KeyUsageName>();
        KEY_USAGE_BITS.forEach((name, i) => {
          if (((bytes[i >> 3] ?? 0) >> (7 - (i & 7))) & 1) usage.add(name);
        });
        view.keyUsage = usage;
        break;
      }
      case OID.extKeyUsage:
        view.extKeyUsage = [...(parsed as InstanceType<Pkijs['ExtKeyUsage']>).keyPurposes];
        break;
      case OID.subjectKeyIdentifier:
        view.subjectKeyId = bufferOf((parsed as InstanceType<Asn1js['OctetString']>).valueBlock.valueHexView);
        break;
      case OID.authorityKeyIdentifier: {
        const aki = parsed as InstanceType<Pkijs['AuthorityKeyIdentifier']>;
        if (aki.keyIdentifier) view.authorityKeyId = bufferOf(aki.keyIdentifier.valueBlock.valueHexView);
        break;
      }
    }
  }
  return view;
}

export interface IssueOptions {
  /** "CN=Example, O=Org, C=US" */
  subject: string;
  /** The public key to certify. */
  publicKey: KeyObject;
  /** The key that signs the certificate (the subject's own for self-signed). */
  issuerKey: KeyObject;
  /** The issuer's certificate; absent = self-signed. */
  issuerCert?: CertView;
  notBefore: Date;
  notAfter: Date;
  ca?: boolean;
  pathLen?: number;
  /** Key usage bits; [] omits the extension. Default: digitalSignature (leaf) or keyCertSign+cRLSign (CA). */
  keyUsage?: KeyUsageName[];
  /** EKU OIDs; null omits the extension. Default: codeSigning for leaves, none for CAs. */
  extKeyUsage?: string[] | null;
  serial?: Buffer;
}

/** Parses "CN=a, O=b" (or "/CN=a/O=b") into name attributes. */
export function parseSubject(subject: string): Array<{ oid: string; value: string }> {
  const parts = subject.trim().startsWith('/') ? subject.trim().slice(1).split('/') : subject.split(/,(?=\s*[A-Za-z.0-9]+=)/);
  const out: Array<{ oid: string; value: string }> = [];
  for (const part of parts) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw inputError('SUBJECT_INVALID', `subject "${subject}": expected KEY=value pairs like "CN=My Name, O=My Org"`);
    const key = part.slice(0, eq).trim();
    const oid = NAME_KEYS[key.toUpperCase()] ?? (/^\d+(\.\d+)+$/.test(key) ? key : undefined);
    if (!oid) throw inputError('SUBJECT_INVALID', `subject "${subject}": unknown attribute "${key}" (use CN, O, OU, C, L, ST, emailAddress)`);
    out.push({ oid, value: part.slice(eq + 1).trim() });
  }
  return out;
}

/** Signature algorithm and hash to sign certificates and CMS with a given key. */
export function signatureAlgorithmFor(key: KeyObject): { oid: string; hash: string; nullParams: boolean } {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return { oid: OID.sha256WithRSA, hash: 'sha256', nullParams: true };
    case 'ec':
      return key.asymmetricKeyDetails?.namedCurve === 'secp384r1'
        ? { oid: OID.ecdsaSha384, hash: 'sha384', nullParams: false }
        : { oid: OID.ecdsaSha256, hash: 'sha256', nullParams: false };
    case 'ed25519':
      return { oid: OID.ed25519, hash: 'sha512', nullParams: false };
    default:
      throw inputError('KEY_UNSUPPORTED', `unsupported key type ${key.asymmetricKeyType ?? '?'} (use RSA or ECDSA P-256/P-384)`);
  }
}

function keyUsageBitString(asn1js: Asn1js, usage: KeyUsageName[]) {
  const bytes = new Uint8Array(2);
  let last = -1;
  for (const name of usage) {
    const i = KEY_USAGE_BITS.indexOf(name);
    bytes[i >> 3]! |= 0x80 >> (i & 7);
    last = Math.max(last, i);
  }
  const length = (last >> 3) + 1;
  return new asn1js.BitString({ valueHex: bytes.slice(0, length), unusedBits: length * 8 - 1 - last });
}

/**
 * Issues an X.509 v3 certificate: self-signed when `issuerCert` is absent. Used by
 * `mpak key generate` and by tests that need chains, expired or wrongly-scoped certificates.
 */
export async function issueCertificate(options: IssueOptions): Promise<Buffer> {
  const { pkijs, asn1js } = await loadPkijs();
  const alg = signatureAlgorithmFor(options.issuerKey);
  const algId = () =>
    new pkijs.AlgorithmIdentifier({ algorithmId: alg.oid, ...(alg.nullParams ? { algorithmParams: new asn1js.Null() } : {}) });
  // One attribute per RDN (SET), as openssl and every CA write names; pkijs would put all in one SET.
  const name = (attrs: Array<{ oid: string; value: string }>) =>
    pkijs.RelativeDistinguishedNames.fromBER(
      new asn1js.Sequence({
        value: attrs.map(
          (a) =>
            new asn1js.Set({
              value: [
                new pkijs.AttributeTypeAndValue({
                  type: a.oid,
                  value: a.oid === '2.5.4.6' ? new asn1js.PrintableString({ value: a.value }) : new asn1js.Utf8String({ value: a.value }),
                }).toSchema(),
              ],
            }),
        ),
      }).toBER(),
    );
  const subject = name(parseSubject(options.subject));
  const spkiDer = options.publicKey.export({ type: 'spki', format: 'der' });
  const spki = pkijs.PublicKeyInfo.fromBER(spkiDer);
  const ski = createHash('sha1').update(bufferOf(spki.subjectPublicKey.valueBlock.valueHexView)).digest();
  const serial = options.serial ?? randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x01; // positive, no leading zero byte

  const cert = new pkijs.Certificate();
  cert.version = 2;
  cert.serialNumber = new asn1js.Integer({ valueHex: serial });
  cert.signature = algId();
  cert.signatureAlgorithm = algId();
  cert.issuer = options.issuerCert ? pkijs.RelativeDistinguishedNames.fromBER(new Uint8Array(options.issuerCert.subjectDer)) : subject;
  cert.subject = subject;
  cert.notBefore = new pkijs.Time({ type: options.notBefore.getUTCFullYear() < 2050 ? 0 : 1, value: options.notBefore });
  cert.notAfter = new pkijs.Time({ type: options.notAfter.getUTCFullYear() < 2050 ? 0 : 1, value: options.notAfter });
  cert.subjectPublicKeyInfo = spki;

  const ca = options.ca ?? false;
  const extensions = [
    new pkijs.Extension({
      extnID: OID.basicConstraints,
      critical: true,
      extnValue: new pkijs.BasicConstraints({ cA: ca, ...(options.pathLen !== undefined ? { pathLenConstraint: options.pathLen } : {}) })
        .toSchema()
        .toBER(),
    }),
  ];
  const usage = options.keyUsage ?? (ca ? ['keyCertSign', 'cRLSign'] : ['digitalSignature']);
  if (usage.length > 0) {
    extensions.push(new pkijs.Extension({ extnID: OID.keyUsage, critical: true, extnValue: keyUsageBitString(asn1js, usage).toBER() }));
  }
  const eku = options.extKeyUsage === undefined ? (ca ? null : [OID.codeSigning]) : options.extKeyUsage;
  if (eku) {
    extensions.push(new pkijs.Extension({ extnID: OID.extKeyUsage, critical: false, extnValue: new pkijs.ExtKeyUsage({ keyPurposes: eku }).toSchema().toBER() }));
  }
  extensions.push(new pkijs.Extension({ extnID: OID.subjectKeyIdentifier, critical: false, extnValue: new asn1js.OctetString({ valueHex: ski }).toBER() }));
  const authorityKeyId = options.issuerCert ? options.issuerCert.subjectKeyId : ski;
  if (authorityKeyId) {
    extensions.push(
      new pkijs.Extension({
        extnID: OID.authorityKeyIdentifier,
        critical: false,
        extnValue: new pkijs.AuthorityKeyIdentifier({ keyIdentifier: new asn1js.OctetString({ valueHex: authorityKeyId }) }).toSchema().toBER(),
      }),
    );
  }
  cert.extensions = extensions;

  const tbs = Buffer.from(cert.encodeTBS().toBER());
  const signature = cryptoSign(alg.oid === OID.ed25519 ? null : alg.hash, tbs, options.issuerKey);
  cert.signatureValue = new asn1js.BitString({ valueHex: signature });
  return Buffer.from(cert.toSchema(true).toBER());
}

/** Public key of a private key, for checks such as "does this key match that certificate". */
export function publicKeyDer(key: KeyObject): Buffer {
  return createPublicKey(key).export({ type: 'spki', format: 'der' });
}
