import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collectBundleFiles, DEFAULT_EXCLUDES } from '../../src/archive/select.js';
import { tempDir } from '../helpers/cli.js';
import { writeTree } from './helpers/fixtures.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir('mpak-select-')));
afterEach(async () => cleanup());

const paths = async (root = dir) => (await collectBundleFiles(root)).files.map((f) => f.path);

describe('default excludes', () => {
  it('has exactly the 33 official patterns in order', () => {
    expect(DEFAULT_EXCLUDES).toHaveLength(33);
    expect(DEFAULT_EXCLUDES[0]).toBe('.DS_Store');
    expect(DEFAULT_EXCLUDES[21]).toBe('*.map');
    expect(DEFAULT_EXCLUDES[32]).toBe('tsconfig.json');
  });

  it('follows every example of mcpb-format §4', async () => {
    writeTree(dir, {
      'manifest.json': '{}',
      'sub/tsconfig.json': '{}',
      'x/.env.production': 'X=1',
      '.envrc': 'x',
      'lib/node_modules/.bin/tool': 'x',
      'node_modules/x/.cache/y': 'x',
      'node_modules/.package-lock.json': '{}',
      'node_modules/.bin/tsc': 'x',
      'node_modules/.cache/z': 'x',
      'tsconfig.build.json': '{}',
      'pnpm-lock.yaml': 'x',
      '.github/workflows/ci.yml': 'x',
      '.vscode/settings.json': '{}',
      'yarn.lock': 'x',
      'package-lock.json': '{}',
      'node_modules/es-abstract/Iterator.prototype.map/index.js': 'x',
      'dist/index.js.map': '{}',
      'dist/index.js': 'x',
      'dist/index.d.ts': 'x',
      'THUMBS.DB': 'x',
      'Debug.LOG': 'x',
      'old.mcpb': 'x',
    });
    const got = await paths();
    expect(got).toEqual([
      '.github/workflows/ci.yml',
      '.vscode/settings.json',
      'dist/index.js',
      'lib/node_modules/.bin/tool',
      'manifest.json',
      'node_modules/.package-lock.json',
      'node_modules/es-abstract/Iterator.prototype.map/index.js',
      'node_modules/x/.cache/y',
      'pnpm-lock.yaml',
      'tsconfig.build.json',
    ]);
  });

  it('lets .mcpbignore re-include a default-excluded file, and counts the two sources apart', async () => {
    writeTree(dir, {
      'manifest.json': '{}',
      '.mcpbignore': '# comment\r\n\r\n!yarn.lock\n  /docs/  \nsecret.txt\n',
      'yarn.lock': 'x',
      'docs/a.md': 'x',
      'src/docs/b.md': 'x',
      'secret.txt': 'x',
      'a.log': 'x',
    });
    const sel = await collectBundleFiles(dir);
    expect(sel.files.map((f) => f.path)).toEqual(['manifest.json', 'src/docs/b.md', 'yarn.lock']);
    expect(sel.excluded).toEqual([
      { path: '.mcpbignore', pattern: '.mcpbignore', source: 'default' },
      { path: 'a.log', pattern: '*.log', source: 'default' },
      { path: 'docs/', pattern: '/docs/', source: 'mcpbignore' },
      { path: 'secret.txt', pattern: 'secret.txt', source: 'mcpbignore' },
    ]);
    expect(sel.excludedByDefault).toBe(2);
    expect(sel.excludedByIgnoreFile).toBe(2);
    expect(sel.ignoreLines).toEqual(['!yarn.lock', '/docs/', 'secret.txt']);
  });

  it('prunes excluded directories, so a negation below them brings nothing back', async () => {
    writeTree(dir, { 'manifest.json': '{}', '.mcpbignore': '!node_modules/.bin/x\n', 'node_modules/.bin/x': 'x' });
    expect(await paths()).toEqual(['manifest.json']);
  });

  it('never excludes manifest.json, and says when .mcpbignore tried to', async () => {
    writeTree(dir, { 'manifest.json': '{}', '.mcpbignore': '*.json\n', 'a.json': '{}' });
    const sel = await collectBundleFiles(dir);
    expect(sel.files.map((f) => f.path)).toEqual(['manifest.json']);
    expect(sel.ignoreFileExcludesManifest).toBe(true);
  });

  it('notes empty directories', async () => {
    writeTree(dir, { 'manifest.json': '{}', 'logs/a.log': 'x' });
    mkdirSync(join(dir, 'empty'));
    const sel = await collectBundleFiles(dir);
    expect(sel.emptyDirectories).toEqual(['empty/', 'logs/']);
  });
});

