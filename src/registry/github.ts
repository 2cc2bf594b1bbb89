import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { Octokit } from 'octokit';
import { environmentError, inputError, negativeError } from '../errors.js';
import { ClaimFile } from './format.js';

/**
 * GitHub as a release source: releases by tag, asset downloads, the `mpak.json` claim at the
 * release's commit, and pull requests for the poll. The API base URL is configurable (GitHub
 * Enterprise Server, or a local fake in tests); the token is optional for public repositories.
 */
export interface GitHubOptions {
  /** `GITHUB_API_URL`, default https://api.github.com */
  baseUrl?: string;
  token?: string;
  fetch?: typeof fetch;
}

export interface GitHubRelease {
  owner: string;
  repo: string;
  tag: string;
  /** The commit the tag points at. */
  commit: string;
  publishedAt: string;
  htmlUrl: string;
  /** `https://github.com/owner/repo` (or the GHES equivalent). */
  repositoryUrl: string;
  assets: GitHubAsset[];
}

export interface GitHubAsset {
  id: number;
  name: string;
  size: number;
  /** `sha256:<hex>` when GitHub computed it. */
  digest?: string;
  browserDownloadUrl: string;
}

/** Maximum asset size mpak downloads (a bundle is not a disk image). */
export const MAX_ASSET_BYTES = 512 * 1024 * 1024;

export async function createOctokit(options: GitHubOptions): Promise<Octokit> {
  const { Octokit } = await import('octokit');
  return new Octokit({
    baseUrl: (options.baseUrl ?? 'https://api.github.com').replace(/\/$/, ''),
    ...(options.token ? { auth: options.token } : {}),
    ...(options.fetch ? { request: { fetch: options.fetch } } : {}),
    userAgent: 'mpak',
    throttle: { enabled: false },
    retry: { enabled: false },
  });
}

