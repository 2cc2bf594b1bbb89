import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkBundleContext, folderBundleFiles, validateManifest, validateManifestPath, type BundleFiles, type Manifest } from '../../src/manifest/index.js';
import { tempDir } from '../helpers/cli.js';
import { minimal } from './probe-corpus.js';

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);

function memoryFiles(files: Record<string, Uint8Array>, exec: string[] = []): BundleFiles {
  return {
    has: (p) => p in files,
    read: async (p) => files[p]!,
    isExecutable: (p) => exec.includes(p),
  };
}

function manifestWith(change: (m: Record<string, any>) => void): Manifest {
  const m = minimal('0.3');
  change(m);
  const r = validateManifest(m);
  expect(r.errors).toEqual([]);
  return r.manifest!;
}

const entry = { 'server/index.js': new Uint8Array([1]) };

describe('checkBundleContext (mcpb-format.md §1.4)', () => {
  it('passes a bundle with its entry point and a PNG icon', async () => {
    const m = manifestWith((x) => (x.icon = './icon.png'));
    expect(await checkBundleContext(m, memoryFiles({ ...entry, 'icon.png': PNG }))).toEqual([]);
  });

  it('icon outcomes: remote warns; ${__dirname}, absolute, missing, not PNG are errors', async () => {
    const files = memoryFiles({ ...entry, 'icon.txt': new Uint8Array([1, 2, 3]) });
    const run = async (icon: string) => checkBundleContext(manifestWith((x) => (x.icon = icon)), files);
    expect(await run('https://x.example/i.png')).toMatchObject([{ severity: 'warning', pathText: 'icon' }]);
    expect((await run('${__dirname}/icon.png'))[0]).toMatchObject({ severity: 'error', message: 'Icon path should not use ${__dirname} variable substitution' });
    expect((await run('/abs/icon.png'))[0]!.message).toMatch(/not an absolute path/);
    expect((await run('missing.png'))[0]).toMatchObject({ severity: 'error', message: 'Icon file not found at path: missing.png' });
    expect((await run('icon.txt'))[0]!.message).toMatch(/must be PNG format/);
    expect((await run('../icon.png'))[0]!.message).toMatch(/outside the bundle/);
  });

  it('icons[].src missing or not PNG are warnings', async () => {
    const m = manifestWith((x) => (x.icons = [{ src: 'a.png', size: '16x16' }, { src: 'b.png', size: '32x32' }, { src: 'https://x.example/c.png', size: '1x1' }]));
    const ps = await checkBundleContext(m, memoryFiles({ ...entry, 'b.png': new Uint8Array([0]) }));
    expect(ps.map((p) => [p.severity, p.pathText])).toEqual([
      ['warning', 'icons.0.src'],
      ['warning', 'icons.1.src'],
    ]);
  });

  it('entry point: missing is an error, <entry>.exe counts, a binary must be executable', async () => {
    const m = manifestWith(() => {});
    expect((await checkBundleContext(m, memoryFiles({})))[0]).toMatchObject({ severity: 'error', pathText: 'server.entry_point' });
    expect(await checkBundleContext(m, memoryFiles({ 'server/index.js.exe': PNG }))).toEqual([]);
    expect(await checkBundleContext(m, memoryFiles({}), { entryPoint: false })).toEqual([]);
    const bin = manifestWith((x) => {
      x.server.type = 'binary';
      x.server.entry_point = 'server/srv';
    });
    expect((await checkBundleContext(bin, memoryFiles({ 'server/srv': PNG })))[0]!.message).toMatch(/not executable/);
    expect(await checkBundleContext(bin, memoryFiles({ 'server/srv': PNG }, ['server/srv']))).toEqual([]);
    const unverified = await checkBundleContext(bin, { has: () => true, read: async () => PNG });
    expect(unverified[0]).toMatchObject({ severity: 'warning' });
    expect(unverified[0]!.message).toMatch(/^unverified/);
  });
});

describe('validateManifestPath on real folders', () => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => cleanup?.());

  it('folder: schema + context; bare manifest.json: icon only', async () => {
    const t = await tempDir();
    cleanup = t.cleanup;
    const m = minimal('0.3');
    m.server.type = 'binary';
    m.server.entry_point = 'server/srv';
    m.icon = 'icon.png';
    await writeFile(join(t.dir, 'manifest.json'), JSON.stringify(m));
    await writeFile(join(t.dir, 'icon.png'), PNG);
    let r = await validateManifestPath(t.dir);
    expect(r.kind).toBe('folder');
    expect(r.errors.map((e) => e.message)).toEqual(['entry_point not found in the bundle: server/srv']);
    expect((await validateManifestPath(join(t.dir, 'manifest.json'))).valid).toBe(true);

    await mkdir(join(t.dir, 'server'));
    await writeFile(join(t.dir, 'server', 'srv'), '#!/bin/sh\n');
    if (process.platform !== 'win32') {
      r = await validateManifestPath(t.dir);
      expect(r.errors.map((e) => e.message)).toEqual(['binary entry point server/srv is not executable']);
      await chmod(join(t.dir, 'server', 'srv'), 0o755);
    }
    r = await validateManifestPath(t.dir);
    expect(r.valid).toBe(true);
    expect((await folderBundleFiles(t.dir)).has('icon.png')).toBe(true);
  });

  it('a missing manifest is MANIFEST_NOT_FOUND (exit 2)', async () => {
    const t = await tempDir();
    cleanup = t.cleanup;
    await expect(validateManifestPath(t.dir)).rejects.toMatchObject({ code: 'MANIFEST_NOT_FOUND', exitCode: 2 });
  });
});
