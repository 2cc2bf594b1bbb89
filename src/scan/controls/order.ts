/** Byte-wise (UTF-8) comparison of two strings, the order of the packer and of content-hash lists. */
export function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
