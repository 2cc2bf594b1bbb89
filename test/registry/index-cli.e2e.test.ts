import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { binPath, runCli, tempDir } from '../helpers/cli.js';
import { makeBundle } from './bundles.js';

describe('mpak index (built CLI)', () => {
  let tmp: { dir: string; cleanup: () => Promise<void> };
  let env: Record<string, string>;
  beforeAll(async () => {
    tmp = await tempDir();
    env = { MPAK_HOME: join(tmp.dir, 'home'), GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' };
  });
  afterAll(() => tmp?.cleanup());

  it('init → add → build → verify, and verify fails on a tampered file', async () => {
    const reg = join(tmp.dir, 'reg');
    const init = await runCli(['index', 'init', reg, '--base-url', 'https://acme.github.io/registry/', '--min-level', 'L0', '--json'], { env });
    expect(init.code, init.stderr).toBe(0);
    const initResult = JSON.parse(init.stdout);
    expect(initResult.config).toMatchObject({ name: 'reg', policy: { minLevel: 0 } });
    expect(initResult.key.created).toBe(true);

    const again = await runCli(['index', 'init', reg, '--base-url', 'https://x.example/'], { env });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('--force');

    const bundle = await makeBundle(join(tmp.dir, 'b'), '@acme/weather', '1.0.0');
    const add = await runCli(['index', 'add', bundle, '--index', reg, '--json'], { env });
    expect(add.code, add.stderr).toBe(0);
    expect(JSON.parse(add.stdout)).toMatchObject({ outcome: 'added', name: '@acme/weather', version: '1.0.0' });

    const build = await runCli(['index', 'build', reg, '--json'], { env });
    expect(build.code, build.stderr).toBe(0);
    const built = JSON.parse(build.stdout);
    expect(built).toMatchObject({ version: 2, dirty: false, packages: { bundle: 1, skill: 0 }, blobs: 1 });

    const verify = await runCli(['index', 'verify', join(reg, 'dist'), '--json'], { env });
    expect(verify.code, verify.stdout).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, notMirrored: [], checked: { blobs: 1 } });

    const catalog = join(reg, 'dist', 'catalog.json');
    await writeFile(catalog, (await readFile(catalog, 'utf8')).replace('"weather"', '"weathex"'));
    const tampered = await runCli(['index', 'verify', join(reg, 'dist')], { env });
    expect(tampered.code).toBe(1);
    expect(tampered.stdout).toContain('catalog.json');
  }, 240_000);

  it('serve prints its URL to stderr, answers with ETags and stops on SIGINT', async () => {
    const root = join(tmp.dir, 'site');
    await mkdir(join(root, 'assets'), { recursive: true });
    await writeFile(join(root, 'index.html'), '<!doctype html><title>x</title>');
    const child = spawn(process.execPath, [binPath, 'index', 'serve', root, '--port', '0'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    const url = await new Promise<string>((ok, fail) => {
      child.stderr.on('data', (d) => {
        stderr += d;
        const m = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(stderr);
        if (m) ok(m[1]!);
      });
      child.on('exit', () => fail(new Error(`serve exited: ${stderr}`)));
    });
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const cached = await fetch(url, { headers: { 'if-none-match': page.headers.get('etag')! } });
    expect(cached.status).toBe(304);
    const code = await new Promise<number | null>((ok) => {
      child.removeAllListeners('exit');
      child.on('exit', (c) => ok(c));
      child.kill('SIGINT');
    });
    expect(code).toBe(0);
  }, 60_000);
});
