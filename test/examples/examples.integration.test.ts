import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterEach, describe, expect, it } from 'vitest';
import { validateManifest } from '../../src/manifest/index.js';
import { repoRoot, tempDir } from '../helpers/cli.js';

// Each example server is started directly (no bundle, no mpak) and driven by the official SDK
// client, so the examples are proven real MCP servers before later stages pack, sign and run them.

const clients: Client[] = [];
afterEach(async () => {
  while (clients.length > 0) await clients.pop()!.close();
});

function manifestOf(example: string) {
  return JSON.parse(readFileSync(join(repoRoot, 'examples', example, 'manifest.json'), 'utf8'));
}

async function connect(command: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  const client = new Client({ name: 'mpak-test', version: '0.0.0' });
  const transport = new StdioClientTransport({
    command,
    args,
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    stderr: 'pipe',
  });
  await client.connect(transport);
  clients.push(client);
  return client;
}

function textOf(result: Awaited<ReturnType<Client['callTool']>>): string {
  const content = result.content as { type: string; text: string }[];
  expect(content[0]?.type).toBe('text');
  return content[0]!.text;
}

describe('examples/weather-node', () => {
  const dir = join(repoRoot, 'examples', 'weather-node');
  const manifest = manifestOf('weather-node');

  it('has a valid manifest', () => {
    const check = validateManifest(manifest, { strict: true });
    expect(check.errors).toEqual([]);
    expect(check.version).toBe('0.3');
  });

  it('lists the manifest tools and answers get_forecast in the configured units', async () => {
    const client = await connect(process.execPath, [join(dir, 'server', 'index.js')], dir, { WEATHER_UNITS: 'imperial' });
    expect(client.getServerVersion()?.name).toBe('weather');
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(manifest.tools.map((t: { name: string }) => t.name).sort());
    for (const t of manifest.tools) expect(tools.find((x) => x.name === t.name)?.description).toBe(t.description);

    const forecast = JSON.parse(textOf(await client.callTool({ name: 'get_forecast', arguments: { city: 'Berlin', days: 2 } })));
    expect(forecast).toEqual({
      city: 'Berlin',
      country: 'DE',
      units: 'imperial',
      days: [
        { day: 1, high: 60.8, low: 46.4, conditions: 'sunny' },
        { day: 2, high: 62.6, low: 48.2, conditions: 'sunny' },
      ],
    });
    const converted = JSON.parse(textOf(await client.callTool({ name: 'convert_temperature', arguments: { value: 100, from: 'C', to: 'K' } })));
    expect(converted).toEqual({ value: 373.15, unit: 'K' });
    const unknown = await client.callTool({ name: 'get_forecast', arguments: { city: 'Atlantis' } });
    expect(unknown.isError).toBe(true);
  });
});

describe('examples/weather-node/scripts/vendor.js', () => {
  it('copies the SDK closure so the server runs from a folder outside the repository', async () => {
    const t = await tempDir('mpak-vendor-');
    try {
      const app = join(t.dir, 'weather');
      await cp(join(repoRoot, 'examples', 'weather-node'), app, { recursive: true, filter: (src) => !src.includes('node_modules') });
      const vendor = spawnSync(process.execPath, [join(repoRoot, 'examples', 'weather-node', 'scripts', 'vendor.js'), '--out', join(app, 'node_modules')], {
        encoding: 'utf8',
      });
      expect(vendor.status, vendor.stderr).toBe(0);
      expect(vendor.stderr).toMatch(/vendored \d+ packages/);
      for (const pkg of ['@modelcontextprotocol/sdk', 'zod']) expect(existsSync(join(app, 'node_modules', pkg, 'package.json'))).toBe(true);
      const client = await connect(process.execPath, [join(app, 'server', 'index.js')], app);
      const cities = JSON.parse(textOf(await client.callTool({ name: 'list_cities', arguments: {} })));
      expect(cities).toHaveLength(6);
      expect(cities[0]).toEqual({ id: 'amsterdam', name: 'Amsterdam', country: 'NL' });
    } finally {
      for (const c of clients.splice(0)) await c.close();
      await t.cleanup();
    }
  });
});

describe('examples/notes-python', () => {
  const dir = join(repoRoot, 'examples', 'notes-python');
  const manifest = manifestOf('notes-python');
  const python = process.platform === 'win32' ? 'python' : 'python3';

  it('has a valid manifest with the official PYTHONPATH default', () => {
    expect(validateManifest(manifest, { strict: true }).errors).toEqual([]);
    expect(manifest.server.mcp_config.env.PYTHONPATH).toBe('${__dirname}/server/lib');
  });

  it('speaks MCP 2025-06-18: tools match the manifest, notes round-trip, prompts and errors work', async () => {
    const client = await connect(python, [join(dir, 'server', 'main.py')], dir, { PYTHONPATH: join(dir, 'server', 'lib'), PYTHONDONTWRITEBYTECODE: '1' });
    expect(client.getServerVersion()).toEqual({ name: 'notes', version: '1.0.0' });
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(manifest.tools.map((t: { name: string }) => t.name));

    const added = JSON.parse(textOf(await client.callTool({ name: 'add_note', arguments: { title: 'Groceries', body: 'Buy oat milk', tags: ['home'] } })));
    expect(added).toEqual({ id: 1, title: 'Groceries', body: 'Buy oat milk', tags: ['home'] });
    await client.callTool({ name: 'add_note', arguments: { title: 'Standup', body: 'Demo mpak pack' } });
    const found = JSON.parse(textOf(await client.callTool({ name: 'search_notes', arguments: { query: 'OAT' } })));
    expect(found.map((n: { title: string }) => n.title)).toEqual(['Groceries']);
    const tagged = JSON.parse(textOf(await client.callTool({ name: 'list_notes', arguments: { tag: 'home' } })));
    expect(tagged).toHaveLength(1);

    const { prompts } = await client.listPrompts();
    expect(prompts.map((p) => p.name)).toEqual(manifest.prompts.map((p: { name: string }) => p.name));
    const prompt = await client.getPrompt({ name: 'summarize_notes', arguments: { tag: 'home' } });
    expect(JSON.stringify(prompt.messages)).toContain('Buy oat milk');
    expect((await client.listResources()).resources).toEqual([]);
    await expect(client.ping()).resolves.toBeDefined();
    await expect(client.request({ method: 'no/such/method' }, (await import('zod')).z.any())).rejects.toThrow(/-32601|Method not found/);
  });
});