describe('symlinks and special files', () => {
  it('stores a link inside the root as a regular file at the link path', async () => {
    writeTree(dir, { 'manifest.json': '{}', 'real/a.js': 'A', 'real/b.sh': ['B', 0o755] });
    symlinkSync('real/a.js', join(dir, 'alias.js'));
    symlinkSync('real', join(dir, 'linked-dir'));
    const sel = await collectBundleFiles(dir);
    expect(sel.files.map((f) => f.path)).toEqual(['alias.js', 'linked-dir/a.js', 'linked-dir/b.sh', 'manifest.json', 'real/a.js', 'real/b.sh']);
    const alias = sel.files.find((f) => f.path === 'alias.js')!;
    expect(alias.source).toBe(join(sel.root, 'real/a.js'));
    expect(sel.files.find((f) => f.path === 'linked-dir/b.sh')!.mode & 0o111).not.toBe(0);
  });

  it('refuses a link that leaves the root, naming link, target and root', async () => {
    const outside = join(dir, 'outside');
    writeTree(outside, { 'secret.txt': 'x' });
    const root = join(dir, 'bundle');
    writeTree(root, { 'manifest.json': '{}' });
    symlinkSync(join(outside, 'secret.txt'), join(root, 'leak.txt'));
    await expect(collectBundleFiles(root)).rejects.toMatchObject({
      code: 'SYMLINK_OUTSIDE_ROOT',
      exitCode: 2,
      message: expect.stringMatching(/leak\.txt.*outside[/\\]secret\.txt.*bundle/),
    });
  });

  it('refuses broken links and loops, unless the rules exclude them', async () => {
    writeTree(dir, { 'manifest.json': '{}' });
    symlinkSync('nowhere', join(dir, 'broken.js'));
    await expect(collectBundleFiles(dir)).rejects.toMatchObject({ code: 'SYMLINK_BROKEN', message: expect.stringContaining('broken.js') });
    execFileSync('rm', [join(dir, 'broken.js')]);
    symlinkSync('loop', join(dir, 'loop'));
    await expect(collectBundleFiles(dir)).rejects.toMatchObject({ code: 'SYMLINK_CYCLE' });
    execFileSync('rm', [join(dir, 'loop')]);
    symlinkSync('nowhere', join(dir, 'debug.log'));
    expect(await paths()).toEqual(['manifest.json']);
  });

  it('refuses a directory link back to an ancestor (cycle)', async () => {
    writeTree(dir, { 'manifest.json': '{}', 'a/b/c.js': 'x' });
    symlinkSync('..', join(dir, 'a/b/up'));
    await expect(collectBundleFiles(dir)).rejects.toMatchObject({ code: 'SYMLINK_CYCLE', message: expect.stringContaining('a/b/up') });
  });

  it('refuses FIFOs', async () => {
    writeTree(dir, { 'manifest.json': '{}' });
    execFileSync('mkfifo', [join(dir, 'pipe')]);
    await expect(collectBundleFiles(dir)).rejects.toMatchObject({ code: 'SPECIAL_FILE', message: expect.stringContaining('pipe is a FIFO') });
  });

  it('refuses paths that differ only in case', async () => {
    writeTree(dir, { 'manifest.json': '{}', 'README.md': 'a', 'readme.md': 'b' });
    await expect(collectBundleFiles(dir)).rejects.toMatchObject({ code: 'CASE_COLLISION' });
    await cleanup();
    ({ dir, cleanup } = await tempDir('mpak-select-'));
    writeTree(dir, { 'manifest.json': '{}', lib: 'file', 'Lib/x.js': 'dir' });
    await expect(collectBundleFiles(dir)).rejects.toMatchObject({ code: 'CASE_COLLISION' });
  });
});
