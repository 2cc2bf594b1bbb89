import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, readFileSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bundleInfo, defaultOutputName, openArchive, packBundle, readBundle, unpackArchive } from '../../src/archive/index.js';
import { tempDir } from '../helpers/cli.js';
import { parseRawZip } from './helpers/raw-zip.js';
import { minimalManifest, writeBundleFolder, writeTree } from './helpers/fixtures.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir('mpak-packi-')));
afterEach(async () => cleanup());

describe('reproducibility', () => {
  it('gives the same bytes twice, and for a copy with other mtimes, umask-style modes and creation order', async () => {
    writeBundleFolder(join(dir, 'a'), minimalManifest(), { 'lib/z.js': 'z', 'lib/é.js': 'accent', 'data/blob.bin': randomBytes(2048) });
    const first = await packBundle({ dir: 'a', cwd: dir, output: 'one.mcpb' });
    const second = await packBundle({ dir: 'a', cwd: dir, output: 'two.mcpb' });
    expect(second.sha256).toBe(first.sha256);

    cpSync(join(dir, 'a'), join(dir, 'b'), { recursive: true });
    const touched = new Date('2020-02-02T12:34:56Z');
    for (const f of ['manifest.json', 'server/index.js', 'lib/z.js']) utimesSync(join(dir, 'b', f), touched, touched);
    chmodSync(join(dir, 'b/server/index.js'), 0o600); // another umask: still "not executable"
    chmodSync(join(dir, 'b/server/run.sh'), 0o700); // still "executable"
    chmodSync(join(dir, 'b/lib/z.js'), 0o664);
    const copy = await packBundle({ dir: 'b', cwd: dir, output: 'three.mcpb' });
    expect(copy.sha256).toBe(first.sha256);
    expect(readFileSync(join(dir, 'three.mcpb')).equals(readFileSync(join(dir, 'one.mcpb')))).toBe(true);
  });

  it('honours SOURCE_DATE_EPOCH (reproducibly) and rejects a malformed one', async () => {
    writeBundleFolder(join(dir, 'a'));
    const base = await packBundle({ dir: 'a', cwd: dir, output: 'base.mcpb' });
    const e1 = await packBundle({ dir: 'a', cwd: dir, output: 'e1.mcpb', sourceDateEpoch: '1700000000' });
    const e2 = await packBundle({ dir: 'a', cwd: dir, output: 'e2.mcpb', sourceDateEpoch: '1700000001' });
    expect(e1.sha256).not.toBe(base.sha256);
    expect(e2.sha256).toBe(e1.sha256); // floored to 2 s
    const entries = parseRawZip(readFileSync(join(dir, 'e1.mcpb'))).entries;
    // 2023-11-14T22:13:20Z
    expect(entries.every((e) => e.dosDate === ((43 << 9) | (11 << 5) | 14) && e.dosTime === ((22 << 11) | (13 << 5) | 10))).toBe(true);
    await expect(packBundle({ dir: 'a', cwd: dir, output: 'bad.mcpb', sourceDateEpoch: 'yesterday' })).rejects.toMatchObject({ code: 'SOURCE_DATE_EPOCH_INVALID', exitCode: 2 });
  });

  it('stores precompressed data and deflates text', async () => {
    writeBundleFolder(join(dir, 'a'), minimalManifest(), { 'icon.png': randomBytes(4096), 'big.txt': 'lorem ipsum '.repeat(1000) });
    const { output } = await packBundle({ dir: 'a', cwd: dir });
    const byName = Object.fromEntries(parseRawZip(readFileSync(output)).entries.map((e) => [e.name, e]));
    expect(byName['icon.png']!.method).toBe(0);
    expect(byName['big.txt']!.method).toBe(8);
    expect(execFileSync('unzip', ['-tq', output], { encoding: 'utf8' })).toMatch(/No errors detected/);
  });
});

