import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { folderReader, httpReader, parseRegistryLocation, readBodyCapped } from '../../src/registry/transport.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('registry transports', () => {
  it('classifies registry URLs; plain http only to loopback', () => {
    expect(parseRegistryLocation('https://r.example/x')).toEqual({ kind: 'http', base: 'https://r.example/x/' });
    expect(parseRegistryLocation('http://127.0.0.1:8080')).toEqual({ kind: 'http', base: 'http://127.0.0.1:8080/' });
    expect(() => parseRegistryLocation('http://r.example/')).toThrow(/Refusing plain http/);
    expect(parseRegistryLocation('file:///srv/reg')).toEqual({ kind: 'folder', dir: '/srv/reg' });
    expect(parseRegistryLocation('./reg', '/home/u')).toEqual({ kind: 'folder', dir: '/home/u/reg' });
    expect(parseRegistryLocation('git@github.com:o/r.git').kind).toBe('git');
    expect(parseRegistryLocation('https://github.com/o/r.git').kind).toBe('git');
    expect(() => parseRegistryLocation('ftp://x/')).toThrow(/Unsupported/);
  });

  it('caps bytes while streaming, whatever Content-Length says', async () => {
    const endless = new Response(new ReadableStream({ pull: (c) => c.enqueue(new Uint8Array(64 * 1024)) }));
    await expect(readBodyCapped(endless, 16 * 1024, 'timestamp.json')).rejects.toThrow(/larger than the 16384-byte limit/);
    const declared = new Response('x', { headers: { 'content-length': '999999' } });
    await expect(readBodyCapped(declared, 1000, 'f')).rejects.toThrow(/limit/);
  });

  it('folder reader: size cap, hash as ETag, missing files, hostile paths', async () => {
    const t = await tempDir();
    cleanups.push(t.cleanup);
    await mkdir(join(t.dir, 'sub'));
    await writeFile(join(t.dir, 'sub', 'a.json'), '{"a":1}');
    const reader = folderReader(t.dir);
    const first = await reader.read('sub/a.json', { maxBytes: 100 });
    expect(first.status).toBe('ok');
    expect((await reader.read('sub/a.json', { maxBytes: 100, etag: first.etag })).status).toBe('not-modified');
    await expect(reader.read('sub/a.json', { maxBytes: 3 })).rejects.toThrow(/limit/);
    await expect(reader.read('sub/none.json', { maxBytes: 100 })).rejects.toMatchObject({ code: 'REGISTRY_FILE_MISSING', exitCode: 3 });
    await expect(reader.read('../etc/passwd', { maxBytes: 100 })).rejects.toMatchObject({ code: 'REGISTRY_PATH_HOSTILE' });
  });

  it('http reader sends If-None-Match and maps 304 / 404 / network errors', async () => {
    const seen: (string | null)[] = [];
    const fake: typeof fetch = async (_url, init) => {
      const tag = new Headers(init?.headers).get('if-none-match');
      seen.push(tag);
      return tag === '"v1"' ? new Response(null, { status: 304 }) : new Response('{}', { headers: { etag: '"v1"' } });
    };
    const reader = httpReader('https://r.example/', fake);
    const a = await reader.read('timestamp.json', { maxBytes: 100 });
    expect(a.etag).toBe('"v1"');
    expect((await reader.read('timestamp.json', { maxBytes: 100, etag: a.etag })).status).toBe('not-modified');
    expect(seen).toEqual([null, '"v1"']);
    await expect(httpReader('https://r.example/', async () => new Response('', { status: 404 })).read('x.json', { maxBytes: 10 })).rejects.toMatchObject({ code: 'REGISTRY_FILE_MISSING' });
    await expect(httpReader('https://r.example/', async () => { throw new TypeError('fetch failed'); }).read('x.json', { maxBytes: 10 })).rejects.toMatchObject({ code: 'REGISTRY_UNREACHABLE', exitCode: 3 });
  });
});
