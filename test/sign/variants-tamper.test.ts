import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSignedData, parseSignedData } from '../../src/sign/cms.js';
import { signBundle, unsignBundle, verifyBundle, type SignatureState } from '../../src/sign/index.js';
import { tempDir } from '../helpers/cli.js';
import { buildZip, eocdOffset, MANIFEST, party, splitSigned, type Party } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
let root: Party;
let leaf: Party;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('mpak-variants-'));
  root = await party(dir, 'root', { ca: true });
  leaf = await party(dir, 'leaf', { issuer: root, rsa: true });
});
afterAll(() => cleanup());

function trailer(der: Buffer): Buffer {
  const n = Buffer.alloc(4);
  n.writeUInt32LE(der.length);
  return Buffer.concat([Buffer.from('MCPB_SIG_V1'), n, der, Buffer.from('MCPB_SIG_END')]);
}

const cms = (signed: Buffer, signingTime = new Date()) =>
  buildSignedData({ digest: createHash('sha256').update(signed).digest(), signingTime, key: leaf.key, signer: leaf.cert, intermediates: [] });

function zipBytes(comment = Buffer.alloc(0)): Buffer {
  return buildZip({ 'manifest.json': MANIFEST, 'a.txt': 'variant test\n' }, comment);
}

describe('the three EOCD variants', () => {
  it('A: comment length d, Z signed as stored (official 2.1.2) verifies, with a strict-reader warning', async () => {
    const z = zipBytes();
    const path = join(dir, 'variant-a.mcpb');
    await writeFile(path, Buffer.concat([z, trailer(await cms(z))]));
    const r = await verifyBundle({ file: path, trust: [root.certPath] });
    expect(r).toMatchObject({ state: 'trusted', variant: 'A' });
    expect(r.warnings.join()).toMatch(/strict ZIP readers/);
    await unsignBundle({ file: path });
    expect(await readFile(path)).toEqual(z);
  });

  it('C: comment length d + T patched before signing verifies as C', async () => {
    for (const comment of [Buffer.alloc(0), Buffer.from('a comment')]) {
      const z = zipBytes(comment);
      const e = eocdOffset(z);
      const d = comment.length;
      const signingTime = new Date();
      // RSA signatures have a fixed length, so T is known from a first build over any digest.
      const t = trailer(await cms(Buffer.alloc(0), signingTime)).length;
      const patched = Buffer.from(z);
      patched.writeUInt16LE(d + t, e + 20);
      const der = await cms(patched, signingTime);
      expect(trailer(der).length).toBe(t);
      const path = join(dir, `variant-c-${d}.mcpb`);
      await writeFile(path, Buffer.concat([patched, trailer(der)]));
      expect(await verifyBundle({ file: path, trust: [root.certPath] })).toMatchObject({ state: 'trusted', variant: 'C' });
      await unsignBundle({ file: path });
      expect(await readFile(path)).toEqual(z);
    }
  });

  it('B is what mpak writes; a comment length fitting no variant is malformed', async () => {
    const path = join(dir, 'variant-b.mcpb');
    await writeFile(path, zipBytes());
    await signBundle({ file: path, key: leaf.keyPath, cert: leaf.certPath });
    expect(await verifyBundle({ file: path, trust: [root.certPath] })).toMatchObject({ state: 'trusted', variant: 'B' });
    const bytes = await readFile(path);
    const { z } = splitSigned(bytes);
    bytes.writeUInt16LE(z.readUInt16LE(eocdOffset(z) + 20) + 1, eocdOffset(z) + 20);
    await writeFile(path, bytes);
    expect((await verifyBundle({ file: path, trust: [root.certPath] })).state).toBe('malformed');
  });

  it('a stacked official re-sign (A over an A-signed file) verifies over Z as stored, with a warning; unsign removes both', async () => {
    const z = zipBytes();
    const once = Buffer.concat([z, trailer(await cms(z))]);
    const twice = Buffer.concat([once, trailer(await cms(once))]);
    const path = join(dir, 'stacked.mcpb');
    await writeFile(path, twice);
    const r = await verifyBundle({ file: path, trust: [root.certPath] });
    expect(r.state).toBe('trusted');
    expect(r.warnings.join()).toMatch(/stacked/);
    expect(await unsignBundle({ file: path })).toMatchObject({ changed: true, removed: 2 });
    expect(await readFile(path)).toEqual(z);
  });

  it('a signature whose contentType is not id-data, or whose content is embedded, is invalid', async () => {
    const z = zipBytes();
    const der = await cms(z);
    // Swap the eContentType id-data for id-signedData (same length): structure intact, meaning wrong.
    const data = Buffer.from('06092a864886f70d010701', 'hex');
    const other = Buffer.from('06092a864886f70d010702', 'hex');
    const at = der.indexOf(data, 20);
    const swapped = Buffer.concat([der.subarray(0, at), other, der.subarray(at + data.length)]);
    const path = join(dir, 'content-type.mcpb');
    await writeFile(path, Buffer.concat([z, trailer(swapped)]));
    const r = await verifyBundle({ file: path, trust: [root.certPath] });
    expect(r.state).toBe('invalid');
    expect(r.reason).toMatch(/not id-data/);
  });
});

