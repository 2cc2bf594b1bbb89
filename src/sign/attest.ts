import { createHash, createPublicKey, constants, sign as cryptoSign, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { fromFsError, inputError } from '../errors.js';
import { writeFileAtomic } from '../util/fs-atomic.js';
import { sha256File } from '../util/hash.js';
import { viewCertificate } from './certs.js';
import { keyIdOf } from './index-keys.js';
import { describeKey, loadPrivateKey, loadTrustAnchors } from './keys.js';

/**
 * Build provenance for a bundle: an in-toto Statement v1 whose predicate is SLSA Provenance v1,
 * wrapped in a DSSE envelope signed over the pre-authentication encoding, one JSON line in
 * `<bundle>.intoto.jsonl`. Values come from flags or, in GitHub Actions, from the environment the
 * caller passes in.
 */

export const IN_TOTO_STATEMENT = 'https://in-toto.io/Statement/v1';
export const SLSA_PROVENANCE = 'https://slsa.dev/provenance/v1';
export const DSSE_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
const GITHUB_BUILD_TYPE = 'https://actions.github.io/buildtypes/workflow/v1';
const LOCAL_BUILD_TYPE = 'urn:mpak:buildtype:bundle:v1';
const LOCAL_BUILDER = 'urn:mpak:builder:local';

export interface DsseEnvelope {
  payloadType: string;
  payload: string;
  signatures: Array<{ keyid: string; sig: string }>;
}

export interface AttestOptions {
  file: string;
  key: string;
  /** Default `<file>.intoto.jsonl`. */
  output?: string;
  builderId?: string;
  buildType?: string;
  sourceRepo?: string;
  sourceCommit?: string;
  /** Environment to read GitHub Actions variables from (the command passes process.env). */
  env?: Record<string, string | undefined>;
  now?: Date;
}

export interface AttestResult {
  file: string;
  output: string;
  sha256: string;
  keyid: string;
  keyAlgorithm: string;
  builderId: string;
  buildType: string;
  source?: { repository?: string; commit?: string };
}

/** DSSE pre-authentication encoding: "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body. */
export function pae(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `), type, Buffer.from(` ${payload.length} `), payload]);
}

/** Key id: the Ed25519 index-key id for Ed25519, else SHA-256 of the SPKI DER. */
export function attestationKeyId(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  if (pub.asymmetricKeyType === 'ed25519') return keyIdOf(pub);
  return createHash('sha256').update(pub.export({ type: 'spki', format: 'der' })).digest('hex');
}

function signPae(data: Buffer, key: KeyObject): Buffer {
  switch (key.asymmetricKeyType) {
    case 'ed25519':
      return cryptoSign(null, data, key);
    case 'ec':
      return cryptoSign(key.asymmetricKeyDetails?.namedCurve === 'secp384r1' ? 'sha384' : 'sha256', data, key);
    case 'rsa':
      return cryptoSign('sha256', data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST });
    default:
      throw inputError('KEY_UNSUPPORTED', `attestation keys must be Ed25519, ECDSA or RSA, got ${key.asymmetricKeyType ?? 'unknown'}`);
  }
}

function verifyPae(data: Buffer, key: KeyObject, sig: Buffer): boolean {
  try {
    switch (key.asymmetricKeyType) {
      case 'ed25519':
        return cryptoVerify(null, data, key, sig);
      case 'ec':
        return cryptoVerify(key.asymmetricKeyDetails?.namedCurve === 'secp384r1' ? 'sha384' : 'sha256', data, key, sig);
      case 'rsa':
        return (
          cryptoVerify('sha256', data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO }, sig) ||
          cryptoVerify('sha256', data, { key, padding: constants.RSA_PKCS1_PADDING }, sig)
        );
      default:
        return false;
    }
  } catch {
    return false;
  }
}

/** Builds the provenance statement from flags first, GitHub Actions variables second. */
export function provenanceStatement(options: Omit<AttestOptions, 'key' | 'output'> & { sha256: string; name: string }) {
  const env = options.env ?? {};
  const server = env.GITHUB_SERVER_URL || 'https://github.com';
  const inActions = Boolean(env.GITHUB_WORKFLOW_REF && env.GITHUB_REPOSITORY);
  const repository = options.sourceRepo ?? (env.GITHUB_REPOSITORY ? `${server}/${env.GITHUB_REPOSITORY}` : undefined);
  const commit = options.sourceCommit ?? env.GITHUB_SHA;
  const builderId = options.builderId ?? (inActions ? `${server}/${env.GITHUB_WORKFLOW_REF}` : LOCAL_BUILDER);
  const buildType = options.buildType ?? (inActions ? GITHUB_BUILD_TYPE : LOCAL_BUILD_TYPE);
  const workflowRef = env.GITHUB_WORKFLOW_REF;
  const externalParameters: Record<string, unknown> = {};
  if (inActions && workflowRef) {
    const [path, ref] = workflowRef.replace(`${env.GITHUB_REPOSITORY}/`, '').split('@');
    externalParameters.workflow = { ref, repository: `${server}/${env.GITHUB_REPOSITORY}`, path };
  }
  if (repository || commit) externalParameters.source = { ...(repository ? { repository } : {}), ...(commit ? { commit } : {}) };
  const resolvedDependencies =
    repository && commit ? [{ uri: `git+${repository}${env.GITHUB_REF ? `@${env.GITHUB_REF}` : ''}`, digest: { gitCommit: commit } }] : [];
  const metadata: Record<string, unknown> = {};
  if (env.GITHUB_RUN_ID && env.GITHUB_REPOSITORY) {
    metadata.invocationId = `${server}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}/attempts/${env.GITHUB_RUN_ATTEMPT || '1'}`;
  }
  if (options.now) metadata.startedOn = options.now.toISOString();
  return {
    statement: {
      _type: IN_TOTO_STATEMENT,
      subject: [{ name: options.name, digest: { sha256: options.sha256 } }],
      predicateType: SLSA_PROVENANCE,
      predicate: {
        buildDefinition: { buildType, externalParameters, internalParameters: {}, resolvedDependencies },
        runDetails: { builder: { id: builderId }, metadata },
      },
    },
    builderId,
    buildType,
    ...(repository || commit ? { source: { ...(repository ? { repository } : {}), ...(commit ? { commit } : {}) } } : {}),
  };
}

/**
 * Writes `<bundle>.intoto.jsonl`: a DSSE envelope over an in-toto/SLSA v1 provenance statement
 * for the bundle file as distributed (its SHA-256), signed by an Ed25519, ECDSA or RSA key.
 */
export async function attestBundle(options: AttestOptions): Promise<AttestResult> {
  const key = await loadPrivateKey(options.key);
  let digest: string;
  try {
    digest = (await sha256File(options.file)).sha256;
  } catch (err) {
    throw fromFsError(err, 'bundle');
  }
  const built = provenanceStatement({ ...options, sha256: digest, name: basename(options.file), now: options.now ?? new Date() });
  const payload = Buffer.from(JSON.stringify(built.statement), 'utf8');
  const keyid = attestationKeyId(key);
  const envelope: DsseEnvelope = {
    payloadType: DSSE_PAYLOAD_TYPE,
    payload: payload.toString('base64'),
    signatures: [{ keyid, sig: signPae(pae(DSSE_PAYLOAD_TYPE, payload), key).toString('base64') }],
  };
  const output = options.output ?? `${options.file}.intoto.jsonl`;
  await writeFileAtomic(output, `${JSON.stringify(envelope)}\n`);
  return {
    file: options.file,
    output,
    sha256: digest,
    keyid,
    keyAlgorithm: describeKey(key),
    builderId: built.builderId,
    buildType: built.buildType,
    ...(built.source ? { source: built.source } : {}),
  };
}

export interface VerifyAttestationOptions {
  file: string;
  /** Default `<file>.intoto.jsonl`. */
  attestation?: string;
  /** Keys or certificates allowed to sign the attestation. Without them the signature is `unverified`. */
  trust?: string[];
}

export interface AttestationResult {
  file: string;
  attestation: string;
  /** verified: signed by a trusted key and about this bundle; unverified: no key to check with; invalid: anything wrong. */
  state: 'verified' | 'unverified' | 'invalid';
  reason: string;
  subjectMatches: boolean;
  signatureVerified: boolean;
  keyid?: string;
  builderId?: string;
  buildType?: string;
  source?: { repository?: string; commit?: string };
}

async function trustedKeys(paths: string[]): Promise<KeyObject[]> {
  const keys: KeyObject[] = [];
  for (const p of paths) {
    for (const a of await loadTrustAnchors(p)) {
      keys.push(a.kind === 'key' ? createPublicKey({ key: a.spki, format: 'der', type: 'spki' }) : (await viewCertificate(a.der)).publicKey);
    }
  }
  return keys;
}

/**
 * Checks an attestation: DSSE structure and payload type, the signature against `trust` keys
 * (PAE), the statement and predicate types, and that a subject's sha256 is the bundle's.
 */
export async function verifyAttestation(options: VerifyAttestationOptions): Promise<AttestationResult> {
  const attestation = options.attestation ?? `${options.file}.intoto.jsonl`;
  let text: string;
  try {
    text = await readFile(attestation, 'utf8');
  } catch (err) {
    throw fromFsError(err, 'attestation');
  }
  const base = { file: options.file, attestation, subjectMatches: false, signatureVerified: false };
  const invalid = (reason: string, extra: Partial<AttestationResult> = {}): AttestationResult => ({ ...base, ...extra, state: 'invalid', reason });
  const line = text.split('\n').find((l) => l.trim().length > 0);
  if (!line) return invalid('the attestation file is empty');
  let envelope: DsseEnvelope;
  try {
    envelope = JSON.parse(line) as DsseEnvelope;
  } catch {
    return invalid('the attestation is not JSON');
  }
  if (!envelope || envelope.payloadType !== DSSE_PAYLOAD_TYPE || typeof envelope.payload !== 'string' || !Array.isArray(envelope.signatures)) {
    return invalid(`not a DSSE envelope with payloadType ${DSSE_PAYLOAD_TYPE}`);
  }
  const payload = Buffer.from(envelope.payload, 'base64');
  let statement: any;
  try {
    statement = JSON.parse(payload.toString('utf8'));
  } catch {
    return invalid('the DSSE payload is not JSON');
  }
  const builderId = statement?.predicate?.runDetails?.builder?.id;
  const buildType = statement?.predicate?.buildDefinition?.buildType;
  const src = statement?.predicate?.buildDefinition?.externalParameters?.source;
  const info: Partial<AttestationResult> = {
    ...(typeof builderId === 'string' ? { builderId } : {}),
    ...(typeof buildType === 'string' ? { buildType } : {}),
    ...(src && typeof src === 'object' ? { source: { repository: src.repository, commit: src.commit } } : {}),
    ...(envelope.signatures[0]?.keyid ? { keyid: envelope.signatures[0].keyid } : {}),
  };
  if (statement?._type !== IN_TOTO_STATEMENT) return invalid(`the statement type is ${statement?._type}, not ${IN_TOTO_STATEMENT}`, info);
  if (statement.predicateType !== SLSA_PROVENANCE) return invalid(`the predicate type is ${statement.predicateType}, not ${SLSA_PROVENANCE}`, info);

  let digest: string;
  try {
    digest = (await sha256File(options.file)).sha256;
  } catch (err) {
    throw fromFsError(err, 'bundle');
  }
  const subjects: Array<{ digest?: { sha256?: string } }> = Array.isArray(statement.subject) ? statement.subject : [];
  const subjectMatches = subjects.some((s) => s?.digest?.sha256?.toLowerCase() === digest);
  if (!subjectMatches) return invalid(`no subject of the statement has the bundle's sha256 ${digest}`, info);

  const keys = await trustedKeys(options.trust ?? []);
  const data = pae(envelope.payloadType, payload);
  const signatureVerified = envelope.signatures.some(
    (s) => typeof s?.sig === 'string' && keys.some((k) => verifyPae(data, k, Buffer.from(s.sig, 'base64'))),
  );
  const result = { ...base, ...info, subjectMatches };
  if (keys.length === 0) {
    return { ...result, state: 'unverified', reason: 'the subject matches the bundle, but no --trust key was given to check the signature' };
  }
  if (!signatureVerified) return { ...result, state: 'invalid', reason: 'the envelope signature does not verify under any trusted key' };
  return { ...result, signatureVerified, state: 'verified', reason: `signed by a trusted key; built by ${builderId ?? 'an unnamed builder'}` };
}
