import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binPath, repoRoot, runCli, tempDir, type CliResult } from '../helpers/cli.js';
import { createFixtureRegistry, type FixtureRegistry } from '../client/helpers/registry.js';

/**
 * The fast paths of bin/run.js (`--version`, `bundle run` of a cached bundle) against the oclif
 * path (MPAK_NO_FAST_PATH=1): same bytes, same MCP answers, same refusals. Fast runs load
 * test/startup/no-oclif.mjs, which makes importing @oclif/core fail, so a success proves the
 * fast path answered; a fall-through under the hook would crash.
 */

const noOclif = pathToFileURL(join(repoRoot, 'test', 'startup', 'no-oclif.mjs')).href;
const weatherDir = join(repoRoot, 'examples', 'weather-node');
const notesDir = join(repoRoot, 'examples', 'notes-python');

/** bin/run.js with or without the no-oclif hook (fast) or with MPAK_NO_FAST_PATH=1 (oclif). */
function run(mode: 'fast' | 'oclif' | 'default', args: string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [...(mode === 'fast' ? ['--import', noOclif] : []), binPath, ...args], {
      cwd: repoRoot,
      env: { ...process.env, NO_COLOR: '1', CI: 'true', ...env, ...(mode === 'oclif' ? { MPAK_NO_FAST_PATH: '1' } : {}) },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
    child.stdin.end();
  });
}

/** Talks MCP to `mpak bundle run …`: lists the tools and calls each of `calls`. */
async function session(mode: 'fast' | 'oclif', args: string[], env: Record<string, string>, calls: { name: string; arguments: Record<string, unknown> }[]) {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [...(mode === 'fast' ? ['--import', noOclif] : []), binPath, ...args],
    env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '', CI: 'true', ...env, ...(mode === 'oclif' ? { MPAK_NO_FAST_PATH: '1' } : {}) },
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (d) => (stderr += d));
  const client = new Client({ name: 'mpak-startup-test', version: '1.0.0' });
  try {
    await client.connect(transport);
  } catch (err) {
    throw new Error(`${mode} ${args.join(' ')} failed: ${(err as Error).message}\n${stderr}`, { cause: err });
  }
  const tools = (await client.listTools()).tools.map((t) => ({ name: t.name, description: t.description }));
  const results = [];
  for (const c of calls) results.push((await client.callTool(c)).content);
  await client.close();
  return { tools, results, stderr };
}

let root: { dir: string; cleanup: () => Promise<void> };
let home: { dir: string; cleanup: () => Promise<void> };
let registry: FixtureRegistry;
let env: Record<string, string>;

beforeAll(async () => {
  if (!existsSync(join(weatherDir, 'node_modules'))) {
    await new Promise((ok) => spawn(process.execPath, [join(weatherDir, 'scripts', 'vendor.js')], { stdio: 'inherit' }).on('close', ok));
  }
  root = await tempDir('mpak-startup-');
  home = await tempDir('mpak-startup-home-');
  env = { MPAK_HOME: home.dir };
  registry = await createFixtureRegistry(root.dir, [
    { name: '@mpak-examples/weather', version: '1.0.0', dir: weatherDir, level: 2 },
    { name: '@acme/low', version: '1.0.0', level: 0 },
  ]);
  const added = await runCli(['registry', 'add', 'test', registry.distDir], { env });
  expect(added.code, added.stderr).toBe(0);
}, 120_000);
afterAll(async () => {
  await root?.cleanup();
  await home?.cleanup();
});

describe('mpak --version without oclif', () => {
  for (const flag of ['--version', '-v', 'version']) {
    it(`${flag} prints exactly what oclif prints`, async () => {
      const fast = await run('fast', [flag], env);
      const oclif = await run('oclif', [flag], env);
      expect(oclif.code).toBe(0);
      expect(oclif.stdout).toMatch(/^mpak\/\d+\.\d+\.\d+\S* \S+-\S+ node-v\d+/);
      expect(fast).toEqual(oclif);
    });
  }
});