describe('pack checks', () => {
  it('names the default output <slug>-<version>.mcpb', () => {
    expect(defaultOutputName('@acme/weather', '1.2.0')).toBe('acme-weather-1.2.0.mcpb');
    expect(defaultOutputName('My  Cool Server!', '2.0.0-beta.1')).toBe('my-cool-server-2.0.0-beta.1.mcpb');
    expect(defaultOutputName('', '1.0.0')).toBe('bundle-1.0.0.mcpb');
  });

  it('refuses a missing entry point unless allowed, naming the pattern that excluded it', async () => {
    writeBundleFolder(join(dir, 'a'), minimalManifest(), { '.mcpbignore': 'server/index.js\n' });
    await expect(packBundle({ dir: 'a', cwd: dir })).rejects.toMatchObject({
      code: 'PACK_CHECK_FAILED',
      exitCode: 2,
      message: expect.stringMatching(/server\/index\.js.*\.mcpbignore pattern server\/index\.js/),
    });
    expect(readdirSync(dir)).toEqual(['a']);
    const ok = await packBundle({ dir: 'a', cwd: dir, allowMissingEntryPoint: true });
    expect(ok.warnings.join('\n')).toMatch(/allowed by --allow-missing-entry-point/);
  });

  it('accepts <entry>.exe for the entry point', async () => {
    const manifest = minimalManifest('0.3', { server: { type: 'binary', entry_point: 'bin/server', mcp_config: { command: '${__dirname}/bin/server' } } });
    writeBundleFolder(join(dir, 'a'), manifest, { 'bin/server.exe': 'MZ' });
    const r = await packBundle({ dir: 'a', cwd: dir });
    expect(r.included).toContain('bin/server.exe');
  });

  it('refuses a binary entry point without an executable bit unless allowed', async () => {
    const manifest = minimalManifest('0.3', { server: { type: 'binary', entry_point: 'bin/server', mcp_config: { command: '${__dirname}/bin/server' } } });
    writeBundleFolder(join(dir, 'a'), manifest, { 'bin/server': ['ELF', 0o644] });
    await expect(packBundle({ dir: 'a', cwd: dir })).rejects.toMatchObject({ code: 'PACK_CHECK_FAILED', message: expect.stringContaining('not executable') });
    await packBundle({ dir: 'a', cwd: dir, allowNonExecutableEntryPoint: true });
    chmodSync(join(dir, 'a/bin/server'), 0o755);
    await packBundle({ dir: 'a', cwd: dir, output: 'x.mcpb' });
  });

  it('refuses .mcpbignore excluding manifest.json unless allowed, and packs it anyway when allowed', async () => {
    writeBundleFolder(join(dir, 'a'), minimalManifest(), { '.mcpbignore': 'manifest.json\n' });
    await expect(packBundle({ dir: 'a', cwd: dir })).rejects.toMatchObject({ code: 'PACK_CHECK_FAILED', message: expect.stringContaining('.mcpbignore excludes manifest.json') });
    const r = await packBundle({ dir: 'a', cwd: dir, allowIgnoredManifest: true });
    expect(r.included).toContain('manifest.json');
  });

  it('refuses an icon that is not a PNG (bundle-context checks over the packed set)', async () => {
    writeBundleFolder(join(dir, 'a'), minimalManifest('0.3', { icon: 'icon.png' }), { 'icon.png': 'not a png' });
    await expect(packBundle({ dir: 'a', cwd: dir })).rejects.toMatchObject({ code: 'MANIFEST_INVALID', message: expect.stringContaining('PNG') });
  });

  it('refuses to overwrite without force', async () => {
    writeBundleFolder(join(dir, 'a'));
    await packBundle({ dir: 'a', cwd: dir });
    await expect(packBundle({ dir: 'a', cwd: dir })).rejects.toMatchObject({ code: 'OUTPUT_EXISTS', exitCode: 2 });
    await packBundle({ dir: 'a', cwd: dir, force: true });
  });

  it('lists included and excluded paths on a dry run and writes nothing', async () => {
    writeBundleFolder(join(dir, 'a'), minimalManifest(), { 'a.log': 'x' });
    const r = await packBundle({ dir: 'a', cwd: dir, dryRun: true });
    expect(r.written).toBe(false);
    expect(r.sha256).toBeUndefined();
    expect(r.excluded).toEqual([{ path: 'a.log', pattern: '*.log', source: 'default' }]);
    expect(readdirSync(dir)).toEqual(['a']);
  });
});

