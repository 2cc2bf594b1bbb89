import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { issueCertificate, viewCertificate, type CertView, type IssueOptions } from '../../src/sign/certs.js';
import { toPem } from '../../src/sign/keys.js';

/** A minimal stored (uncompressed) ZIP, built in code so the tests need no fixture files. */
export function buildZip(files: Record<string, string | Buffer>, comment: Uint8Array = new Uint8Array(0)): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of Object.entries(files)) {
    const data = Buffer.isBuffer(content) ? content : Buffer.from(content);
    const nameBytes = Buffer.from(name);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(0, 8);
    local.writeUInt32LE(0x00210000, 10); // 1980-01-01 00:00
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    locals.push(local, nameBytes, data);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(0x0314, 4); // made by Unix, 2.0
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt32LE(0x00210000, 12);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE((0o100644 << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, nameBytes);
    offset += 30 + nameBytes.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(Object.keys(files).length, 8);
  eocd.writeUInt16LE(Object.keys(files).length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  eocd.writeUInt16LE(comment.length, 20);
  return Buffer.concat([...locals, cd, eocd, comment]);
}

export const MANIFEST = JSON.stringify({
  manifest_version: '0.3',
  name: 'sign-test',
  version: '1.0.0',
  description: 'A bundle for signature tests',
  author: { name: 'Test' },
  server: { type: 'node', entry_point: 'server/index.js', mcp_config: { command: 'node', args: ['${__dirname}/server/index.js'] } },
});

export async function writeBundle(dir: string, name = 'bundle.mcpb', comment?: Buffer): Promise<{ path: string; bytes: Buffer }> {
  const bytes = buildZip({ 'manifest.json': MANIFEST, 'server/index.js': 'console.log("hello");\n' }, comment);
  const path = join(dir, name);
  await writeFile(path, bytes);
  return { path, bytes };
}

export interface Party {
  key: KeyObject;
  cert: CertView;
  keyPath: string;
  certPath: string;
}

const DAY = 86_400_000;

/**
 * Issues a certificate for a fresh key and writes both as PEM. `issuer` absent = self-signed.
 * ECDSA P-256 by default (fast); `rsa` for RSA-2048.
 */
export async function party(
  dir: string,
  name: string,
  options: Partial<Omit<IssueOptions, 'publicKey' | 'issuerKey' | 'issuerCert'>> & { issuer?: Party; rsa?: boolean; now?: Date } = {},
): Promise<Party> {
  const { privateKey, publicKey } = options.rsa
    ? generateKeyPairSync('rsa', { modulusLength: 2048 })
    : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const now = options.now ?? new Date();
  const der = await issueCertificate({
    subject: options.subject ?? `CN=${name}, O=mpak tests`,
    publicKey,
    issuerKey: options.issuer?.key ?? privateKey,
    ...(options.issuer ? { issuerCert: options.issuer.cert } : {}),
    notBefore: options.notBefore ?? new Date(now.getTime() - DAY),
    notAfter: options.notAfter ?? new Date(now.getTime() + 365 * DAY),
    ...(options.ca !== undefined ? { ca: options.ca } : {}),
    ...(options.pathLen !== undefined ? { pathLen: options.pathLen } : {}),
    ...(options.keyUsage ? { keyUsage: options.keyUsage } : {}),
    ...(options.extKeyUsage !== undefined ? { extKeyUsage: options.extKeyUsage } : {}),
  });
  const keyPath = join(dir, `${name}.key.pem`);
  const certPath = join(dir, `${name}.cert.pem`);
  await writeFile(keyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  await writeFile(certPath, toPem('CERTIFICATE', der));
  return { key: privateKey, cert: await viewCertificate(der), keyPath, certPath };
}

/** Splits a signed file into Z, the DER and the trailer length (single trailer). */
export function splitSigned(bytes: Buffer): { z: Buffer; der: Buffer; trailerLength: number } {
  const at = bytes.lastIndexOf(Buffer.from('MCPB_SIG_V1'));
  const n = bytes.readUInt32LE(at + 11);
  return { z: bytes.subarray(0, at), der: bytes.subarray(at + 15, at + 15 + n), trailerLength: bytes.length - at };
}

export function eocdOffset(z: Buffer): number {
  return z.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
}
