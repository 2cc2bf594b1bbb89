import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import yauzl from 'yauzl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signBundle, unsignBundle, verifyBundle } from '../../src/sign/index.js';
import { repoRoot, tempDir } from '../helpers/cli.js';
import { eocdOffset, party, splitSigned, writeBundle, type Party } from './helpers.js';

/**
 * Interoperability with independent implementations: the official `mcpb` CLI (signer and
 * unpacker) and OpenSSL's CMS code as the oracle mcpb-format.md §6 requires. OpenSSL is used only
 * as a judge and as a second signer here, never by the product.
 */

const run = promisify(execFile);
const mcpb = join(repoRoot, 'node_modules', '.bin', 'mcpb');
const officialCert = join(repoRoot, 'node_modules', '@anthropic-ai', 'mcpb', 'dist', 'self-signed-cert.pem');

let dir: string;
let cleanup: () => Promise<void>;
let root: Party;
let leaf: Party;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('mpak-interop-'));
  root = await party(dir, 'root', { ca: true });
  leaf = await party(dir, 'leaf', { issuer: root, rsa: true });
});
afterAll(() => cleanup());

async function openssl(args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const r = await run('openssl', args);
    return { ...r, code: 0 };
  } catch (err) {
    const e = err as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}

function yauzlNames(path: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, strictFileNames: true }, (err, zip) => {
      if (err) return reject(err);
      const names: string[] = [];
      zip.on('entry', (e: yauzl.Entry) => {
        names.push(e.fileName);
        zip.readEntry();
      });
      zip.on('end', () => resolve(names));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

describe('official mcpb signatures', () => {
  it('a bundle signed by `mcpb sign --self-signed` (variant A) verifies self-signed, and trusted with its certificate', async () => {
    const { path, bytes } = await writeBundle(dir, 'official.mcpb');
    await run(mcpb, ['sign', path, '--self-signed'], { cwd: dir });
    expect(existsSync(officialCert)).toBe(true);
    const self = await verifyBundle({ file: path });
    expect(self).toMatchObject({ state: 'self-signed', variant: 'A' });
    expect(self.signer?.subject).toBe('CN=MCPB Self-Signed Certificate, O=MCPB Extensions, C=US');
    expect(self.signer?.keyAlgorithm).toBe('rsa-4096');
    const trusted = await verifyBundle({ file: path, trust: [officialCert] });
    expect(trusted.state).toBe('trusted');
    // The official signer does not patch the comment length: the trailer is T = 27 + N bytes.
    expect((await readFile(path)).length - bytes.length).toBe(splitSigned(await readFile(path)).trailerLength);
    await unsignBundle({ file: path });
    expect(await readFile(path)).toEqual(bytes);
  });
});

describe('OpenSSL as the oracle', () => {
  it('an mpak signature verifies with `openssl cms -verify`, and with the chain against the root', async () => {
    const { path, bytes } = await writeBundle(dir, 'oracle.mcpb');
    await signBundle({ file: path, key: leaf.keyPath, cert: leaf.certPath, intermediates: [] });
    const sig = join(dir, 'sig.der');
    await writeFile(sig, splitSigned(await readFile(path)).der);
    const unsigned = join(dir, 'unsigned.bin');
    await unsignBundle({ file: path, output: unsigned });
    expect(await readFile(unsigned)).toEqual(bytes);
    const noverify = await openssl(['cms', '-verify', '-binary', '-inform', 'DER', '-in', sig, '-content', unsigned, '-noverify', '-out', '/dev/null']);
    expect(noverify.stderr).toContain('CMS Verification successful');
    const chain = await openssl(['cms', '-verify', '-binary', '-inform', 'DER', '-in', sig, '-content', unsigned, '-CAfile', root.certPath, '-purpose', 'any', '-out', '/dev/null']);
    expect(chain.stderr).toContain('CMS Verification successful');
    // And the oracle fails when one byte of the content changes.
    const altered = Buffer.from(bytes);
    altered[10]! ^= 1;
    await writeFile(unsigned, altered);
    const bad = await openssl(['cms', '-verify', '-binary', '-inform', 'DER', '-in', sig, '-content', unsigned, '-noverify', '-out', '/dev/null']);
    expect(bad.stderr).not.toContain('CMS Verification successful');
  });

  it('OpenSSL-made signatures verify: SKI sid, SHA-384/512, RSA-PSS and ECDSA, written as variant B', async () => {
    const ecLeaf = await party(dir, 'ec-leaf', { issuer: root });
    const cases: Array<{ name: string; signer: Party; extra: string[]; algorithm: string; digest: string }> = [
      { name: 'ski-sha384', signer: leaf, extra: ['-keyid', '-md', 'sha384'], algorithm: 'rsa-pkcs1-sha384', digest: 'sha384' },
      { name: 'pss-sha256', signer: leaf, extra: ['-md', 'sha256', '-keyopt', 'rsa_padding_mode:pss'], algorithm: 'rsa-pss-sha256', digest: 'sha256' },
      { name: 'ecdsa-sha512', signer: ecLeaf, extra: ['-md', 'sha512'], algorithm: 'ecdsa-sha512', digest: 'sha512' },
    ];
    for (const c of cases) {
      const { bytes } = await writeBundle(dir, `${c.name}.zip`);
      const content = join(dir, `${c.name}.zip`);
      const sig = join(dir, `${c.name}.der`);
      const made = await openssl(['cms', '-sign', '-binary', '-in', content, '-signer', c.signer.certPath, '-inkey', c.signer.keyPath, '-certfile', root.certPath, '-outform', 'DER', '-out', sig, '-nosmimecap', ...c.extra]);
      expect(made.code, made.stderr).toBe(0);
      const der = await readFile(sig);
      const n = Buffer.alloc(4);
      n.writeUInt32LE(der.length);
      const trailer = Buffer.concat([Buffer.from('MCPB_SIG_V1'), n, der, Buffer.from('MCPB_SIG_END')]);
      const z = Buffer.from(bytes);
      z.writeUInt16LE(trailer.length, eocdOffset(z) + 20);
      const path = join(dir, `${c.name}.mcpb`);
      await writeFile(path, Buffer.concat([z, trailer]));
      const r = await verifyBundle({ file: path, trust: [root.certPath] });
      expect({ name: c.name, state: r.state, variant: r.variant, algorithm: r.signatureAlgorithm, digest: r.digestAlgorithm }).toEqual({
        name: c.name,
        state: 'trusted',
        variant: 'B',
        algorithm: c.algorithm,
        digest: c.digest,
      });
    }
  });
});

describe('readers of mpak-signed bundles', () => {
  it('the official `mcpb unpack` and yauzl both read an mpak-signed (variant B) bundle', async () => {
    const { path } = await writeBundle(dir, 'readers.mcpb');
    await signBundle({ file: path, key: leaf.keyPath, cert: leaf.certPath });
    expect((await yauzlNames(path)).sort()).toEqual(['manifest.json', 'server/index.js']);
    const out = join(dir, 'unpacked');
    await run(mcpb, ['unpack', path, out], { cwd: dir });
    expect((await readdir(out)).sort()).toEqual(['manifest.json', 'server']);
    expect(await readFile(join(out, 'server', 'index.js'), 'utf8')).toBe('console.log("hello");\n');
  });
});
