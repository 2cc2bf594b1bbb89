import { describe, expect, it } from 'vitest';
import { generateEd25519KeyPair, keyIdOf, signCanonical, verifyCanonical } from '../../src/sign/index-keys.js';

describe('Ed25519 index signing', () => {
  it('signs canonical JSON so key order does not matter, and detects any change', () => {
    const k = generateEd25519KeyPair();
    expect(keyIdOf(k.publicKey)).toBe(k.keyid);
    expect(keyIdOf(k.publicKeyPem)).toBe(k.keyid);
    const signed = { b: 1, a: { y: 'x', x: [1, 2] } };
    const sig = signCanonical(signed, k.privateKeyPem);
    const reordered = { a: { x: [1, 2], y: 'x' }, b: 1 };
    expect(verifyCanonical({ signed: reordered, signatures: [sig] }, [{ publicKey: k.publicKey }]).valid).toBe(true);
    const tampered = verifyCanonical({ signed: { ...signed, b: 2 }, signatures: [sig] }, [{ publicKey: k.publicKey }]);
    expect(tampered.valid).toBe(false);
    expect(tampered.reason).toMatch(/does not verify/);
  });

  it('rejects signatures from keys that are not trusted', () => {
    const k1 = generateEd25519KeyPair();
    const k2 = generateEd25519KeyPair();
    const sig = signCanonical({ v: 1 }, k1.privateKeyPem);
    const r = verifyCanonical({ signed: { v: 1 }, signatures: [sig] }, [{ publicKey: k2.publicKey }]);
    expect(r.valid).toBe(false);
    expect(r.reason).toMatch(/unknown key/);
  });
});
