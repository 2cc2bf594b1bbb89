import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RawFinding } from '../types.js';
import { decided, defineControl, finding, manifestLine, manifestPrerequisite } from './helpers.js';

const KNOWN_HOSTS = new Set(['github.com', 'gitlab.com', 'bitbucket.org', 'codeberg.org', 'sr.ht', 'git.sr.ht']);

/** Normalises a git remote for comparison: case, trailing `.git`, `git@host:` → `https://host/`. */
export function normaliseRemote(url: string): string {
  let u = url.trim().replace(/^git\+/, '');
  const scp = /^[\w.-]+@([\w.-]+):(.+)$/.exec(u);
  if (scp) u = `https://${scp[1]}/${scp[2]}`;
  u = u.replace(/^ssh:\/\/[\w.-]+@/, 'https://').replace(/^git:\/\//, 'https://').replace(/^http:\/\//, 'https://');
  return u.replace(/\.git$/i, '').replace(/\/+$/, '').toLowerCase();
}

/** The `origin` URL of a checkout, read from `.git/config` (no git binary). */
export async function originOf(checkout: string): Promise<string | undefined> {
  let gitDir = join(checkout, '.git');
  const dotGit = await readFile(gitDir, 'utf8').catch(() => undefined);
  if (dotGit?.startsWith('gitdir:')) gitDir = join(checkout, dotGit.slice(7).trim());
  const config = await readFile(join(gitDir, 'config'), 'utf8').catch(() => undefined);
  const m = config && /\[remote "origin"\]([^[]*)/.exec(config);
  return m ? /^\s*url\s*=\s*(.+)$/m.exec(m[1]!)?.[1]?.trim() : undefined;
}

/** PR-01 Source Repository: the manifest names a usable git repository. */
export const pr01 = defineControl('PR-01', async (ctx) => {
  const pre = manifestPrerequisite(ctx, 'PR-01');
  if (pre) return pre;
  const repo = ctx.manifest!.repository;
  const findings: RawFinding[] = [];
  const loc = { file: 'manifest.json', line: manifestLine(ctx, '"repository"') };
  if (!repo || typeof repo !== 'object' || typeof repo.url !== 'string' || !repo.url) {
    findings.push(finding('PR-01', 'missing-repository', 'HIGH', 'No source repository', 'manifest.repository {type, url} is missing, so nobody can review or rebuild the source.', 'Add "repository": {"type": "git", "url": "https://github.com/<owner>/<repo>"}.', loc));
    return decided(findings, '');
  }
  if (repo.type !== 'git') findings.push(finding('PR-01', 'not-git', 'HIGH', 'Repository type is not git', `repository.type is ${JSON.stringify(repo.type)}.`, 'Set "type": "git".', loc));
  let url: URL | undefined;
  try {
    url = new URL(repo.url.replace(/^git\+/, ''));
  } catch {
    findings.push(finding('PR-01', 'bad-url', 'HIGH', 'Repository URL does not parse', `"${repo.url}" is not a URL.`, 'Use the https URL of the repository.', loc));
  }
  if (url) {
    if (url.username || url.password) {
      findings.push(finding('PR-01', 'credentials-in-url', 'HIGH', 'Repository URL embeds credentials', 'The URL contains a user name or token.', 'Remove the credentials from the URL and revoke the token.', { ...loc, excerpt: `${url.protocol}//[REDACTED]@${url.host}${url.pathname}` }));
    }
    if (url.protocol !== 'https:') findings.push(finding('PR-01', 'not-https', 'MEDIUM', 'Repository URL is not https', `The URL uses ${url.protocol}.`, 'Use the https URL.', loc));
    if (!KNOWN_HOSTS.has(url.hostname.toLowerCase())) findings.push(finding('PR-01', 'unknown-host', 'LOW', `Repository host ${url.hostname} is not a well-known forge`, 'Reviewers may not be able to reach it.', 'Host the source on a public forge, or document how to reach it.', loc));
  }
  if (ctx.options.source) {
    const origin = await originOf(ctx.options.source);
    if (origin && normaliseRemote(origin) !== normaliseRemote(repo.url)) {
      findings.push(finding('PR-01', 'origin-mismatch', 'MEDIUM', 'Checkout origin differs from the manifest', `--source has origin ${normaliseRemote(origin)}, the manifest says ${normaliseRemote(repo.url)}.`, 'Scan with a checkout of the repository the manifest names.', loc));
    }
  }
  return decided(findings, `repository ${repo.url}`);
});
