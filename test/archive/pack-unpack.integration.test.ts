import { lstatSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bundleInfo, openArchive, packBundle, readBundle, unpackArchive } from '../../src/archive/index.js';
import { tempDir } from '../helpers/cli.js';
import { minimalManifest, writeBundleFolder } from './helpers/fixtures.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir('mpak-pack-')));
afterEach(async () => cleanup());

describe('pack → read → unpack', () => {
  it('round-trips content and modes 0755/0644, and reports what it wrote', async () => {
    const src = join(dir, 'src');
    writeBundleFolder(src);
    const result = await packBundle({ dir: 'src', cwd: dir });
    expect(result.output).toBe(join(dir, 'acme-weather-1.2.0.mcpb'));
    expect(result.written).toBe(true);
    expect(result.files).toBe(4);
    expect(result.sha256).toMatch(/^[a-f0-9]{64}$/);

    const archive = await openArchive(result.output);
    expect(archive.sha256).toBe(result.sha256);
    expect(archive.unsignedSha256).toBe(result.sha256);
    expect(archive.trailer.state).toBe('unsigned');
    expect(archive.entries.map((e) => [e.name, e.mode])).toEqual([
      ['README.md', 0o644],
      ['manifest.json', 0o644],
      ['server/index.js', 0o644],
      ['server/run.sh', 0o755],
    ]);
    expect((await archive.readEntry('server/run.sh')).toString()).toBe('#!/bin/sh\necho hi\n');
    await archive.close();

    const out = join(dir, 'out');
    const unpacked = await unpackArchive(result.output, out);
    expect(unpacked.files).toBe(4);
    expect(statSync(join(out, 'server/run.sh')).mode & 0o7777).toBe(0o755);
    expect(statSync(join(out, 'server/index.js')).mode & 0o7777).toBe(0o644);
    expect(statSync(join(out, 'server')).mode & 0o7777).toBe(0o755);
    expect(readFileSync(join(out, 'manifest.json'), 'utf8')).toBe(readFileSync(join(src, 'manifest.json'), 'utf8'));
    expect(readdirSync(dir).sort()).toEqual(['acme-weather-1.2.0.mcpb', 'out', 'src']);

    const bundle = await readBundle(result.output);
    expect(bundle.manifestCheck.valid).toBe(true);
    await bundle.archive.close();
    const info = await bundleInfo(result.output);
    expect(info).toMatchObject({ name: '@acme/weather', version: '1.2.0', files: 4, signature: { state: 'unsigned' } });
  });

  it('refuses an existing destination without force and replaces it with force', async () => {
    writeBundleFolder(join(dir, 'src'));
    const { output } = await packBundle({ dir: 'src', cwd: dir });
    const out = join(dir, 'out');
    mkdirSync(out);
    readFileSync(output);
    await unpackArchive(output, out, { force: true });
    await expect(unpackArchive(output, out)).rejects.toMatchObject({ code: 'DEST_EXISTS', exitCode: 2 });
    const again = await unpackArchive(output, out, { force: true });
    expect(again.replaced).toBe(true);
    expect(lstatSync(join(out, 'manifest.json')).isFile()).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(['acme-weather-1.2.0.mcpb', 'out', 'src']);
  });

  it('keeps an existing destination for caches (keepExisting) without touching it', async () => {
    writeBundleFolder(join(dir, 'src'));
    const { output } = await packBundle({ dir: 'src', cwd: dir });
    const out = join(dir, 'cache-entry');
    mkdirSync(out);
    writeFileSync(join(out, 'marker'), 'other process');
    const r = await unpackArchive(output, out, { keepExisting: true });
    expect(r.keptExisting).toBe(true);
    expect(readdirSync(out)).toEqual(['marker']);
    expect(readdirSync(dir).sort()).toEqual(['acme-weather-1.2.0.mcpb', 'cache-entry', 'src']);
  });

  it('applies configurable limits', async () => {
    writeBundleFolder(join(dir, 'src'));
    const { output } = await packBundle({ dir: 'src', cwd: dir });
    await expect(openArchive(output, { limits: { maxEntries: 3 } })).rejects.toMatchObject({ code: 'ARCHIVE_HOSTILE', message: expect.stringMatching(/4 entries exceed the limit of 3/) });
    await expect(openArchive(output, { limits: { maxTotalSize: 100 } })).rejects.toMatchObject({ code: 'ARCHIVE_HOSTILE', message: expect.stringMatching(/total exceeds 100/) });
  });

  it('refuses an invalid manifest with its problems and writes nothing', async () => {
    writeBundleFolder(join(dir, 'src'), { ...minimalManifest(), author: undefined });
    await expect(packBundle({ dir: 'src', cwd: dir })).rejects.toMatchObject({ code: 'MANIFEST_INVALID', exitCode: 2 });
    expect(readdirSync(dir)).toEqual(['src']);
  });
});