describe('mpak bundle run fast path', () => {
  const weatherCalls = [
    { name: 'list_cities', arguments: {} },
    { name: 'get_forecast', arguments: { city: 'berlin', days: 2 } },
  ];

  it('a cached registry bundle answers the same on the fast path and through oclif', async () => {
    // The first run goes through oclif: it resolves, downloads, verifies and extracts.
    const first = await session('oclif', ['bundle', 'run', '@mpak-examples/weather'], env, weatherCalls);
    expect(first.tools.map((t) => t.name)).toContain('get_forecast');
    for (const ref of ['@mpak-examples/weather', '@mpak-examples/weather@1.0.0', '@mpak-examples/weather@^1']) {
      const fast = await session('fast', ['bundle', 'run', ref], env, weatherCalls);
      const oclif = await session('oclif', ['bundle', 'run', ref], env, weatherCalls);
      expect(fast.tools).toEqual(first.tools);
      expect(fast.results).toEqual(oclif.results);
      expect(fast.stderr).toBe(oclif.stderr);
    }
    expect(JSON.stringify(first.results[1])).toMatch(/berlin/i);
    // Schema checks ran once and were remembered per content hash and mpak version.
    const stamps = await readdir(join(home.dir, 'cache', 'checked'));
    expect(stamps.some((s) => s.startsWith('manifest-'))).toBe(true);
    expect(stamps.some((s) => s.startsWith('package-document-'))).toBe(true);
  }, 120_000);

  it('--offline and args after -- reach the server the same way', async () => {
    const args = ['bundle', 'run', '@mpak-examples/weather@1.0.0', '--offline', '--min-level', 'L2', '--', '--extra'];
    const fast = await session('fast', args, env, weatherCalls);
    const oclif = await session('oclif', args, env, weatherCalls);
    expect(fast.results).toEqual(oclif.results);
  }, 60_000);

  it('a local .mcpb already extracted (keyed by SHA-256) and a folder run on the fast path', async () => {
    const file = registry.bundles['@mpak-examples/weather@1.0.0']!.file;
    await session('oclif', ['bundle', 'run', file], env, []);
    expect(await readdir(join(home.dir, 'cache', '_local'))).toContain(registry.bundles['@mpak-examples/weather@1.0.0']!.sha256);
    for (const target of [file, weatherDir]) {
      const fast = await session('fast', ['bundle', 'run', target], env, weatherCalls);
      const oclif = await session('oclif', ['bundle', 'run', target], env, weatherCalls);
      expect(fast.tools).toEqual(oclif.tools);
      expect(fast.results).toEqual(oclif.results);
    }
  }, 120_000);

  it.skipIf(!existsSync(notesDir))('the python example folder answers the same on both paths', async () => {
    const calls = [{ name: 'list_notes', arguments: {} }];
    const fast = await session('fast', ['bundle', 'run', notesDir], env, calls);
    const oclif = await session('oclif', ['bundle', 'run', notesDir], env, calls);
    expect(fast.tools.map((t) => t.name).sort()).toEqual(['add_note', 'list_notes', 'search_notes']);
    expect(fast.tools).toEqual(oclif.tools);
  }, 60_000);

  it('a cached bundle below the trust policy is refused on the fast path with the same message', async () => {
    // Cache it first (accepted once with --force through oclif; the mini server exits on stdin EOF).
    expect((await run('oclif', ['bundle', 'run', '@acme/low', '--force'], env)).code).toBe(0);
    const fast = await run('fast', ['bundle', 'run', '@acme/low'], env);
    const oclif = await run('oclif', ['bundle', 'run', '@acme/low'], env);
    expect(oclif.code).toBe(1);
    expect(oclif.stderr).toContain('below the policy L1');
    expect(fast).toEqual(oclif);
    const forced = await run('fast', ['bundle', 'run', '@acme/low', '--force'], env);
    expect(forced.code).toBe(0);
    expect(forced.stderr).toContain('continuing because of --force');
    expect(forced.stdout).toBe('');
    // Arguments after `--` reach the server alike (the mini server echoes its argv).
    const echo = [{ name: 'echo', arguments: { text: 'hi' } }];
    const args = ['bundle', 'run', '@acme/low', '--force', '--', 'a b', '--x'];
    const fastEcho = await session('fast', args, env, echo);
    expect(JSON.stringify(fastEcho.results)).toContain('args=a b,--x');
    expect(fastEcho.results).toEqual((await session('oclif', args, env, echo)).results);
  }, 60_000);

  it('what the fast path does not understand falls through to oclif unchanged', async () => {
    for (const args of [
      ['bundle', 'run', '@mpak-examples/weather', '--bogus'],
      ['bundle', 'run', '@mpak-examples/weather', '--min-level', 'L9'],
      ['bundle', 'run', '@acme/not-there', '--offline'],
    ]) {
      const fallthrough = await run('default', args, env);
      const oclif = await run('oclif', args, env);
      expect(oclif.code).not.toBe(0);
      expect(fallthrough).toEqual(oclif);
      // Under the no-oclif hook the same arguments fail to load oclif: no fast path took them.
      expect((await run('fast', args, env)).stderr).toContain('@oclif/core was loaded on a fast path');
    }
  }, 60_000);
});
