import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { detectServer, initBundle, validateManifest, validateManifestPath, type InitAnswers } from '../../src/manifest/index.js';
import { tempDir } from '../helpers/cli.js';

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.map((c) => c()));
  cleanups = [];
});

async function project(files: Record<string, string>, exec: string[] = []): Promise<string> {
  const t = await tempDir('mpak-init-');
  cleanups.push(t.cleanup);
  for (const [rel, content] of Object.entries(files)) {
    await mkdir(join(t.dir, rel, '..'), { recursive: true });
    await writeFile(join(t.dir, rel), content);
  }
  for (const rel of exec) await chmod(join(t.dir, rel), 0o755);
  return t.dir;
}

async function initWithDefaults(dir: string) {
  const d = await detectServer(dir);
  return initBundle(dir, { ...d, type: d.type!, entryPoint: d.entryPoint! } as InitAnswers);
}

describe('detectServer + initBundle per server type', () => {
  it('node: package.json main, name, version, author person string', async () => {
    const dir = await project({
      'package.json': JSON.stringify({ name: '@acme/weather', version: '2.1.0', description: 'Weather', main: './dist/index.js', author: 'Ada Lovelace <ada@example.com> (https://ada.example)', license: 'Apache-2.0' }),
      'dist/index.js': '',
    });
    const d = await detectServer(dir);
    expect(d).toMatchObject({ type: 'node', entryPoint: 'dist/index.js', name: '@acme/weather', version: '2.1.0', license: 'Apache-2.0' });
    expect(d.author).toEqual({ name: 'Ada Lovelace', email: 'ada@example.com', url: 'https://ada.example' });
    const r = await initWithDefaults(dir);
    expect(r.manifest.manifest_version).toBe('0.3');
    expect(r.manifest.server).toEqual({
      type: 'node',
      entry_point: 'dist/index.js',
      mcp_config: { command: 'node', args: ['${__dirname}/dist/index.js'], env: {} },
    });
    const written = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
    expect(written).toEqual(r.manifest);
    expect(validateManifest(written, { strict: true }).errors).toEqual([]);
    expect((await validateManifestPath(dir)).valid).toBe(true);
    expect(await readFile(join(dir, '.mcpbignore'), 'utf8')).toContain('/src/**/*.ts');
  });

  it('node without main defaults to server/index.js; bad author email is dropped', async () => {
    const dir = await project({ 'package.json': JSON.stringify({ author: { name: 'X', email: 'not-an-email' } }) });
    const d = await detectServer(dir);
    expect(d.entryPoint).toBe('server/index.js');
    expect(d.author).toEqual({ name: 'X' });
    expect(d.description).toBe('A MCPB bundle');
  });

  it('python: pyproject fields, server/main.py, PYTHONPATH default', async () => {
    const dir = await project({
      'pyproject.toml': '[project]\nname = "notes"\nversion = "0.3.0"\ndescription = "Notes server"\nauthors = [{name = "Grace", email = "grace@example.com"}]\n\n[tool.x]\nname = "other"\n',
      'server/main.py': 'print(1)\n',
    });
    const r = await initWithDefaults(dir);
    expect(r.manifest).toMatchObject({
      manifest_version: '0.3',
      name: 'notes',
      version: '0.3.0',
      description: 'Notes server',
      author: { name: 'Grace', email: 'grace@example.com' },
      server: {
        type: 'python',
        entry_point: 'server/main.py',
        mcp_config: { command: 'python', args: ['${__dirname}/server/main.py'], env: { PYTHONPATH: '${__dirname}/server/lib' } },
      },
    });
    expect(await readFile(join(dir, '.mcpbignore'), 'utf8')).toContain('__pycache__/');
  });

  it('python from loose *.py files picks an existing entry', async () => {
    const dir = await project({ 'server.py': '' });
    expect(await detectServer(dir)).toMatchObject({ type: 'python', entryPoint: 'server.py' });
  });

  it('uv: pyproject + uv.lock → manifest 0.4, type uv', async () => {
    const dir = await project({ 'pyproject.toml': '[project]\nname = "uvsrv"\n', 'uv.lock': '', 'src/server.py': '' });
    const r = await initWithDefaults(dir);
    expect(r.manifest.manifest_version).toBe('0.4');
    expect(r.manifest.server).toMatchObject({ type: 'uv', entry_point: 'src/server.py', mcp_config: { command: 'uv' } });
    expect(validateManifest(r.manifest).valid).toBe(true);
  });

  it.skipIf(process.platform === 'win32')('binary: an executable under server/', async () => {
    const dir = await project({ 'server/my-server': '#!/bin/sh\n', 'README.md': '' }, ['server/my-server']);
    const r = await initWithDefaults(dir);
    expect(r.manifest.server).toEqual({ type: 'binary', entry_point: 'server/my-server', mcp_config: { command: '${__dirname}/server/my-server', args: [], env: {} } });
    expect((await validateManifestPath(dir)).valid).toBe(true);
  });

  it('nothing recognisable: no type', async () => {
    const dir = await project({ 'notes.txt': '' });
    expect((await detectServer(dir)).type).toBeUndefined();
  });

  it('refuses to overwrite without force, keeps an existing .mcpbignore', async () => {
    const dir = await project({ 'package.json': '{}', '.mcpbignore': 'mine\n' });
    const first = await initWithDefaults(dir);
    expect(first.written).toEqual([join(dir, 'manifest.json')]);
    await expect(initWithDefaults(dir)).rejects.toMatchObject({ code: 'MANIFEST_EXISTS', exitCode: 2 });
    const d = await detectServer(dir);
    await initBundle(dir, { ...d, type: 'node', entryPoint: 'server/index.js', version: '9.9.9' } as InitAnswers, { force: true });
    expect(JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')).version).toBe('9.9.9');
    expect(await readFile(join(dir, '.mcpbignore'), 'utf8')).toBe('mine\n');
  });

  it('never writes an invalid manifest', async () => {
    const dir = await project({});
    const bad = { type: 'node', entryPoint: 'a.js', name: 'x', version: '1.0.0', description: 'd', author: { name: 'A', email: 'nope' } } as InitAnswers;
    await expect(initBundle(dir, bad)).rejects.toMatchObject({ code: 'INIT_INVALID_VALUE' });
  });
});
