import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { simpleGit } from 'simple-git';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { startStaticServer, type StaticServer } from '../helpers/static-server.js';
import { buildIndex } from '../../src/registry/build.js';
import { cutAtWord } from '../../src/registry/export-v01.js';
import { readIndexSigningKey } from '../../src/registry/keys.js';
import { writeSourceEntry } from '../../src/registry/source.js';
import { verifyIndex } from '../../src/registry/verify.js';
import { createRegistry, sourceEntry, versionEntry } from './fixtures.js';

const schemaPath = '/work/shared/schemas/mcp-server.schema.json';

async function walk(root: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(join(root, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await walk(root, rel)));
    else out.push(rel);
  }
  return out;
}

describe('/v0.1 export and the static server', () => {
  let tmp: { dir: string; cleanup: () => Promise<void> };
  let dist: string;
  let server: StaticServer;

  beforeAll(async () => {
    tmp = await tempDir();
    const reg = join(tmp.dir, 'reg');
    const init = await createRegistry(reg, join(tmp.dir, 'home'));
    const weather = sourceEntry('@acme/weather', ['1.0.0', '1.1.0']);
    weather.versions.push(versionEntry('0.9.0', { status: 'yanked' }));
    weather.versions.push(versionEntry('1.0.1+build.7', { artifacts: [{ url: `blobs/sha256/${'c'.repeat(64)}`, sha256: 'c'.repeat(64), size: 10, platform: 'darwin-arm64' }] }));
    await writeSourceEntry(reg, weather);
    await writeSourceEntry(reg, sourceEntry('@acme/notes', ['0.1.0']));
    await simpleGit({ baseDir: reg, config: ['user.name=t', 'user.email=t@example.com'] }).add('packages').commit('packages');
    dist = join(tmp.dir, 'dist');
    await buildIndex({ dir: reg, outDir: dist, key: await readIndexSigningKey(init.key.path!) });
    server = await startStaticServer({ root: dist });
  });
  afterAll(async () => {
    await server?.close();
    await tmp?.cleanup();
  });

  it('writes ServerResponse envelopes whose server validates against the 2025-12-11 server.schema.json', async () => {
    const schema = JSON.parse(await readFile(schemaPath, 'utf8'));
    expect(schema.$id).toBe('https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json');
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats.default(ajv);
    const validate = ajv.compile(schema);
    const files = (await walk(dist)).filter((p) => p.startsWith('v0.1/'));
    expect(files).toContain('v0.1/servers/index.json');
    expect(files).toContain('v0.1/servers/dev.mpak.acme%2Fweather/versions/1.0.1%2Bbuild.7');
    let checked = 0;
    for (const file of files) {
      const doc = JSON.parse(await readFile(join(dist, file), 'utf8'));
      const responses = file.endsWith('index.json') ? doc.servers : [doc];
      if (file.endsWith('index.json')) expect(doc.metadata).toEqual({ count: responses.length });
      for (const r of responses) {
        expect(validate(r.server), `${file}: ${JSON.stringify(validate.errors)}`).toBe(true);
        expect(r.server.name).toMatch(/^dev\.mpak\.acme\/(weather|notes)$/);
        expect(r.server.description.length).toBeLessThanOrEqual(100);
        expect(r.server.packages[0]).toMatchObject({ registryType: 'mcpb', transport: { type: 'stdio' }, fileSha256: expect.stringMatching(/^[a-f0-9]{64}$/) });
        expect(r.server.packages[0].identifier).toMatch(/^https:\/\//);
        expect(Object.keys(r._meta['io.modelcontextprotocol.registry/official']).sort()).toEqual(
          expect.arrayContaining(['isLatest', 'publishedAt', 'status', 'statusChangedAt', 'updatedAt']),
        );
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(8);
    const list = JSON.parse(await readFile(join(dist, 'v0.1/servers/dev.mpak.acme%2Fweather/versions/index.json'), 'utf8'));
    expect(list.servers.map((s: { server: { version: string } }) => s.server.version)).toEqual(['1.1.0', '1.0.1+build.7', '1.0.0', '0.9.0']);
    expect(list.servers[3]._meta['io.modelcontextprotocol.registry/official'].status).toBe('deleted');
    const blobIdentifier = list.servers[1].server.packages[0].identifier;
    expect(blobIdentifier).toBe(`https://acme.github.io/registry/blobs/sha256/${'c'.repeat(64)}`);
    const latest = JSON.parse(await readFile(join(dist, 'v0.1/servers/dev.mpak.acme%2Fweather/versions/latest'), 'utf8'));
    expect(latest.server.version).toBe('1.1.0');
    expect(latest._meta['io.modelcontextprotocol.registry/official'].isLatest).toBe(true);
  });

  it('cuts descriptions at a word boundary', () => {
    expect(cutAtWord('short', 100)).toBe('short');
    const cut = cutAtWord('word '.repeat(40), 100);
    expect(cut.length).toBeLessThanOrEqual(100);
    expect(cut.endsWith('word…')).toBe(true);
  });

  it('serves MCP Registry URLs, ETags and content types, and refuses traversal', async () => {
    const res = await fetch(`${server.url}v0.1/servers/dev.mpak.acme%2Fweather/versions/latest`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const etag = res.headers.get('etag')!;
    expect((await res.json()).server.version).toBe('1.1.0');
    const again = await fetch(`${server.url}v0.1/servers/dev.mpak.acme%2Fweather/versions/latest`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    const version = await fetch(`${server.url}v0.1/servers/dev.mpak.acme%2Fweather/versions/1.0.1%2Bbuild.7`);
    expect(version.status).toBe(200);
    const list = await fetch(`${server.url}v0.1/servers`);
    expect((await list.json()).metadata.count).toBe(2);
    const ts = await fetch(`${server.url}timestamp.json`);
    expect(ts.headers.get('content-type')).toBe('application/json');
    const unknown = await fetch(`${server.url}v0.1/servers/dev.mpak.acme%2Fnope/versions/latest`);
    expect(unknown.status).toBe(404);
    for (const evil of ['..%2F..%2Fetc%2Fpasswd', '%2e%2e/%2e%2e/etc/passwd', 'packages/..%5C..%5Cx']) {
      const r = await fetch(`${server.url}${evil}`);
      expect([400, 404], evil).toContain(r.status);
    }
    // raw request line with ../ (fetch normalises dot segments itself)
    const { request } = await import('node:http');
    const status = await new Promise<number>((ok) => {
      request(`${server.url}`, { path: '/../../../../etc/passwd' }, (r) => {
        r.resume();
        ok(r.statusCode ?? 0);
      }).end();
    });
    expect([400, 404]).toContain(status);
  });

  it('verifies over HTTP', async () => {
    const result = await verifyIndex({ source: server.url, now: new Date('2026-02-01T00:00:00Z') });
    expect(result.problems).toEqual([]);
    expect(result.notMirrored).toContain(`blobs/sha256/${'c'.repeat(64)}`);
  });
});
