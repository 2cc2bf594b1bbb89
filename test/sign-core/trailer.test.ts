import { describe, expect, it } from 'vitest';
import { locateTrailer, SIG_END, SIG_START, TRAILER_OVERHEAD } from '../../src/sign/trailer.js';

/** A minimal valid empty ZIP: just an EOCD record with the given comment. */
function emptyZip(comment = Buffer.alloc(0), storedLength = comment.length): Buffer {
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(storedLength, 20);
  return Buffer.concat([eocd, comment]);
}

function trailer(der: Buffer): Buffer {
  const n = Buffer.alloc(4);
  n.writeUInt32LE(der.length);
  return Buffer.concat([SIG_START, n, der, SIG_END]);
}

describe('MCPB_SIG_V1 trailer parsing', () => {
  it('reports an unsigned zip with its EOCD', () => {
    const zip = emptyZip();
    const info = locateTrailer(zip, zip.length);
    expect(info.state).toBe('unsigned');
    expect(info.zipLength).toBe(22);
    expect(info.eocdOffset).toBe(0);
    expect(info.originalCommentLength).toBe(0);
  });

  it('finds variant A (comment length untouched) and variant B/C (comment length d + T)', () => {
    const der = Buffer.from('3003020101', 'hex');
    const t = trailer(der);
    const a = Buffer.concat([emptyZip(), t]);
    const infoA = locateTrailer(a, a.length);
    expect(infoA.state).toBe('signed');
    expect(infoA.zipLength).toBe(22);
    expect(infoA.der?.equals(der)).toBe(true);
    expect(infoA.storedCommentLength).toBe(0);

    const b = Buffer.concat([emptyZip(Buffer.alloc(0), TRAILER_OVERHEAD + der.length), t]);
    const infoB = locateTrailer(b, b.length);
    expect(infoB.state).toBe('signed');
    expect(infoB.storedCommentLength).toBe(t.length);
    expect(infoB.originalCommentLength).toBe(0);
  });

  it('calls a trailer with an inconsistent length malformed, not unsigned', () => {
    const t = trailer(Buffer.from('3003020101', 'hex'));
    t.writeUInt32LE(999, SIG_START.length);
    const f = Buffer.concat([emptyZip(), t]);
    expect(locateTrailer(f, f.length).state).toBe('malformed');
  });

  it('flags a comment length that fits no variant', () => {
    const der = Buffer.from('3003020101', 'hex');
    const f = Buffer.concat([emptyZip(Buffer.alloc(0), 7), trailer(der)]);
    const info = locateTrailer(f, f.length);
    expect(info.state).toBe('malformed');
    expect(info.reason).toMatch(/comment length 7/);
  });

  it('strips stacked trailers down to the zip proper', () => {
    const inner = trailer(Buffer.from('01', 'hex'));
    const outer = trailer(Buffer.from('0203', 'hex'));
    const f = Buffer.concat([emptyZip(), inner, outer]);
    const info = locateTrailer(f, f.length);
    expect(info.trailers).toHaveLength(2);
    expect(info.zipLength).toBe(22);
    expect(info.der?.toString('hex')).toBe('0203');
    expect(info.warnings.join(' ')).toMatch(/stacked/);
  });

  it('works on a tail slice with absolute offsets', () => {
    const prefix = Buffer.alloc(5000, 0x41);
    const der = Buffer.from('3003020101', 'hex');
    const f = Buffer.concat([prefix, emptyZip(Buffer.alloc(0), TRAILER_OVERHEAD + der.length), trailer(der)]);
    const tail = f.subarray(f.length - 100);
    const info = locateTrailer(tail, f.length);
    expect(info.state).toBe('signed');
    expect(info.eocdOffset).toBe(5000);
    expect(info.zipLength).toBe(5022);
  });
});