describe('content hashes', () => {
  it('writes sorted {path, sha256, size} into the packed manifest only', async () => {
    writeBundleFolder(join(dir, 'a'), minimalManifest('0.3', { _meta: { 'com.example': { x: 1 } } }));
    const source = readFileSync(join(dir, 'a/manifest.json'), 'utf8');
    const r = await packBundle({ dir: 'a', cwd: dir, contentHashes: true });
    expect(readFileSync(join(dir, 'a/manifest.json'), 'utf8')).toBe(source);
    const bundle = await readBundle(r.output);
    const packed = JSON.parse(bundle.manifestText);
    await bundle.archive.close();
    expect(packed._meta['com.example']).toEqual({ x: 1 });
    const files = packed._meta['dev.mpak'].files as { path: string; sha256: string; size: number }[];
    expect(files.map((f) => f.path)).toEqual(['README.md', 'server/index.js', 'server/run.sh']);
    const expected = execFileSync('sha256sum', ['server/index.js'], { cwd: join(dir, 'a'), encoding: 'utf8' }).split(' ')[0];
    expect(files[1]).toEqual({ path: 'server/index.js', sha256: expected, size: 22 });
    expect(bundle.manifestCheck.valid).toBe(true);
  });

  it('needs manifest_version 0.3 or later', async () => {
    writeBundleFolder(join(dir, 'a'), minimalManifest('0.2'));
    await expect(packBundle({ dir: 'a', cwd: dir, contentHashes: true })).rejects.toMatchObject({ code: 'CONTENT_HASHES_NEED_META', exitCode: 2 });
  });
});

describe('signed bundles', () => {
  /** Appends an MCPB_SIG_V1 block (fake DER: the reader only strips it) as variant A or B. */
  function sign(bytes: Buffer, variant: 'A' | 'B'): Buffer {
    const der = randomBytes(300);
    const n = Buffer.alloc(4);
    n.writeUInt32LE(der.length);
    const trailer = Buffer.concat([Buffer.from('MCPB_SIG_V1'), n, der, Buffer.from('MCPB_SIG_END')]);
    const z = Buffer.from(bytes);
    if (variant === 'B') z.writeUInt16LE(trailer.length, z.length - 2);
    return Buffer.concat([z, trailer]);
  }

  for (const variant of ['A', 'B'] as const) {
    it(`reads, unpacks and summarises a variant-${variant} signed bundle`, async () => {
      writeBundleFolder(join(dir, 'a'));
      const r = await packBundle({ dir: 'a', cwd: dir });
      const signedPath = join(dir, 'signed.mcpb');
      writeFileSync(signedPath, sign(readFileSync(r.output), variant));
      const archive = await openArchive(signedPath);
      expect(archive.trailer.state).toBe('signed');
      expect(archive.unsignedSha256).toBe(r.sha256);
      expect(archive.sha256).not.toBe(r.sha256);
      await archive.close();
      const out = join(dir, 'out');
      expect((await unpackArchive(signedPath, out)).files).toBe(4);
      expect(readFileSync(join(out, 'server/run.sh'), 'utf8')).toContain('echo hi');
      expect((await bundleInfo(signedPath)).signature.state).toBe('signed');
    });
  }

  it('reports a malformed signature block in info, and refuses stray bytes after an unsigned ZIP', async () => {
    writeBundleFolder(join(dir, 'a'));
    const r = await packBundle({ dir: 'a', cwd: dir });
    const signed = sign(readFileSync(r.output), 'B');
    signed.writeUInt16LE(signed.readUInt16LE(readFileSync(r.output).length - 2) + 5, readFileSync(r.output).length - 2);
    const malformed = join(dir, 'malformed.mcpb');
    writeFileSync(malformed, signed);
    const info = await bundleInfo(malformed);
    expect(info.signature.state).toBe('malformed');
    expect(info.signature.reason).toMatch(/comment length/);

    const stray = join(dir, 'stray.mcpb');
    writeFileSync(stray, Buffer.concat([readFileSync(r.output), Buffer.from('MCPB_SIG_END')]));
    await expect(bundleInfo(stray)).rejects.toMatchObject({ code: 'ARCHIVE_CORRUPT' });
  });
});

describe('unpack of other writers', () => {
  it('unpacks zip -X output, explicit directory entries included', async () => {
    writeTree(join(dir, 'src'), { 'manifest.json': JSON.stringify(minimalManifest()), 'server/index.js': 'x', 'empty/.keep': '' });
    execFileSync('rm', [join(dir, 'src/empty/.keep')]);
    execFileSync('zip', ['-qrX', join(dir, 'z.mcpb'), '.'], { cwd: join(dir, 'src') });
    const result = await unpackArchive(join(dir, 'z.mcpb'), join(dir, 'out'));
    expect(result.files).toBe(2);
    expect(readdirSync(join(dir, 'out')).sort()).toEqual(['empty', 'manifest.json', 'server']);
  });
});