/** Small deterministic PRNG so failures reproduce. */
function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('bit flips', () => {
  it('any flipped bit in the archive, the signature block or the certificate is never accepted, and is classified precisely', async () => {
    const path = join(dir, 'flip.mcpb');
    await writeFile(path, zipBytes());
    await signBundle({ file: path, key: leaf.keyPath, cert: leaf.certPath });
    const signed = await readFile(path);
    expect((await verifyBundle({ file: path, trust: [root.certPath] })).state).toBe('trusted');
    const { z, der } = splitSigned(signed);
    const e = eocdOffset(z);
    const derStart = z.length + 15;
    const parsed = await parseSignedData(der);
    const abs = (needle: Buffer) => derStart + der.indexOf(needle);
    const sigAt = abs(parsed.signer.signature);
    const mdAt = abs(parsed.signer.messageDigest!);
    const certAt = abs(leaf.cert.der);
    // The RSA modulus: the last 256 bytes of the SPKI BIT STRING minus the exponent (5 bytes).
    const spkiAt = certAt + leaf.cert.der.indexOf(leaf.cert.spki);
    const modulus = [spkiAt + leaf.cert.spki.length - 5 - 256, spkiAt + leaf.cert.spki.length - 5];

    const rand = prng(0x5eed);
    const pick = (from: number, to: number, count: number) => Array.from({ length: count }, () => from + Math.floor(rand() * (to - from)));
    const cases: Array<{ pos: number; expect: SignatureState[]; region: string }> = [];
    const add = (positions: number[], region: string, states: SignatureState[]) => positions.forEach((pos) => cases.push({ pos, expect: states, region }));
    add(pick(0, e, 80), 'archive', ['invalid']);
    add([e, e + 1, e + 2, e + 3], 'EOCD signature', ['malformed']);
    add(pick(e + 4, e + 20, 8), 'EOCD fields', ['invalid']);
    add([e + 20, e + 21], 'comment length', ['malformed']);
    add(pick(z.length, z.length + 15, 10), 'MCPB_SIG_V1 and N', ['malformed']);
    add(pick(signed.length - 12, signed.length, 6), 'MCPB_SIG_END', ['malformed']);
    add(pick(sigAt, sigAt + parsed.signer.signature.length, 30), 'signature value', ['invalid']);
    add(pick(mdAt, mdAt + 32, 20), 'messageDigest', ['invalid']);
    add(pick(modulus[0]!, modulus[1]!, 20), 'signer key', ['invalid']);
    // Anywhere else in the certificate or the CMS structure: the structure breaks (malformed), the
    // signature fails (invalid), or the certificate no longer chains (untrusted); never accepted.
    add(pick(certAt, certAt + leaf.cert.der.length, 60), 'certificate', ['invalid', 'malformed', 'untrusted']);
    add(pick(derStart, derStart + der.length, 60), 'CMS', ['invalid', 'malformed', 'untrusted']);

    const outcomes: Record<string, Record<string, number>> = {};
    const flipped = join(dir, 'flipped.mcpb');
    for (const [i, c] of cases.entries()) {
      const bytes = Buffer.from(signed);
      bytes[c.pos]! ^= 1 << (i % 8);
      await writeFile(flipped, bytes);
      const r = await verifyBundle({ file: flipped, trust: [root.certPath] });
      outcomes[c.region] ??= {};
      outcomes[c.region]![r.state] = (outcomes[c.region]![r.state] ?? 0) + 1;
      expect({ region: c.region, pos: c.pos, state: r.state, ok: c.expect.includes(r.state) }).toMatchObject({ ok: true });
      // A damaged certificate no longer chains: its issuer's signature fails, or its issuer name now matches nothing.
      if (r.state === 'untrusted') expect({ pos: c.pos, problem: r.problem }).toMatchObject({ problem: expect.stringMatching(/^(bad-chain-signature|unknown-root)$/) });
    }
    if (process.env.MPAK_TEST_VERBOSE) console.log(outcomes);
    expect(Object.keys(outcomes)).toHaveLength(11);
  });

  it('truncated files and appended bytes never crash the verifier and are never accepted', async () => {
    const path = join(dir, 'trunc.mcpb');
    await writeFile(path, zipBytes());
    await signBundle({ file: path, key: leaf.keyPath, cert: leaf.certPath });
    const signed = await readFile(path);
    const rand = prng(0xc0ffee);
    const target = join(dir, 'trunc-case.mcpb');
    const variants: Buffer[] = [];
    for (let i = 0; i < 40; i++) variants.push(signed.subarray(0, Math.floor(rand() * signed.length)));
    for (let i = 0; i < 10; i++) variants.push(Buffer.concat([signed, Buffer.from(Array.from({ length: 1 + Math.floor(rand() * 40) }, () => Math.floor(rand() * 256)))]));
    variants.push(Buffer.concat([signed, Buffer.from('MCPB_SIG_END')]), Buffer.alloc(0), Buffer.from('MCPB_SIG_V1\0\0\0\0MCPB_SIG_END'));
    for (const bytes of variants) {
      await writeFile(target, bytes);
      const r = await verifyBundle({ file: target, trust: [root.certPath] });
      expect(['invalid', 'malformed', 'unsigned']).toContain(r.state);
      expect(r.accepted).toBe(false);
    }
  });
});
