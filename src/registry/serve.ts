import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve } from 'node:path';

export interface StaticServerOptions {
  /** The folder to serve (a published `dist/`). */
  root: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Always 127.0.0.1 unless a test needs otherwise. */
  host?: string;
}

export interface StaticServer {
  /** `http://127.0.0.1:<port>/` */
  url: string;
  port: number;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.txt': 'text/plain; charset=utf-8',
  '.mcpb': 'application/octet-stream',
  '.skill': 'application/octet-stream',
  '.woff2': 'font/woff2',
};

/** Extensionless published files: the `/v0.1` responses are JSON, blobs are bytes. */
function contentType(rel: string): string {
  const ext = extname(rel).toLowerCase();
  if (CONTENT_TYPES[ext]) return CONTENT_TYPES[ext];
  if (rel.startsWith('v0.1/')) return 'application/json';
  return 'application/octet-stream';
}

/**
 * A static file server for a published index on 127.0.0.1: GET and HEAD only, strong ETags
 * (size + mtime) with `If-None-Match` → 304, content types for the page and the extensionless
 * `/v0.1` files, `index.json`/`index.html` for folder URLs, and no way out of `root` (each path
 * segment is decoded once and must not be `.`/`..` or contain a separator).
 */
export async function startStaticServer(options: StaticServerOptions): Promise<StaticServer> {
  const root = resolve(options.root);
  const server = createServer((req, res) => {
    handle(root, req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => ok());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';
  return {
    url: `http://${host}:${port}/`,
    port,
    close: () =>
      new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}

async function handle(root: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  const rawPath = (req.url ?? '/').split('?')[0]!.split('#')[0]!;
  const candidates = resolveCandidates(rawPath);
  if (!candidates) {
    res.writeHead(400, { 'content-type': 'text/plain' }).end('bad path\n');
    return;
  }
  for (const rel of candidates) {
    const file = join(root, ...rel.split('/').filter(Boolean));
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) continue;
    const etag = `"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
    const headers = {
      'content-type': contentType(rel),
      etag,
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
      'access-control-allow-origin': '*',
    };
    if (matchesEtag(req.headers['if-none-match'], etag)) {
      res.writeHead(304, headers).end();
      return;
    }
    res.writeHead(200, { ...headers, 'content-length': String(info.size) });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(file).pipe(res);
    return;
  }
  res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"Server not found"}\n');
}

function matchesEtag(header: string | string[] | undefined, etag: string): boolean {
  if (!header) return false;
  const list = (Array.isArray(header) ? header.join(',') : header).split(',').map((s) => s.trim().replace(/^W\//, ''));
  return list.includes(etag) || list.includes('*');
}

/**
 * Candidate file paths for a request path, or null when it tries to leave the root. A segment
 * whose decoded form holds a `/` (the `%2F` in `/v0.1` server names) maps to the file named with
 * its encoded form; folders fall back to `index.json` then `index.html`.
 */
export function resolveCandidates(rawPath: string): string[] | null {
  const segments: string[][] = [];
  for (const raw of rawPath.split('/').filter((s) => s !== '')) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(raw);
    } catch {
      return null;
    }
    if (decoded === '.' || decoded === '..' || decoded.includes('\\') || decoded.includes('\0')) return null;
    const options = new Set<string>();
    if (!decoded.includes('/')) options.add(decoded);
    options.add(encodeURIComponent(decoded));
    for (const o of options) if (o === '.' || o === '..') return null;
    segments.push([...options]);
  }
  let paths = [''];
  for (const opts of segments) paths = paths.flatMap((p) => opts.map((o) => (p ? `${p}/${o}` : o)));
  return paths.flatMap((p) => [p, p ? `${p}/index.json` : 'index.json', p ? `${p}/index.html` : 'index.html']).filter((p) => p !== '');
}
