import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signBundle, verifyBundle } from '../../src/sign/index.js';
import { tempDir } from '../helpers/cli.js';
import { party, writeBundle, type Party } from './helpers.js';

const DAY = 86_400_000;
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';

let dir: string;
let cleanup: () => Promise<void>;
let root: Party;
let intermediate: Party;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('mpak-chain-'));
  root = await party(dir, 'root', { ca: true, subject: 'CN=Test Root CA, O=mpak tests' });
  intermediate = await party(dir, 'intermediate', { ca: true, issuer: root, subject: 'CN=Test Code Signing CA, O=mpak tests' });
});
afterAll(() => cleanup());

async function signWith(leaf: Party, name: string, intermediates = [intermediate.certPath], now?: Date) {
  const { path } = await writeBundle(dir, `${name}.mcpb`);
  await signBundle({ file: path, key: leaf.keyPath, cert: leaf.certPath, intermediates, ...(now ? { now } : {}) });
  return path;
}

describe('certificate chains', () => {
  it('a leaf issued through an intermediate is trusted under the root, untrusted (unknown-root) without it', async () => {
    const leaf = await party(dir, 'leaf', { issuer: intermediate, rsa: true });
    const path = await signWith(leaf, 'chain');
    const trusted = await verifyBundle({ file: path, trust: [root.certPath] });
    expect(trusted.state).toBe('trusted');
    expect(trusted.chain?.map((c) => c.subject)).toEqual([leaf.cert.subject, intermediate.cert.subject, root.cert.subject]);
    const unknown = await verifyBundle({ file: path });
    expect(unknown).toMatchObject({ state: 'untrusted', problem: 'unknown-root' });
    const otherRoot = await party(dir, 'other-root', { ca: true });
    expect(await verifyBundle({ file: path, trust: [otherRoot.certPath] })).toMatchObject({ state: 'untrusted', problem: 'unknown-root' });
  });

  it('a missing intermediate leaves the chain broken (unknown-root), trusting the intermediate itself works', async () => {
    const leaf = await party(dir, 'leaf-noint', { issuer: intermediate });
    const path = await signWith(leaf, 'noint', []);
    expect(await verifyBundle({ file: path, trust: [root.certPath] })).toMatchObject({ state: 'untrusted', problem: 'unknown-root' });
    expect((await verifyBundle({ file: path, trust: [intermediate.certPath] })).state).toBe('trusted');
  });

  it('reports expired and not-yet-valid certificates at signing time distinctly', async () => {
    const now = new Date();
    const expired = await party(dir, 'expired', { issuer: intermediate, notBefore: new Date(now.getTime() - 30 * DAY), notAfter: new Date(now.getTime() - DAY) });
    const r1 = await verifyBundle({ file: await signWith(expired, 'expired'), trust: [root.certPath] });
    expect(r1).toMatchObject({ state: 'untrusted', problem: 'expired' });
    expect(r1.reason).toMatch(/had expired/);

    const future = await party(dir, 'future', { issuer: intermediate, notBefore: new Date(now.getTime() + DAY), notAfter: new Date(now.getTime() + 30 * DAY) });
    const r2 = await verifyBundle({ file: await signWith(future, 'future'), trust: [root.certPath] });
    expect(r2).toMatchObject({ state: 'untrusted', problem: 'not-yet-valid' });

    // Signed while valid, checked after expiry: still trusted (validity is judged at signingTime), with a warning.
    const later = new Date(now.getTime() + 400 * DAY);
    const leaf = await party(dir, 'valid-then', { issuer: intermediate });
    const r3 = await verifyBundle({ file: await signWith(leaf, 'valid-then'), trust: [root.certPath], now: later });
    expect(r3.state).toBe('trusted');
    expect(r3.warnings.join()).toMatch(/expired since signing/);

    const expiredCa = await party(dir, 'expired-ca', { ca: true, issuer: root, notBefore: new Date(now.getTime() - 30 * DAY), notAfter: new Date(now.getTime() - DAY) });
    const underExpired = await party(dir, 'under-expired', { issuer: expiredCa });
    const r4 = await verifyBundle({ file: await signWith(underExpired, 'under-expired', [expiredCa.certPath]), trust: [root.certPath] });
    expect(r4).toMatchObject({ state: 'untrusted', problem: 'expired' });
    expect(r4.reason).toMatch(/issuing certificate/);
  });

  it('reports wrong key usage: a server-auth EKU, or no digitalSignature bit', async () => {
    const tls = await party(dir, 'tls', { issuer: intermediate, extKeyUsage: [SERVER_AUTH] });
    const r1 = await verifyBundle({ file: await signWith(tls, 'tls'), trust: [root.certPath] });
    expect(r1).toMatchObject({ state: 'untrusted', problem: 'wrong-key-usage' });
    expect(r1.reason).toMatch(/extended key usage/);

    const encipher = await party(dir, 'encipher', { issuer: intermediate, keyUsage: ['keyEncipherment'] });
    expect(await verifyBundle({ file: await signWith(encipher, 'encipher'), trust: [root.certPath] })).toMatchObject({
      state: 'untrusted',
      problem: 'wrong-key-usage',
    });

    const selfTls = await party(dir, 'self-tls', { extKeyUsage: [SERVER_AUTH] });
    expect(await verifyBundle({ file: await signWith(selfTls, 'self-tls', []) })).toMatchObject({ state: 'untrusted', problem: 'wrong-key-usage' });
  });

  it('accepts an absent EKU and anyExtendedKeyUsage', async () => {
    const noEku = await party(dir, 'no-eku', { issuer: intermediate, extKeyUsage: null });
    expect((await verifyBundle({ file: await signWith(noEku, 'no-eku'), trust: [root.certPath] })).state).toBe('trusted');
    const any = await party(dir, 'any-eku', { issuer: intermediate, extKeyUsage: ['2.5.29.37.0'] });
    expect((await verifyBundle({ file: await signWith(any, 'any-eku'), trust: [root.certPath] })).state).toBe('trusted');
  });

  it('rejects an issuer that is not a CA, and a path-length violation', async () => {
    const notCa = await party(dir, 'not-ca', { issuer: root, ca: false, keyUsage: ['digitalSignature', 'keyCertSign'] });
    const leaf = await party(dir, 'under-not-ca', { issuer: notCa });
    expect(await verifyBundle({ file: await signWith(leaf, 'not-ca', [notCa.certPath]), trust: [root.certPath] })).toMatchObject({
      state: 'untrusted',
      problem: 'not-a-ca',
    });

    const strictRoot = await party(dir, 'strict-root', { ca: true, pathLen: 0 });
    const mid = await party(dir, 'strict-mid', { ca: true, issuer: strictRoot });
    const deep = await party(dir, 'deep', { issuer: mid });
    expect(await verifyBundle({ file: await signWith(deep, 'deep', [mid.certPath]), trust: [strictRoot.certPath] })).toMatchObject({
      state: 'untrusted',
      problem: 'path-length',
    });
  });

  it('does not call a certificate self-signed because the names match: the key must verify it', async () => {
    // Same subject and issuer DN as its (different-key) issuer: "self-issued" but not self-signed.
    const twin = await party(dir, 'twin-ca', { ca: true, subject: 'CN=Twin, O=mpak tests' });
    const leaf = await party(dir, 'twin-leaf', { issuer: twin, subject: 'CN=Twin, O=mpak tests' });
    const r = await verifyBundle({ file: await signWith(leaf, 'twin', []) });
    expect(r).toMatchObject({ state: 'untrusted', problem: 'unknown-root' });
  });

  it('orders certificates signer-first with intermediates in the given order', async () => {
    const leaf = await party(dir, 'order', { issuer: intermediate });
    const path = await signWith(leaf, 'order', [intermediate.certPath, root.certPath]);
    const { readFile } = await import('node:fs/promises');
    const { parseSignedData } = await import('../../src/sign/cms.js');
    const { splitSigned } = await import('./helpers.js');
    const cms = await parseSignedData(splitSigned(await readFile(path)).der);
    expect(cms.certificates).toEqual([leaf.cert.der, intermediate.cert.der, root.cert.der]);
    expect(cms.version).toBe(1);
    expect(cms.signer.version).toBe(1);
    expect(cms.signer.sid.kind).toBe('issuerAndSerialNumber');
    expect(cms.hasEContent).toBe(false);
    expect((await verifyBundle({ file: path, trust: [join(dir, 'root.cert.pem')] })).state).toBe('trusted');
  });
});
