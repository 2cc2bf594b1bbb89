import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeDeterministicZip } from '../../src/archive/zip-writer.js';
import { dosDateTimeFromEpoch } from '../../src/archive/zip-format.js';
import { tempDir } from '../helpers/cli.js';
import { parseRawZip } from './helpers/raw-zip.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir('mpak-zipw-')));
afterEach(async () => cleanup());

describe('writeDeterministicZip', () => {
  it('writes sorted entries with fixed headers, STORE for incompressible and empty data', async () => {
    writeFileSync(join(dir, 'a.txt'), 'hello '.repeat(100));
    writeFileSync(join(dir, 'random.bin'), createHash('sha512').update('x').digest());
    writeFileSync(join(dir, 'empty'), '');
    const out = join(dir, 'out.mcpb');
    const result = await writeDeterministicZip(
      [
        { path: 'z/last.txt', data: Buffer.from('zz'), mode: 0o644 },
        { path: 'a.txt', source: join(dir, 'a.txt'), mode: 0o664 },
        { path: 'random.bin', source: join(dir, 'random.bin'), mode: 0o700 },
        { path: 'empty', source: join(dir, 'empty'), mode: 0o644 },
        { path: 'dir/é.txt', data: Buffer.from('accent'), mode: 0o644 },
        { path: 'B.txt', data: Buffer.from('upper'), mode: 0o644 },
      ],
      out,
    );
    const bytes = readFileSync(out);
    expect(result.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(result.size).toBe(bytes.length);
    expect(result.files).toBe(6);
    expect(result.unpackedSize).toBe(600 + 64 + 0 + 2 + 6 + 5);

    const zip = parseRawZip(bytes);
    expect(zip.entries.map((e) => e.name)).toEqual(['B.txt', 'a.txt', 'dir/é.txt', 'empty', 'random.bin', 'z/last.txt']);
    for (const e of zip.entries) {
      expect(e.madeBy).toBe(0x0314);
      expect(e.versionNeeded).toBe(20);
      expect(e.extra.length).toBe(0);
      expect(e.dosDate).toBe(0x21);
      expect(e.dosTime).toBe(0);
      expect(e.flags).toBe(e.name === 'dir/é.txt' ? 0x0800 : 0);
    }
    const byName = Object.fromEntries(zip.entries.map((e) => [e.name, e]));
    expect(byName['a.txt']!.method).toBe(8);
    expect(byName['random.bin']!.method).toBe(0);
    expect(byName['empty']!.method).toBe(0);
    expect(byName['random.bin']!.externalAttributes >>> 16).toBe(0o100755);
    expect(byName['a.txt']!.externalAttributes >>> 16).toBe(0o100644);
    expect(zip.commentLength).toBe(0);

    // An independent reader agrees (CRCs, data).
    const test = execFileSync('unzip', ['-t', out], { encoding: 'utf8' });
    expect(test).toMatch(/No errors detected/);
  });

  it('spools large files and stays reproducible across runs and concurrency settings', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7 + (i >> 10)) & 0xff;
    writeFileSync(join(dir, 'big.bin'), big);
    const entries = [
      { path: 'big.bin', source: join(dir, 'big.bin'), mode: 0o644 },
      { path: 'small.txt', data: Buffer.from('small'), mode: 0o755 },
    ];
    const a = await writeDeterministicZip(entries, join(dir, 'a.zip'), { spoolThreshold: 1024 });
    const b = await writeDeterministicZip(entries, join(dir, 'b.zip'), { concurrency: 1 });
    expect(a.sha256).toBe(b.sha256);
    expect(execFileSync('unzip', ['-t', join(dir, 'a.zip')], { encoding: 'utf8' })).toMatch(/No errors detected/);
  });

  it('refuses names its own reader would refuse, duplicates and directories', async () => {
    for (const path of ['../x', '/abs', 'a\\b', 'a//b', 'dir/', 'C:x']) {
      await expect(writeDeterministicZip([{ path, data: Buffer.from('x'), mode: 0o644 }], join(dir, 'x.zip'))).rejects.toThrow(/cannot store/);
    }
    await expect(
      writeDeterministicZip(
        [
          { path: 'a', data: Buffer.from('x'), mode: 0o644 },
          { path: 'a', data: Buffer.from('y'), mode: 0o644 },
        ],
        join(dir, 'x.zip'),
      ),
    ).rejects.toThrow(/duplicate/);
    expect(execFileSync('ls', ['-A', dir], { encoding: 'utf8' })).toBe('');
  });
});

describe('SOURCE_DATE_EPOCH', () => {
  it('uses UTC fields, floors to 2 s and clamps to the DOS range', () => {
    // 2021-03-04T05:06:07Z
    const t = Date.UTC(2021, 2, 4, 5, 6, 7) / 1000;
    expect(dosDateTimeFromEpoch(t)).toEqual({ date: (41 << 9) | (3 << 5) | 4, time: (5 << 11) | (6 << 5) | 3 });
    expect(dosDateTimeFromEpoch('0')).toEqual({ date: 0x21, time: 0 });
    expect(dosDateTimeFromEpoch(String(2 ** 40))).toEqual({ date: (127 << 9) | (12 << 5) | 31, time: (23 << 11) | (59 << 5) | 29 });
    expect(dosDateTimeFromEpoch(undefined)).toEqual({ date: 0x21, time: 0 });
  });

  it('rejects malformed values', () => {
    for (const bad of ['', 'abc', '1.5', '1e9', '12 34']) expect(() => dosDateTimeFromEpoch(bad)).toThrow(/SOURCE_DATE_EPOCH/);
  });

  it('is written into every header', async () => {
    const out = join(dir, 'e.zip');
    await writeDeterministicZip([{ path: 'a', data: Buffer.from('a'), mode: 0o644 }], out, { sourceDateEpoch: '1700000000' });
    const [entry] = parseRawZip(readFileSync(out)).entries;
    expect(entry!.dosDate).toBe(dosDateTimeFromEpoch(1700000000).date);
    expect(entry!.dosTime).toBe(dosDateTimeFromEpoch(1700000000).time);
    expect(entry!.localDosDate).toBe(entry!.dosDate);
  });
});
