import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeDeterministicZip } from '../../src/archive/index.js';
import { BundleValidateResultSchema } from '../../src/manifest/index.js';
import { repoRoot, runCli, tempDir } from '../helpers/cli.js';
import { minimal } from './probe-corpus.js';

// Spawns the built CLI (npm run build first). MPAK_HOME is isolated per run by runCli's caller.
let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.map((c) => c()));
  cleanups = [];
});

async function scratch(): Promise<string> {
  const t = await tempDir('mpak-validate-e2e-');
  cleanups.push(t.cleanup);
  return t.dir;
}

async function cli(args: string[], cwd: string) {
  return runCli(args, { cwd, env: { MPAK_HOME: join(cwd, '.mpak-home') } });
}

describe('mpak bundle validate', () => {
  it('a valid folder exits 0 and --json carries {valid, version, errors, warnings, path}', async () => {
    const dir = await scratch();
    await cp(join(repoRoot, 'examples', 'weather-node'), join(dir, 'weather'), {
      recursive: true,
      filter: (src) => !src.includes('node_modules'),
    });
    const human = await cli(['bundle', 'validate', 'weather'], dir);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('✓ weather: valid manifest 0.3');
    const r = await cli(['bundle', 'validate', 'weather', '--json'], dir);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ valid: true, version: '0.3', errors: [], warnings: [], path: 'weather' });
  });

  it('an invalid manifest exits 2 and lists every problem with its path', async () => {
    const dir = await scratch();
    const m = minimal('0.1');
    m.author.email = 'nope';
    m.scripts = {};
    m.user_config = { 'my key': { type: 'select', title: 't', description: 'd' } };
    m.icons = [];
    await writeFile(join(dir, 'manifest.json'), JSON.stringify(m, null, 2));
    const r = await cli(['bundle', 'validate', 'manifest.json', '--json'], dir);
    expect(r.code).toBe(2);
    const out = JSON.parse(r.stdout);
    // The --json shape is a public API with a checked-in schema.
    expect(BundleValidateResultSchema.safeParse(out).success).toBe(true);
    expect(out.valid).toBe(false);
    expect(out.version).toBe('0.1');
    expect(out.path).toBe('manifest.json');
    expect(out.errors.map((e: { pathText: string }) => e.pathText).sort()).toEqual(['author.email', 'icons', 'scripts', 'user_config["my key"].type']);
    expect(out.errors.find((e: { pathText: string }) => e.pathText === 'icons').message).toContain('needs manifest_version ≥ 0.3');
    const human = await cli(['bundle', 'validate', '.'], dir);
    expect(human.code).toBe(2);
    expect(human.stdout).toContain('error user_config["my key"].type:');
    expect(human.stdout).toContain('4 error(s)');
  });

  it('--strict makes warnings fail; a JSON syntax error names line and column', async () => {
    const dir = await scratch();
    const m = minimal('0.1');
    m.version = 'banana';
    await mkdir(join(dir, 'server'));
    await writeFile(join(dir, 'server', 'index.js'), '');
    await writeFile(join(dir, 'manifest.json'), JSON.stringify(m));
    expect((await cli(['bundle', 'validate', '.'], dir)).code).toBe(0);
    const strict = await cli(['bundle', 'validate', '.', '--strict', '--json'], dir);
    expect(strict.code).toBe(2);
    expect(JSON.parse(strict.stdout).errors[0].pathText).toBe('version');
    await writeFile(join(dir, 'manifest.json'), '{\n  "name": \n}');
    const syntax = await cli(['bundle', 'validate', '--json'], dir);
    expect(syntax.code).toBe(2);
    expect(JSON.parse(syntax.stdout).errors[0].message).toMatch(/^manifest.json: invalid JSON at line 3, column 1|invalid JSON at line 3, column 1/);
  });

  it('a .mcpb: valid bundle exits 0; missing entry point exits 2; a corrupt file exits 2', async () => {
    const dir = await scratch();
    const m = minimal('0.3');
    const manifest = Buffer.from(JSON.stringify(m));
    await writeDeterministicZip(
      [
        { path: 'manifest.json', data: manifest, mode: 0o644 },
        { path: 'server/index.js', data: Buffer.from('console.log(1)\n'), mode: 0o644 },
      ],
      join(dir, 'good.mcpb'),
    );
    await writeDeterministicZip([{ path: 'manifest.json', data: manifest, mode: 0o644 }], join(dir, 'noentry.mcpb'));
    await writeFile(join(dir, 'corrupt.mcpb'), 'PK\u0003\u0004 not really a zip');
    const good = await cli(['bundle', 'validate', 'good.mcpb', '--json'], dir);
    expect(good.code).toBe(0);
    expect(JSON.parse(good.stdout)).toMatchObject({ valid: true, version: '0.3', path: 'good.mcpb' });
    const noentry = await cli(['bundle', 'validate', 'noentry.mcpb', '--json'], dir);
    expect(noentry.code).toBe(2);
    expect(JSON.parse(noentry.stdout).errors).toMatchObject([{ pathText: 'server.entry_point' }]);
    const corrupt = await cli(['bundle', 'validate', 'corrupt.mcpb', '--json'], dir);
    expect(corrupt.code).toBe(2);
    expect(JSON.parse(corrupt.stdout).error.code).toMatch(/^ARCHIVE_/);
  });

  it('a folder without manifest.json exits 2 with a runnable suggestion', async () => {
    const dir = await scratch();
    const r = await cli(['bundle', 'validate', '--json'], dir);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'MANIFEST_NOT_FOUND' });
  });
});

describe('mpak bundle init', () => {
  it('--yes writes a valid manifest and .mcpbignore; a second run exits 2 without --force', async () => {
    const dir = await scratch();
    await writeFile(join(dir, 'package.json'), JSON.stringify({ name: '@acme/srv', version: '1.2.3', main: 'index.js' }));
    await writeFile(join(dir, 'index.js'), '');
    const r = await cli(['bundle', 'init', '--yes', '--description', 'My server', '--author', 'Ada <ada@example.com>', '--json'], dir);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.manifest).toMatchObject({ manifest_version: '0.3', name: '@acme/srv', description: 'My server', author: { name: 'Ada', email: 'ada@example.com' } });
    expect(out.sources).toMatchObject({ description: 'flag', name: 'package.json' });
    expect(JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'))).toEqual(out.manifest);
    expect((await cli(['bundle', 'validate', '.'], dir)).code).toBe(0);
    const again = await cli(['bundle', 'init', '--yes'], dir);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('--force');
    expect((await cli(['bundle', 'init', '--yes', '--force', '--version', '2.0.0'], dir)).code).toBe(0);
    expect(JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')).version).toBe('2.0.0');
  });

  it('without a TTY and without --yes: uses detected defaults and says so on stderr', async () => {
    const dir = await scratch();
    await writeFile(join(dir, 'main.py'), '');
    const r = await cli(['bundle', 'init'], dir);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('No TTY: using detected defaults');
    expect(JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')).server.type).toBe('python');
  });

  it('an undetectable folder is an error naming --type', async () => {
    const dir = await scratch();
    const r = await cli(['bundle', 'init', '--json'], dir);
    expect(r.code).toBe(2);
    const err = JSON.parse(r.stdout).error;
    expect(err.code).toBe('INIT_TYPE_UNKNOWN');
    expect(err.suggestions.join(' ')).toContain('--type');
  });
});
