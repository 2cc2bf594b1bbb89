/**
 * The hostile-archive corpus of mcpb-format §5, built at test time with the raw ZIP builder. Every
 * archive must be refused with exit code 2, and nothing may be written: no destination, no temp
 * folder, no file outside.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openArchive, unpackArchive } from '../../src/archive/index.js';
import { tempDir } from '../helpers/cli.js';
import { buildRawZip, storedLocalRecord, unixAttrs, type RawEntry, type RawZipOptions } from './helpers/raw-zip.js';

const MANIFEST = Buffer.from(
  JSON.stringify({
    manifest_version: '0.3',
    name: 'hostile',
    version: '1.0.0',
    description: 'test',
    author: { name: 'attacker.example' },
    server: { type: 'node', entry_point: 'index.js', mcp_config: { command: 'node', args: ['index.js'] } },
  }),
);
const manifest: RawEntry = { name: 'manifest.json', content: MANIFEST };
const file = (name: string | Buffer, content = 'x', extra: Partial<RawEntry> = {}): RawEntry => ({ name, content: Buffer.from(content), ...extra });

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir('mpak-hostile-')));
afterEach(async () => cleanup());

function write(entries: RawEntry[], options?: RawZipOptions): string {
  const path = join(dir, 'bad.mcpb');
  writeFileSync(path, buildRawZip(entries, options));
  return path;
}

async function expectRefused(path: string, code: string, message?: RegExp, options: Parameters<typeof unpackArchive>[2] = {}) {
  const err = await unpackArchive(path, join(dir, 'out'), options).then(
    () => undefined,
    (e: unknown) => e as { code: string; exitCode: number; message: string },
  );
  expect(err, 'the archive was accepted').toBeDefined();
  expect(err!.exitCode).toBe(2);
  expect(err!.code).toBe(code);
  if (message) expect(err!.message).toMatch(message);
  // Nothing written: no destination, no temp folder beside it, nothing outside it.
  expect(readdirSync(dir)).toEqual(['bad.mcpb']);
}

const HOSTILE_NAMES: [string, string | Buffer, RegExp][] = [
  ['zip-slip ..', '../evil.txt', /\.\./],
  ['nested zip-slip', 'a/../../evil.txt', /\.\./],
  ['absolute path', '/tmp/evil.txt', /absolute/],
  ['UNC path', '//server/share/evil.txt', /UNC/],
  ['drive letter', 'C:/evil.txt', /drive/],
  ['drive-relative', 'C:evil.txt', /drive/],
  ['backslash', 'a\\..\\evil.txt', /backslash/],
  ['NUL byte', 'a\u0000b.txt', /NUL|control/],
  ['C0 control', 'a\u0007b.txt', /control/],
  ['dot segment', 'a/./b.txt', /"\."/],
  ['leading dot segment', './b.txt', /"\."/],
  ['empty segment', 'a//b.txt', /empty/],
  ['empty name', '', /empty/],
];

describe('hostile names', () => {
  for (const [label, name, message] of HOSTILE_NAMES) {
    it(`refuses ${label}`, async () => {
      await expectRefused(write([manifest, file(name)]), 'ARCHIVE_HOSTILE', message);
      expect(existsSync(join(dir, 'evil.txt'))).toBe(false);
    });
  }

  it('refuses a name flagged UTF-8 that is not UTF-8', async () => {
    await expectRefused(write([manifest, file(Buffer.from([0x61, 0xff, 0xfe]), 'x', { flags: 0x0800 })]), 'ARCHIVE_HOSTILE', /not valid UTF-8/);
  });

  it('applies the Windows rules when asked (reserved names, colon, trailing dot or space)', async () => {
    for (const name of ['CON.txt', 'a/aux', 'ab:c.txt', 'trail.', 'space ']) {
      await expectRefused(write([manifest, file(name)]), 'ARCHIVE_HOSTILE', /Windows/, { windowsNames: true });
    }
  });
});

describe('hostile entry types', () => {
  const types: [string, number][] = [
    ['symlink', 0o120777],
    ['FIFO', 0o010644],
    ['character device', 0o020644],
    ['block device', 0o060644],
    ['socket', 0o140644],
  ];
  for (const [label, mode] of types) {
    it(`refuses a ${label} entry`, async () => {
      await expectRefused(write([manifest, file('link', '/etc/passwd', { externalAttributes: unixAttrs(mode) })]), 'ARCHIVE_HOSTILE', /link|FIFO|device|socket/);
    });
  }

  it('refuses a directory entry that carries data', async () => {
    await expectRefused(write([manifest, file('d/', 'data')]), 'ARCHIVE_HOSTILE', /directory entry/);
  });
});

describe('hostile name sets', () => {
  it('refuses duplicates', async () => {
    await expectRefused(write([manifest, file('a.txt'), file('a.txt', 'y')]), 'ARCHIVE_HOSTILE', /duplicate/);
  });
  it('refuses a file and a directory at the same path', async () => {
    await expectRefused(write([manifest, file('a'), file('a/b')]), 'ARCHIVE_HOSTILE', /both a file and a directory/);
    await expectRefused(write([manifest, file('a'), { name: 'a/', externalAttributes: unixAttrs(0o040755) }]), 'ARCHIVE_HOSTILE', /duplicate|both/);
  });
  it('refuses names equal after lower-casing', async () => {
    await expectRefused(write([manifest, file('README.md'), file('readme.md')]), 'ARCHIVE_HOSTILE', /collide/);
    await expectRefused(write([manifest, file('Lib/a.js'), file('lib/b.js')]), 'ARCHIVE_HOSTILE', /collide/);
  });
  it('refuses names equal after NFC normalisation', async () => {
    await expectRefused(write([manifest, file('caf\u00e9.txt', 'x', { flags: 0x0800 }), file('cafe\u0301.txt', 'y', { flags: 0x0800 })]), 'ARCHIVE_HOSTILE', /collide/);
  });
});

describe('encryption and methods', () => {
  it('refuses encrypted entries (flag bit 0 and bit 6)', async () => {
    await expectRefused(write([manifest, file('a.txt', 'x', { flags: 0x0001 })]), 'ARCHIVE_HOSTILE', /encrypted/);
    await expectRefused(write([manifest, file('a.txt', 'x', { flags: 0x0041 })]), 'ARCHIVE_HOSTILE', /encrypted/);
  });
  it('refuses methods other than STORE and DEFLATE', async () => {
    for (const method of [12, 14, 93, 99]) {
      await expectRefused(write([manifest, { name: 'a.txt', raw: Buffer.from('xx'), method, size: 2 }]), 'ARCHIVE_HOSTILE', new RegExp(`method ${method}`));
    }
  });
});

describe('structure', () => {
  it('refuses overlapping entries (one local header shared by several entries)', async () => {
    await expectRefused(write([manifest, file('a.txt', 'aaaa'), { ...file('b.txt', 'aaaa'), shareLocalOf: 1 }]), 'ARCHIVE_CORRUPT', /disagree on the name/);
    // A real overlap: a.txt's stored data contains a complete, consistent local header for b.txt.
    const inner = storedLocalRecord('b.txt', Buffer.from('hello'));
    const entries: RawEntry[] = [
      { name: 'a.txt', content: inner, method: 0 },
      manifest,
      { name: 'b.txt', content: Buffer.from('hello'), method: 0, atOffset: 30 + 'a.txt'.length },
    ];
    await expectRefused(write(entries), 'ARCHIVE_HOSTILE', /overlap/);
  });

  it('refuses more than 65,535 entries (declared via ZIP64)', async () => {
    await expectRefused(write([manifest, file('a')], { zip64Count: 70_000 }), 'ARCHIVE_HOSTILE', /70000 entries/);
  });

  it('refuses a declared total over 2 GiB', async () => {
    const lie = { name: 'big.bin', raw: deflateRawSync(Buffer.alloc(1000)), method: 8, size: 2 ** 31 + 1 };
    await expectRefused(write([manifest, lie]), 'ARCHIVE_HOSTILE', /total exceeds/);
  });

  it('refuses a ratio bomb (> 1 MiB at > 100:1)', async () => {
    await expectRefused(write([manifest, { name: 'zeros.bin', content: Buffer.alloc(4 * 1024 * 1024) }]), 'ARCHIVE_HOSTILE', /ratio/);
  });

  it('stops when the output exceeds the declared size', async () => {
    const content = Buffer.from('A'.repeat(5000));
    await expectRefused(write([manifest, { name: 'a.txt', content, size: 100 }]), 'ARCHIVE_HOSTILE', /more than its declared 100 bytes/);
  });

  it('stops a large streamed entry that exceeds its declared size', async () => {
    const content = Buffer.alloc(9 * 1024 * 1024);
    for (let i = 0; i < content.length; i++) content[i] = (i * 31 + (i >> 8)) & 0xff;
    await expectRefused(write([manifest, { name: 'a.bin', content, size: content.length - 10 }]), 'ARCHIVE_HOSTILE', /more than its declared/);
  });

  it('refuses a CRC mismatch', async () => {
    await expectRefused(write([manifest, file('a.txt', 'hello', { crc: 0x12345678 })]), 'ARCHIVE_CORRUPT', /CRC/);
  });

  it('refuses a truncated archive', async () => {
    const bytes = buildRawZip([manifest, file('a.txt', 'hello')]);
    writeFileSync(join(dir, 'bad.mcpb'), bytes.subarray(0, bytes.length - 30));
    await expectRefused(join(dir, 'bad.mcpb'), 'ARCHIVE_CORRUPT');
    writeFileSync(join(dir, 'bad.mcpb'), bytes.subarray(0, 100));
    await expectRefused(join(dir, 'bad.mcpb'), 'ARCHIVE_CORRUPT');
  });

  it('refuses an EOCD that disagrees with the central directory', async () => {
    await expectRefused(write([manifest, file('a.txt')], { cdOffsetDelta: 1 }), 'ARCHIVE_CORRUPT');
    await expectRefused(write([manifest, file('a.txt')], { count: 3 }), 'ARCHIVE_CORRUPT');
    await expectRefused(write([manifest, file('a.txt')], { count: 1 }), 'ARCHIVE_CORRUPT');
    await expectRefused(write([manifest, file('a.txt')], { cdSizeDelta: -4 }), 'ARCHIVE_CORRUPT');
    await expectRefused(write([manifest, file('a.txt')], { commentLength: 5 }), 'ARCHIVE_CORRUPT', /comment length/);
    await expectRefused(write([manifest, file('a.txt')], { trailing: Buffer.from('junk after the end') }), 'ARCHIVE_CORRUPT', /comment length/);
  });

  it('refuses local headers that disagree with the central directory', async () => {
    await expectRefused(write([manifest, file('a.txt', 'x', { local: { name: 'b.txt' } })]), 'ARCHIVE_CORRUPT', /name/);
    await expectRefused(write([manifest, file('a.txt', 'hello', { local: { method: 0 } })]), 'ARCHIVE_CORRUPT', /method/);
    await expectRefused(write([manifest, file('a.txt', 'x', { local: { crc: 1 } })]), 'ARCHIVE_CORRUPT', /CRC or sizes/);
    await expectRefused(write([manifest, file('a.txt', 'x', { local: { size: 7 } })]), 'ARCHIVE_CORRUPT', /CRC or sizes/);
    await expectRefused(write([manifest, file('a.txt', 'x', { local: { flags: 0x0001 } })]), 'ARCHIVE_CORRUPT', /encryption/);
  });

  it('refuses a bundle without manifest.json at the root', async () => {
    await expectRefused(write([file('sub/manifest.json', '{}'), file('index.js')]), 'NOT_A_BUNDLE', /manifest\.json/);
  });

  it('refuses a huge manifest and a non-UTF-8 manifest', async () => {
    const huge = Buffer.from(`{"name":"${'x'.repeat(1024 * 1024 + 10)}"}`);
    await expectRefused(write([{ name: 'manifest.json', content: huge, method: 0 }]), 'ARCHIVE_HOSTILE', /manifest\.json is \d+ bytes/);
    await expectRefused(write([{ name: 'manifest.json', content: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]) }]), 'ARCHIVE_HOSTILE', /UTF-8/);
  });
});

describe('accepted archives', () => {
  it('decodes names without the UTF-8 flag as CP437', async () => {
    const archive = await openArchive(write([manifest, file(Buffer.from([0x63, 0x61, 0x66, 0x82]))]));
    expect(archive.entries.map((e) => e.name)).toContain('café');
    await archive.close();
  });

  it('creates explicit directory entries (trailing slash, S_IFDIR, DOS attribute), including empty ones', async () => {
    const path = write([
      manifest,
      { name: 'server/', externalAttributes: unixAttrs(0o040700) },
      file('server/index.js', 'x', { externalAttributes: unixAttrs(0o100750) }),
      { name: 'empty-dir/', externalAttributes: unixAttrs(0o040755) },
      { name: 'dos-dir', madeBy: 0x0014, externalAttributes: 0x10 },
    ]);
    const out = join(dir, 'out');
    const result = await unpackArchive(path, out);
    expect(result.files).toBe(2);
    expect(statSync(join(out, 'empty-dir')).isDirectory()).toBe(true);
    expect(statSync(join(out, 'dos-dir')).isDirectory()).toBe(true);
    expect(statSync(join(out, 'server')).mode & 0o7777).toBe(0o755);
    expect(statSync(join(out, 'server/index.js')).mode & 0o7777).toBe(0o755);
  });

  it('never sets setuid, setgid or sticky bits', async () => {
    const out = join(dir, 'out');
    await unpackArchive(write([manifest, file('run', 'x', { externalAttributes: unixAttrs(0o107777) })]), out);
    expect(statSync(join(out, 'run')).mode & 0o7777).toBe(0o755);
  });

  it('accepts entries written with data descriptors', async () => {
    const out = join(dir, 'out');
    await unpackArchive(write([manifest, file('a.txt', 'hello', { flags: 0x0008, descriptor: true })]), out);
    expect(readFileSync(join(out, 'a.txt'), 'utf8')).toBe('hello');
  });
});