/** Parses `github:owner/repo@tag`. */
export function parseGitHubSource(source: string): { owner: string; repo: string; tag: string } | undefined {
  const m = /^github:([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)@(.+)$/.exec(source);
  return m ? { owner: m[1]!, repo: m[2]!, tag: m[3]! } : undefined;
}

function status(err: unknown): number | undefined {
  return (err as { status?: number }).status;
}

/** Reads a release by tag and resolves the tag to its commit. */
export async function getRelease(octokit: Octokit, owner: string, repo: string, tag: string): Promise<GitHubRelease> {
  let release;
  try {
    release = (await octokit.rest.repos.getReleaseByTag({ owner, repo, tag })).data;
  } catch (err) {
    if (status(err) === 404) {
      throw inputError('GITHUB_RELEASE_NOT_FOUND', `No release ${tag} in ${owner}/${repo}.`, {
        suggestions: [`Check the tag: https://github.com/${owner}/${repo}/releases`, 'Set GITHUB_TOKEN for a private repository.'],
      });
    }
    throw githubUnreachable(err);
  }
  const commit = (await octokit.rest.repos.getCommit({ owner, repo, ref: tag }).catch((err: unknown) => {
    throw githubUnreachable(err);
  })).data.sha;
  const htmlUrl = release.html_url;
  const repositoryUrl = htmlUrl.replace(/\/releases\/.*$/, '');
  return {
    owner,
    repo,
    tag,
    commit,
    publishedAt: (release.published_at ?? release.created_at).replace(/\.\d+Z$/, 'Z'),
    htmlUrl,
    repositoryUrl,
    assets: release.assets.map((a) => ({
      id: a.id,
      name: a.name,
      size: a.size,
      ...((a as { digest?: string | null }).digest ? { digest: (a as { digest?: string }).digest } : {}),
      browserDownloadUrl: a.browser_download_url,
    })),
  };
}

function githubUnreachable(err: unknown) {
  const s = status(err);
  if (s === 401 || s === 403) {
    return environmentError('GITHUB_FORBIDDEN', `GitHub refused the request (${s}): ${(err as Error).message}`, {
      suggestions: ['Set GITHUB_TOKEN to a token that can read the repository.'],
    });
  }
  return environmentError('GITHUB_UNREACHABLE', `GitHub API request failed: ${(err as Error).message}`, {
    suggestions: ['Check GITHUB_API_URL and your network.'],
  });
}

/**
 * Downloads a release asset to `dest` with `Accept: application/octet-stream`, following
 * GitHub's redirect to the storage host without forwarding the token, with the size capped and
 * SHA-256 computed while streaming. The declared size and digest are checked.
 */
export async function downloadAsset(
  options: GitHubOptions & { owner: string; repo: string },
  asset: GitHubAsset,
  dest: string,
): Promise<{ sha256: string; size: number }> {
  const base = (options.baseUrl ?? 'https://api.github.com').replace(/\/$/, '');
  const fetchImpl = options.fetch ?? fetch;
  const url = `${base}/repos/${options.owner}/${options.repo}/releases/assets/${asset.id}`;
  const headers: Record<string, string> = { accept: 'application/octet-stream', 'user-agent': 'mpak' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let res = await fetchImpl(url, { headers, redirect: 'manual' }).catch((err: unknown) => {
    throw githubUnreachable(err);
  });
  for (let hops = 0; res.status >= 300 && res.status < 400 && hops < 5; hops++) {
    const location = res.headers.get('location');
    await res.body?.cancel();
    if (!location) break;
    const next = new URL(location, url);
    // the token is for the API host only; storage URLs are pre-signed
    const sameHost = next.host === new URL(url).host;
    res = await fetchImpl(next, { headers: sameHost ? headers : { 'user-agent': 'mpak' }, redirect: 'manual' });
  }
  if (!res.ok || !res.body) {
    throw environmentError('GITHUB_DOWNLOAD_FAILED', `Downloading ${asset.name} failed with HTTP ${res.status}.`, {
      suggestions: ['Check that the release asset exists; set GITHUB_TOKEN for a private repository.'],
    });
  }
  const result = await streamToFile(res, dest, Math.min(asset.size, MAX_ASSET_BYTES), asset.name);
  if (result.size !== asset.size) {
    await rm(dest, { force: true });
    throw negativeError('ASSET_SIZE_MISMATCH', `${asset.name}: GitHub says ${asset.size} bytes, downloaded ${result.size}.`);
  }
  if (asset.digest && asset.digest !== `sha256:${result.sha256}`) {
    await rm(dest, { force: true });
    throw negativeError('ASSET_DIGEST_MISMATCH', `${asset.name}: GitHub says ${asset.digest}, downloaded sha256:${result.sha256}.`);
  }
  return result;
}

/** Streams a response body to a file with a byte cap, hashing as it goes. */
export async function streamToFile(res: Response, dest: string, maxBytes: number, label: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      if (size > maxBytes) {
        done(negativeError('DOWNLOAD_TOO_LARGE', `${label} is larger than ${maxBytes} bytes; refusing to download more.`));
        return;
      }
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    await pipeline(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), counter, createWriteStream(dest, { mode: 0o600 }));
  } catch (err) {
    await rm(dest, { force: true });
    throw err;
  }
  return { sha256: hash.digest('hex'), size };
}

/**
 * The `mpak.json` claim at a commit of the source repository: `found: false` when the file is
 * absent. A malformed claim file is an input error.
 */
export async function readClaim(
  octokit: Octokit,
  owner: string,
  repo: string,
  ref: string,
): Promise<{ found: true; claim: ClaimFile } | { found: false }> {
  let data: unknown;
  try {
    data = (await octokit.rest.repos.getContent({ owner, repo, path: 'mpak.json', ref })).data;
  } catch (err) {
    if (status(err) === 404) return { found: false };
    throw githubUnreachable(err);
  }
  const file = data as { type?: string; content?: string; encoding?: string };
  if (file.type !== 'file' || typeof file.content !== 'string') return { found: false };
  const text = Buffer.from(file.content, (file.encoding as BufferEncoding) === 'base64' ? 'base64' : 'utf8').toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw inputError('CLAIM_INVALID', `mpak.json in ${owner}/${repo}@${ref.slice(0, 12)} is not valid JSON.`);
  }
  const parsed = ClaimFile.safeParse(json);
  if (!parsed.success) {
    throw inputError('CLAIM_INVALID', `mpak.json in ${owner}/${repo}@${ref.slice(0, 12)} is invalid: ${parsed.error.issues[0]?.message}`, {
      suggestions: ['It must look like {"name": "@scope/name", "maintainers": ["github-user"]}.'],
    });
  }
  return { found: true, claim: parsed.data };
}
