import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import yauzl from 'yauzl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyIdOf } from '../../src/sign/index-keys.js';
import { generateKeys, signBundle, unsignBundle, verifyBundle, summarizeSignature } from '../../src/sign/index.js';
import { tempDir } from '../helpers/cli.js';
import { eocdOffset, party, splitSigned, writeBundle, type Party } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
let rsa: { key: string; cert: string };
let ec: Party;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('mpak-sign-'));
  const g = await generateKeys({ kind: 'bundle', algorithm: 'rsa-2048', out: join(dir, 'keys'), subject: 'CN=Round Trip, O=mpak tests' });
  rsa = { key: g.files[0]!.path, cert: g.files[1]!.path };
  ec = await party(dir, 'ec-signer');
});
afterAll(() => cleanup());

function readEntry(path: string, name: string): Promise<string> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, strictFileNames: true, validateEntrySizes: true }, (err, zip) => {
      if (err) return reject(err);
      zip.readEntry();
      zip.on('entry', (entry: yauzl.Entry) => {
        if (entry.fileName !== name) return zip.readEntry();
        zip.openReadStream(entry, (e, stream) => {
          if (e) return reject(e);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            zip.close();
            resolve(Buffer.concat(chunks).toString('utf8'));
          });
        });
      });
      zip.on('end', () => reject(new Error(`${name} not found`)));
      zip.on('error', reject);
    });
  });
}

