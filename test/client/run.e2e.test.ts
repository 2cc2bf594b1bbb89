import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { spawn } from 'node:child_process';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binPath, runCli, tempDir } from '../helpers/cli.js';
import { startStaticServer, type StaticServer } from '../../src/registry/serve.js';
import { createFixtureRegistry, packFixtureBundle, type FixtureRegistry } from './helpers/registry.js';
import { MINI_SERVER_JS } from './helpers/mini-server.js';

let root: { dir: string; cleanup: () => Promise<void> };
let registry: FixtureRegistry;
let server: StaticServer;

beforeAll(async () => {
  root = await tempDir('mpak-e2e-');
  registry = await createFixtureRegistry(root.dir, [
    { name: '@acme/echo', version: '1.0.0', manifest: { user_config: { greeting: { type: 'string', title: 'Greeting', description: 'g', required: true } } } },
    // A bigger bundle so that a kill -9 can land in the middle of a download or an extraction.
    { name: '@acme/big', version: '1.0.0', files: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`data/f${i}.bin`, Buffer.from(Array.from({ length: 100_000 }, (_, j) => (i * 7 + j * 13) % 251))])) },
  ]);
  server = await startStaticServer({ root: registry.distDir });
});
afterAll(async () => {
  await server?.close();
  await root?.cleanup();
});

async function home(): Promise<string> {
  const h = await tempDir('mpak-home-');
  return h.dir;
}

