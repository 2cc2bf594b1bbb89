import { generateKeyPairSync } from 'node:crypto';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attestBundle, generateKeys, verifyAttestation } from '../../src/sign/index.js';
import { pae } from '../../src/sign/attest.js';
import { sha256File } from '../../src/util/hash.js';
import { tempDir } from '../helpers/cli.js';
import { party, writeBundle } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
let edKey: string;
let edPub: string;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('mpak-attest-'));
  const g = await generateKeys({ kind: 'index', out: join(dir, 'keys') });
  edKey = g.files[0]!.path;
  edPub = g.files[1]!.path;
});
afterAll(() => cleanup());

const GITHUB_ENV = {
  GITHUB_REPOSITORY: 'acme/weather-server',
  GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
  GITHUB_WORKFLOW_REF: 'acme/weather-server/.github/workflows/release.yml@refs/tags/v1.0.0',
  GITHUB_SERVER_URL: 'https://github.com',
  GITHUB_RUN_ID: '4242',
  GITHUB_REF: 'refs/tags/v1.0.0',
};

describe('provenance attestations', () => {
  it('writes an in-toto v1 statement with SLSA v1 provenance from GitHub Actions variables, in a DSSE envelope', async () => {
    const { path } = await writeBundle(dir, 'gh.mcpb');
    const r = await attestBundle({ file: path, key: edKey, env: GITHUB_ENV });
    expect(r.output).toBe(`${path}.intoto.jsonl`);
    expect(r.builderId).toBe('https://github.com/acme/weather-server/.github/workflows/release.yml@refs/tags/v1.0.0');
    const lines = (await readFile(r.output, 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(1);
    const envelope = JSON.parse(lines[0]!);
    expect(envelope.payloadType).toBe('application/vnd.in-toto+json');
    const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8'));
    expect(statement._type).toBe('https://in-toto.io/Statement/v1');
    expect(statement.subject).toEqual([{ name: 'gh.mcpb', digest: { sha256: (await sha256File(path)).sha256 } }]);
    expect(statement.predicateType).toBe('https://slsa.dev/provenance/v1');
    expect(statement.predicate.buildDefinition.externalParameters.workflow).toEqual({
      ref: 'refs/tags/v1.0.0',
      repository: 'https://github.com/acme/weather-server',
      path: '.github/workflows/release.yml',
    });
    expect(statement.predicate.buildDefinition.resolvedDependencies[0]).toEqual({
      uri: 'git+https://github.com/acme/weather-server@refs/tags/v1.0.0',
      digest: { gitCommit: GITHUB_ENV.GITHUB_SHA },
    });
    expect(statement.predicate.runDetails.metadata.invocationId).toBe('https://github.com/acme/weather-server/actions/runs/4242/attempts/1');

    const v = await verifyAttestation({ file: path, trust: [edPub] });
    expect(v).toMatchObject({
      state: 'verified',
      subjectMatches: true,
      signatureVerified: true,
      source: { repository: 'https://github.com/acme/weather-server', commit: GITHUB_ENV.GITHUB_SHA },
    });
  });

  it('flags override the environment; without a trust key the result is unverified, never verified', async () => {
    const { path } = await writeBundle(dir, 'flags.mcpb');
    const r = await attestBundle({ file: path, key: edKey, env: GITHUB_ENV, builderId: 'https://ci.example/builder', sourceRepo: 'https://git.example/x', sourceCommit: 'abc123' });
    expect(r).toMatchObject({ builderId: 'https://ci.example/builder', source: { repository: 'https://git.example/x', commit: 'abc123' } });
    const v = await verifyAttestation({ file: path });
    expect(v).toMatchObject({ state: 'unverified', subjectMatches: true, signatureVerified: false, builderId: 'https://ci.example/builder' });
  });

  it('a changed bundle, a wrong key or an altered payload is invalid', async () => {
    const { path } = await writeBundle(dir, 'tamper.mcpb');
    const r = await attestBundle({ file: path, key: edKey, env: {} });
    expect(r.builderId).toBe('urn:mpak:builder:local');

    const other = join(dir, 'other.pub.pem');
    await writeFile(other, generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }));
    expect(await verifyAttestation({ file: path, trust: [other] })).toMatchObject({ state: 'invalid', subjectMatches: true, signatureVerified: false });

    const envelope = JSON.parse(await readFile(r.output, 'utf8'));
    const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8'));
    statement.predicate.runDetails.builder.id = 'https://attacker.example/builder';
    envelope.payload = Buffer.from(JSON.stringify(statement)).toString('base64');
    const forged = join(dir, 'forged.intoto.jsonl');
    await writeFile(forged, `${JSON.stringify(envelope)}\n`);
    expect(await verifyAttestation({ file: path, attestation: forged, trust: [edPub] })).toMatchObject({ state: 'invalid', signatureVerified: false });

    await appendFile(path, 'x');
    const changed = await verifyAttestation({ file: path, trust: [edPub] });
    expect(changed).toMatchObject({ state: 'invalid', subjectMatches: false });
  });

  it('signs with ECDSA and RSA keys; a certificate for the key works as the trust anchor', async () => {
    for (const rsa of [false, true]) {
      const p = await party(dir, rsa ? 'att-rsa' : 'att-ec', { rsa });
      const { path } = await writeBundle(dir, `k-${rsa}.mcpb`);
      await attestBundle({ file: path, key: p.keyPath, env: {} });
      expect((await verifyAttestation({ file: path, trust: [p.certPath] })).state).toBe('verified');
    }
  });

  it('uses the DSSE v1 pre-authentication encoding', () => {
    expect(pae('application/vnd.in-toto+json', Buffer.from('{}')).toString()).toBe('DSSEv1 28 application/vnd.in-toto+json 2 {}');
  });
});