describe('generateKeys', () => {
  it('writes a PKCS#8 key and a code-signing certificate with mode 0600, and refuses to overwrite', async () => {
    const out = join(dir, 'gen');
    const r = await generateKeys({ kind: 'bundle', algorithm: 'ecdsa-p384', out, subject: 'CN=Gen Test' });
    expect(r.files.map((f) => f.role)).toEqual(['private-key', 'certificate']);
    for (const f of r.files) expect((await stat(f.path)).mode & 0o777).toBe(0o600);
    expect(await readFile(r.files[0]!.path, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    const { viewCertificate } = await import('../../src/sign/certs.js');
    const { parseCertificates } = await import('../../src/sign/keys.js');
    const cert = await viewCertificate(parseCertificates(await readFile(r.files[1]!.path))[0]!);
    expect(cert.subject).toBe('CN=Gen Test');
    expect(cert.keyUsage && [...cert.keyUsage]).toEqual(['digitalSignature']);
    expect(cert.extKeyUsage).toEqual(['1.3.6.1.5.5.7.3.3']);
    expect(cert.fingerprintSha256).toBe(r.fingerprint);
    await expect(generateKeys({ kind: 'bundle', out })).rejects.toMatchObject({ code: 'KEY_EXISTS', exitCode: 2 });
    const again = await generateKeys({ kind: 'bundle', algorithm: 'ecdsa-p256', out, force: true });
    expect(again.fingerprint).not.toBe(r.fingerprint);
  });

  it('defaults to RSA-4096 for bundle keys', async () => {
    const r = await generateKeys({ kind: 'bundle', out: join(dir, 'gen-default') });
    expect(r.algorithm).toBe('rsa-4096');
    const { loadPrivateKey } = await import('../../src/sign/keys.js');
    expect((await loadPrivateKey(r.files[0]!.path)).asymmetricKeyDetails?.modulusLength).toBe(4096);
  });

  it('creates Ed25519 index keys whose fingerprint is the registry key id', async () => {
    const r = await generateKeys({ kind: 'index', out: join(dir, 'gen-index') });
    expect(r.algorithm).toBe('ed25519');
    expect(r.fingerprint).toBe(keyIdOf(await readFile(r.files[1]!.path, 'utf8')));
    for (const f of r.files) expect((await stat(f.path)).mode & 0o777).toBe(0o600);
  });
});

describe('sign and verify', () => {
  it('round-trips: self-signed without anchors, trusted with --trust, variant B readable by yauzl', async () => {
    const { path, bytes } = await writeBundle(dir, 'rt.mcpb');
    const s = await signBundle({ file: path, key: rsa.key, cert: rsa.cert });
    expect(s.variant).toBe('B');
    expect(s.signer.subject).toBe('CN=Round Trip, O=mpak tests');
    expect(s.replaced).toBe(false);
    const signed = await readFile(path);
    const { z, trailerLength } = splitSigned(signed);
    expect(z.subarray(0, eocdOffset(z) + 20)).toEqual(bytes.subarray(0, eocdOffset(bytes) + 20));
    expect(z.readUInt16LE(eocdOffset(z) + 20)).toBe(trailerLength);
    expect(s.trailerLength).toBe(trailerLength);

    const self = await verifyBundle({ file: path });
    expect(self.state).toBe('self-signed');
    expect(self.accepted).toBe(false);
    expect((await verifyBundle({ file: path, allowUntrusted: true })).accepted).toBe(true);
    expect(self.variant).toBe('B');
    expect(self.signer?.fingerprintSha256).toBe(s.signer.fingerprintSha256);
    expect(self.signatureAlgorithm).toBe('rsa-pkcs1-sha256');
    expect(summarizeSignature(self)).toEqual({ status: 'self-signed', signer: 'CN=Round Trip, O=mpak tests', fingerprint: s.signer.fingerprintSha256 });

    const trusted = await verifyBundle({ file: path, trust: [rsa.cert] });
    expect(trusted.state).toBe('trusted');
    expect(trusted.accepted).toBe(true);
    expect(trusted.trustAnchor).toBe(rsa.cert);
    expect(await readEntry(path, 'manifest.json')).toContain('"sign-test"');
  });

  it('takes trust anchors from a public key file and from the trust store directory', async () => {
    const { path } = await writeBundle(dir, 'anchors.mcpb');
    await signBundle({ file: path, key: ec.keyPath, cert: ec.certPath });
    const pub = join(dir, 'ec-signer.pub.pem');
    const { createPublicKey } = await import('node:crypto');
    await writeFile(pub, createPublicKey(ec.key).export({ type: 'spki', format: 'pem' }));
    expect((await verifyBundle({ file: path, trust: [pub] })).state).toBe('trusted');
    const store = join(dir, 'store');
    const { mkdir, copyFile } = await import('node:fs/promises');
    await mkdir(store);
    expect((await verifyBundle({ file: path, trustStoreDir: store })).state).toBe('self-signed');
    await copyFile(ec.certPath, join(store, 'publisher.pem'));
    expect((await verifyBundle({ file: path, trustStoreDir: store })).state).toBe('trusted');
  });

  it('signs with ECDSA P-256 (ecdsa-with-SHA256)', async () => {
    const { path } = await writeBundle(dir, 'ec.mcpb');
    await signBundle({ file: path, key: ec.keyPath, cert: ec.certPath });
    const r = await verifyBundle({ file: path, trust: [ec.certPath] });
    expect(r.state).toBe('trusted');
    expect(r.signatureAlgorithm).toBe('ecdsa-sha256');
    expect(r.signer?.keyAlgorithm).toBe('ecdsa-p256');
  });

  it('re-signing replaces the signature instead of stacking', async () => {
    const { path, bytes } = await writeBundle(dir, 'resign.mcpb');
    await signBundle({ file: path, key: rsa.key, cert: rsa.cert });
    const s2 = await signBundle({ file: path, key: ec.keyPath, cert: ec.certPath });
    expect(s2.replaced).toBe(true);
    const signed = await readFile(path);
    expect(signed.toString('latin1').split('MCPB_SIG_V1').length).toBe(2);
    expect(splitSigned(signed).z.length).toBe(bytes.length);
    const r = await verifyBundle({ file: path, trust: [ec.certPath] });
    expect(r.state).toBe('trusted');
    expect(r.warnings).toEqual([]);
  });

  it('unsign restores the exact unsigned bytes; an unsigned bundle is left unchanged', async () => {
    const { path, bytes } = await writeBundle(dir, 'unsign.mcpb');
    const before = await unsignBundle({ file: path });
    expect(before).toMatchObject({ changed: false, removed: 0 });
    expect(before.message).toMatch(/not signed/);
    expect(await readFile(path)).toEqual(bytes);
    await signBundle({ file: path, key: rsa.key, cert: rsa.cert });
    const out = join(dir, 'unsigned-copy.mcpb');
    const r = await unsignBundle({ file: path, output: out });
    expect(r).toMatchObject({ changed: true, removed: 1 });
    expect(await readFile(out)).toEqual(bytes);
    await unsignBundle({ file: path });
    expect(await readFile(path)).toEqual(bytes);
    expect((await verifyBundle({ file: path })).state).toBe('unsigned');
  });

  it('keeps a pre-existing ZIP comment (d > 0) through sign, verify and unsign', async () => {
    const { path, bytes } = await writeBundle(dir, 'comment.mcpb', Buffer.from('built by a test'));
    const s = await signBundle({ file: path, key: ec.keyPath, cert: ec.certPath });
    const signed = await readFile(path);
    const { z } = splitSigned(signed);
    expect(z.readUInt16LE(eocdOffset(z) + 20)).toBe(15 + s.trailerLength);
    expect((await verifyBundle({ file: path, trust: [ec.certPath] })).state).toBe('trusted');
    expect(await readEntry(path, 'manifest.json')).toContain('sign-test');
    await unsignBundle({ file: path });
    expect(await readFile(path)).toEqual(bytes);
  });

  it('accepts DER keys and certificates, PKCS#1 and SEC1', async () => {
    const { path } = await writeBundle(dir, 'der.mcpb');
    const { loadPrivateKey, loadCertificates } = await import('../../src/sign/keys.js');
    const key = await loadPrivateKey(rsa.key);
    const pkcs1 = join(dir, 'rsa.pkcs1.der');
    const certDer = join(dir, 'rsa.cert.der');
    await writeFile(pkcs1, key.export({ type: 'pkcs1', format: 'der' }));
    await writeFile(certDer, (await loadCertificates(rsa.cert))[0]!);
    await signBundle({ file: path, key: pkcs1, cert: certDer });
    expect((await verifyBundle({ file: path, trust: [certDer] })).state).toBe('trusted');
    const sec1 = join(dir, 'ec.sec1.pem');
    await writeFile(sec1, ec.key.export({ type: 'sec1', format: 'pem' }));
    await signBundle({ file: path, key: sec1, cert: ec.certPath });
    expect((await verifyBundle({ file: path, trust: [ec.certPath] })).state).toBe('trusted');
  });

  it('refuses a key that does not match the certificate, and Ed25519 keys', async () => {
    const { path, bytes } = await writeBundle(dir, 'mismatch.mcpb');
    await expect(signBundle({ file: path, key: ec.keyPath, cert: rsa.cert })).rejects.toMatchObject({ code: 'KEY_CERT_MISMATCH' });
    const ed = join(dir, 'ed.pem');
    await writeFile(ed, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }));
    await expect(signBundle({ file: path, key: ed, cert: rsa.cert })).rejects.toMatchObject({ code: 'KEY_UNSUPPORTED' });
    expect(await readFile(path)).toEqual(bytes);
  });

  it('refuses a file that is not a ZIP', async () => {
    const path = join(dir, 'not-a-zip.mcpb');
    await writeFile(path, 'hello');
    await expect(signBundle({ file: path, key: ec.keyPath, cert: ec.certPath })).rejects.toMatchObject({ code: 'ARCHIVE_CORRUPT', exitCode: 2 });
    expect((await verifyBundle({ file: path })).state).toBe('unsigned');
  });

  it('refuses a chain that would push the ZIP comment past 65,535 bytes, leaving the file untouched', async () => {
    const { path, bytes } = await writeBundle(dir, 'oversize.mcpb');
    const intermediates = Array.from({ length: 200 }, () => ec.certPath);
    await expect(signBundle({ file: path, key: rsa.key, cert: rsa.cert, intermediates })).rejects.toMatchObject({ code: 'SIGNATURE_TOO_LARGE', exitCode: 2 });
    expect(await readFile(path)).toEqual(bytes);
  });

  it('refuses certificates containing the ZIP end-of-directory marker 50 4B 05 06', async () => {
    const marked = await party(dir, 'marked', { subject: 'CN=PK\u0005\u0006 signer' });
    expect(marked.cert.der.includes(Buffer.from([0x50, 0x4b, 0x05, 0x06]))).toBe(true);
    const { path } = await writeBundle(dir, 'marked.mcpb');
    await expect(signBundle({ file: path, key: marked.keyPath, cert: marked.certPath })).rejects.toMatchObject({ code: 'SIGNATURE_UNSAFE' });
  });

  it('refuses encrypted private keys with a way out', async () => {
    const enc = join(dir, 'enc.pem');
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await writeFile(enc, privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'test-only' }));
    const { path } = await writeBundle(dir, 'enc.mcpb');
    await expect(signBundle({ file: path, key: enc, cert: ec.certPath })).rejects.toMatchObject({ code: 'KEY_ENCRYPTED' });
  });
});
