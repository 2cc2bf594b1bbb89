import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for the GitHub REST API on 127.0.0.1:0, answering with GitHub's response
 * shapes for what mpak uses: releases by tag and latest, release assets (JSON, or with
 * `Accept: application/octet-stream` a 302 to a download URL on the same server, as GitHub
 * redirects to its storage host), commits by ref, repository contents at a ref, and pull requests
 * (list and create). Point octokit at `apiUrl` (its `baseUrl`).
 */
export interface FakeAsset {
  name: string;
  bytes: Buffer;
  /** Override the size GitHub reports (to simulate a lying API). */
  reportedSize?: number;
  /** Leave out the `digest` field (older releases have none). */
  noDigest?: boolean;
}

export interface FakeRelease {
  tag: string;
  commit: string;
  publishedAt: string;
  assets: FakeAsset[];
  draft?: boolean;
}

export interface FakeRepo {
  releases: FakeRelease[];
  /** commit sha → path → file text */
  files: Record<string, Record<string, string>>;
}

export interface FakePull {
  number: number;
  title: string;
  body: string;
  head: string;
  base: string;
  state: 'open' | 'closed';
}

export interface RecordedRequest {
  method: string;
  path: string;
  accept?: string;
  authorization?: string;
}

export interface FakeGitHub {
  apiUrl: string;
  repos: Map<string, FakeRepo>;
  pulls: Map<string, FakePull[]>;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function startFakeGitHub(repos: Record<string, FakeRepo> = {}): Promise<FakeGitHub> {
  const state = new Map(Object.entries(repos));
  const pulls = new Map<string, FakePull[]>();
  const requests: RecordedRequest[] = [];
  let origin = '';
  const assetIds = new Map<number, { repo: string; release: FakeRelease; asset: FakeAsset }>();
  let nextAssetId = 1000;
  const idOf = new Map<FakeAsset, number>();
  const assetId = (repo: string, release: FakeRelease, asset: FakeAsset) => {
    let id = idOf.get(asset);
    if (id === undefined) {
      id = nextAssetId++;
      idOf.set(asset, id);
      assetIds.set(id, { repo, release, asset });
    }
    return id;
  };

  const releaseJson = (key: string, r: FakeRelease, index: number) => ({
    url: `${origin}/repos/${key}/releases/${index + 1}`,
    html_url: `https://github.com/${key}/releases/tag/${r.tag}`,
    id: index + 1,
    tag_name: r.tag,
    target_commitish: 'main',
    name: r.tag,
    draft: r.draft ?? false,
    prerelease: false,
    created_at: r.publishedAt,
    published_at: r.publishedAt,
    assets: r.assets.map((a) => {
      const id = assetId(key, r, a);
      return {
        url: `${origin}/repos/${key}/releases/assets/${id}`,
        id,
        name: a.name,
        label: null,
        content_type: 'application/octet-stream',
        state: 'uploaded',
        size: a.reportedSize ?? a.bytes.length,
        ...(a.noDigest ? {} : { digest: `sha256:${createHash('sha256').update(a.bytes).digest('hex')}` }),
        download_count: 0,
        created_at: r.publishedAt,
        updated_at: r.publishedAt,
        browser_download_url: `https://github.com/${key}/releases/download/${r.tag}/${a.name}`,
      };
    }),
  });

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)), ...headers });
    res.end(text);
  };
  const notFound = (res: ServerResponse) => send(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', origin);
    const path = decodeURIComponent(url.pathname);
    requests.push({
      method: req.method ?? 'GET',
      path: url.pathname + url.search,
      ...(req.headers.accept ? { accept: req.headers.accept } : {}),
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
    });
    let m: RegExpExecArray | null;
    if ((m = /^\/download\/(\d+)\/[^/]+$/.exec(path))) {
      const found = assetIds.get(Number(m[1]));
      if (!found) return notFound(res);
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(found.asset.bytes.length) });
      res.end(found.asset.bytes);
      return;
    }
    if (!(m = /^\/repos\/([^/]+)\/([^/]+)\/(.*)$/.exec(path))) return notFound(res);
    const key = `${m[1]}/${m[2]}`;
    const rest = m[3]!;
    const repo = state.get(key);
    if (!repo) return notFound(res);
    const published = repo.releases.filter((r) => !r.draft);
    if ((m = /^releases\/tags\/(.+)$/.exec(rest))) {
      const i = repo.releases.findIndex((r) => r.tag === m![1] && !r.draft);
      return i < 0 ? notFound(res) : send(res, 200, releaseJson(key, repo.releases[i]!, i));
    }
    if (rest === 'releases/latest') {
      const latest = [...published].sort((a, b) => (a.publishedAt < b.publishedAt ? 1 : -1))[0];
      return latest ? send(res, 200, releaseJson(key, latest, repo.releases.indexOf(latest))) : notFound(res);
    }
    if (rest === 'releases') return send(res, 200, repo.releases.map((r, i) => releaseJson(key, r, i)));
    if ((m = /^releases\/assets\/(\d+)$/.exec(rest))) {
      const found = assetIds.get(Number(m[1]));
      if (!found || found.repo !== key) return notFound(res);
      if ((req.headers.accept ?? '').includes('application/octet-stream')) {
        res.writeHead(302, { location: `${origin}/download/${m[1]}/${encodeURIComponent(found.asset.name)}`, 'content-length': '0' });
        res.end();
        return;
      }
      return send(res, 200, releaseJson(key, found.release, repo.releases.indexOf(found.release)).assets.find((a) => a.id === Number(m![1])));
    }
    if ((m = /^commits\/(.+)$/.exec(rest))) {
      const ref = m[1]!;
      const release = repo.releases.find((r) => r.tag === ref);
      const sha = release?.commit ?? (/^[a-f0-9]{40}$/.test(ref) && repo.files[ref] ? ref : undefined);
      if (!sha) return send(res, 422, { message: `No commit found for SHA: ${ref}`, documentation_url: 'https://docs.github.com/rest', status: '422' });
      return send(res, 200, { sha, node_id: 'C_x', commit: { message: 'release', tree: { sha } }, url: `${origin}/repos/${key}/commits/${sha}`, html_url: `https://github.com/${key}/commit/${sha}`, parents: [] });
    }
    if ((m = /^contents\/(.+)$/.exec(rest))) {
      const ref = url.searchParams.get('ref') ?? '';
      const text = repo.files[ref]?.[m[1]!];
      if (text === undefined) return notFound(res);
      const content = Buffer.from(text).toString('base64').replace(/(.{60})/g, '$1\n');
      return send(res, 200, {
        type: 'file',
        encoding: 'base64',
        size: Buffer.byteLength(text),
        name: m[1]!.split('/').pop(),
        path: m[1],
        content,
        sha: createHash('sha1').update(text).digest('hex'),
        url: `${origin}/repos/${key}/contents/${m[1]}?ref=${ref}`,
      });
    }
    if (rest === 'pulls') {
      const list = pulls.get(key) ?? [];
      if (req.method === 'POST') {
        const body = JSON.parse(await readBody(req)) as { title: string; body?: string; head: string; base: string };
        if (list.some((p) => p.head === body.head && p.state === 'open')) {
          return send(res, 422, { message: 'Validation Failed', errors: [{ resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${body.head}.` }] });
        }
        const pull: FakePull = { number: list.length + 1, title: body.title, body: body.body ?? '', head: body.head, base: body.base, state: 'open' };
        list.push(pull);
        pulls.set(key, list);
        return send(res, 201, pullJson(key, pull));
      }
      const head = url.searchParams.get('head');
      const st = url.searchParams.get('state') ?? 'open';
      return send(res, 200, list.filter((p) => (st === 'all' || p.state === st) && (!head || `${m?.[1] ?? ''}${head}`.endsWith(p.head))).map((p) => pullJson(key, p)));
    }
    return notFound(res);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: Error) => send(res, 500, { message: err.message }));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    apiUrl: origin,
    repos: state,
    pulls,
    requests,
    close: () =>
      new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}

function pullJson(key: string, p: FakePull) {
  return {
    number: p.number,
    state: p.state,
    title: p.title,
    body: p.body,
    html_url: `https://github.com/${key}/pull/${p.number}`,
    head: { ref: p.head.includes(':') ? p.head.split(':')[1] : p.head, label: p.head },
    base: { ref: p.base },
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((ok, fail) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => ok(data));
    req.on('error', fail);
  });
}