async function connect(args: string[], env: Record<string, string>) {
  const transport = new StdioClientTransport({ command: process.execPath, args: [binPath, ...args], env: { PATH: process.env.PATH!, CI: 'true', ...env }, stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', (d) => (stderr += d));
  const client = new Client({ name: 'mpak-test', version: '1.0.0' });
  await client.connect(transport);
  return { client, stderr: () => stderr };
}

describe('mpak bundle run with a real MCP client', () => {
  it('runs a registry bundle over HTTP: lists and calls tools; config set feeds user_config', async () => {
    const h = await home();
    const env = { MPAK_HOME: h };
    expect((await runCli(['registry', 'add', 'test', server.url], { env })).code).toBe(0);
    // Required option missing without a TTY: exit 2 with the exact command.
    const missing = await runCli(['bundle', 'run', '@acme/echo'], { env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('mpak config set @acme/echo greeting=value');
    expect(missing.stdout).toBe('');
    expect((await runCli(['config', 'set', '@acme/echo', 'greeting=bonjour'], { env })).code).toBe(0);
    const { client } = await connect(['bundle', 'run', '@acme/echo', '--', '--extra', '${HOME}'], env);
    const tools = await client.listTools();
    expect(tools.tools.map((t) => t.name)).toEqual(['echo', 'env']);
    const echo = await client.callTool({ name: 'echo', arguments: { text: 'hi' } });
    expect((echo.content as { text: string }[])[0]!.text).toMatch(/^hi args=--extra,\$\{HOME\} cwd=.*@acme\/echo\/1\.0\.0$/);
    const greeting = await client.callTool({ name: 'env', arguments: { name: 'GREETING' } });
    expect((greeting.content as { text: string }[])[0]!.text).toBe('bonjour');
    await client.close();
  });

  it('runs a local .mcpb (cached by SHA-256) and a folder; --guard refuses undeclared tools', async () => {
    const h = await home();
    const packed = await packFixtureBundle(root.dir, { name: '@local/echo', version: '0.1.0' });
    const { client } = await connect(['bundle', 'run', packed.file, '--guard'], { MPAK_HOME: h });
    const r = await client.callTool({ name: 'env', arguments: { name: 'GREETING' } });
    expect((r.content as { text: string }[])[0]!.text).toBe('hello');
    await expect(client.callTool({ name: 'not_declared', arguments: {} })).rejects.toThrow(/not declared/);
    await client.close();
    expect(await readdir(join(h, 'cache', '_local'))).toEqual([packed.sha256]);
  });

  it('search and show read the cached index; --json stdout is one document', async () => {
    const h = await home();
    await runCli(['registry', 'add', 'test', server.url], { env: { MPAK_HOME: h } });
    const s = await runCli(['search', 'ech', '--json'], { env: { MPAK_HOME: h } });
    expect(s.code).toBe(0);
    expect(JSON.parse(s.stdout).hits[0].name).toBe('@acme/echo');
    const table = await runCli(['bundle', 'search', 'echo'], { env: { MPAK_HOME: h } });
    expect(table.stdout).toMatch(/NAME\s+VERSION\s+TRUST\s+DESCRIPTION/);
    expect(table.stdout).toMatch(/@acme\/echo\s+1\.0\.0\s+L2 76/);
    const show = await runCli(['bundle', 'show', '@acme/echo'], { env: { MPAK_HOME: h } });
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('claude mcp add echo -- mpak bundle run @acme/echo');
    const pull = await runCli(['bundle', 'pull', '@acme/echo', '-o', join(h, 'out')], { env: { MPAK_HOME: h } });
    expect(pull.code).toBe(0);
    expect(pull.stdout).toContain(registry.bundles['@acme/echo@1.0.0']!.sha256);
    const unknown = await runCli(['bundle', 'show', '@acme/nope'], { env: { MPAK_HOME: h } });
    expect(unknown.code).toBe(2);
  });
});

describe('cache robustness', () => {
  it('kill -9 during pull at random points never leaves a trusted half-written bundle', async () => {
    const h = await home();
    const env = { MPAK_HOME: h };
    await runCli(['registry', 'add', 'test', server.url], { env });
    const delays = [30, 120, 250, 400, 600];
    for (const delay of delays) {
      const child = spawn(process.execPath, [binPath, 'bundle', 'pull', '@acme/big', '--extract'], { env: { ...process.env, ...env }, stdio: 'ignore' });
      await new Promise((r) => setTimeout(r, delay));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      // Whatever is in the final places must be complete and verified.
      const dir = join(h, 'cache', 'bundles', '@acme', 'big', '1.0.0');
      if (await stat(dir).then(() => true, () => false)) {
        expect(JSON.parse(await readFile(join(dir, '.mpak-bundle.json'), 'utf8')).sha256).toBe(registry.bundles['@acme/big@1.0.0']!.sha256);
        expect((await readdir(join(dir, 'data'))).length).toBe(40);
      }
      for (const blob of await readdir(join(h, 'cache', 'blobs', 'sha256')).catch(() => [] as string[])) {
        const { sha256File } = await import('../../src/util/hash.js');
        expect((await sha256File(join(h, 'cache', 'blobs', 'sha256', blob))).sha256).toBe(blob);
      }
    }
    const next = await runCli(['bundle', 'pull', '@acme/big', '--extract', '--json'], { env });
    expect(next.code).toBe(0);
    const result = JSON.parse(next.stdout);
    expect(result.sha256).toBe(registry.bundles['@acme/big@1.0.0']!.sha256);
    expect((await readdir(join(result.bundleDir, 'data'))).length).toBe(40);
  });

  it('four concurrent first runs of the same bundle end with one consistent cache', async () => {
    const h = await home();
    const env = { MPAK_HOME: h };
    await runCli(['registry', 'add', 'test', server.url], { env });
    const runs = await Promise.all(Array.from({ length: 4 }, () => runCli(['bundle', 'pull', '@acme/big', '--extract', '--json'], { env })));
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const dirs = new Set(runs.map((r) => JSON.parse(r.stdout).bundleDir));
    expect(dirs.size).toBe(1);
    const dir = [...dirs][0];
    expect((await readdir(join(dir, 'data'))).length).toBe(40);
    expect(await readdir(join(h, 'cache', 'bundles', '@acme', 'big'))).toEqual(['1.0.0']);
    expect(await readdir(join(h, 'cache', 'blobs', 'sha256'))).toEqual([registry.bundles['@acme/big@1.0.0']!.sha256]);
    expect(await readFile(join(dir, 'server', 'index.js'), 'utf8')).toBe(MINI_SERVER_JS);
  });
});
