import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binPath, repoRoot, runCli, tempDir } from '../helpers/cli.js';
import { startStaticServer, type StaticServer } from '../../src/registry/serve.js';
import { createFixtureRegistry } from './helpers/registry.js';

let root: { dir: string; cleanup: () => Promise<void> };
let server: StaticServer;

beforeAll(async () => {
  root = await tempDir('mpak-examples-');
  const registry = await createFixtureRegistry(root.dir, [{ name: '@mpak-examples/notes', version: '1.0.0', dir: join(repoRoot, 'examples', 'notes-python') }]);
  server = await startStaticServer({ root: registry.distDir });
});
afterAll(async () => {
  await server?.close();
  await root?.cleanup();
});

async function connect(args: string[], env: Record<string, string>) {
  const transport = new StdioClientTransport({ command: process.execPath, args: [binPath, ...args], env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '', CI: 'true', ...env }, stderr: 'pipe' });
  const client = new Client({ name: 'mpak-test', version: '1.0.0' });
  await client.connect(transport);
  return client;
}

describe('the example bundles through mpak bundle run', () => {
  it('notes-python from a local HTTP registry: add, list and search notes', async () => {
    const home = await tempDir('mpak-home-');
    const env = { MPAK_HOME: home.dir };
    expect((await runCli(['registry', 'add', 'test', server.url], { env })).code).toBe(0);
    const client = await connect(['bundle', 'run', '@mpak-examples/notes@^1'], env);
    expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual(['add_note', 'list_notes', 'search_notes']);
    await client.callTool({ name: 'add_note', arguments: { title: 'Groceries', body: 'milk and eggs', tags: ['home'] } });
    const found = await client.callTool({ name: 'search_notes', arguments: { query: 'eggs' } });
    expect(JSON.stringify(found.content)).toContain('Groceries');
    await client.close();
    await home.cleanup();
  });

  it('weather-node from its folder: calls get_forecast with the units option', async () => {
    const home = await tempDir('mpak-home-');
    const client = await connect(['bundle', 'run', join(repoRoot, 'examples', 'weather-node'), '--config', 'units=imperial'], { MPAK_HOME: home.dir });
    const tools = (await client.listTools()).tools.map((t) => t.name);
    expect(tools).toContain('get_forecast');
    const text = async (units: string) => {
      const c = await connect(['bundle', 'run', join(repoRoot, 'examples', 'weather-node'), '--config', `units=${units}`], { MPAK_HOME: home.dir });
      const r = await c.callTool({ name: 'get_forecast', arguments: { city: 'berlin', days: 1 } });
      await c.close();
      return JSON.stringify(r.content);
    };
    const cities = await client.callTool({ name: 'list_cities', arguments: {} });
    expect(JSON.stringify(cities.content).toLowerCase()).toContain('berlin');
    const imperial = await text('imperial');
    const metric = await text('metric');
    expect(imperial).not.toBe(metric);
    expect(imperial).toMatch(/°F|imperial|fahrenheit/i);
    await client.close();
    await home.cleanup();
  });
});
