import { inputError } from '../errors.js';
import { addToIndex, type AddToIndexOptions } from './add.js';
import { createOctokit, readClaim, type GitHubOptions } from './github.js';
import { openGit } from './git.js';
import { readRegistryConfig, readSourceEntry } from './source.js';

export interface PollOptions extends Omit<AddToIndexOptions, 'source' | 'dryRun' | 'commit' | 'github'> {
  github: GitHubOptions;
  /** `owner/repo` of the registry itself, where pull requests are opened. */
  registryRepository: string;
  /** Branch the pull requests target (default `main`). */
  base?: string;
  /** Git remote to push branches to (default `origin`). */
  remote?: string;
}

export interface PollItem {
  repository: string;
  tag?: string;
  name?: string;
  version?: string;
  outcome: 'up-to-date' | 'pending' | 'opened' | 'refused' | 'no-release' | 'error';
  message?: string;
  pullRequest?: { number: number; url: string; branch: string };
}

/**
 * Checks the latest release of every watched repository (registry.json `watch`) and opens one
 * pull request per new version: a branch `mpak/<scope>-<name>-<version>` with the entry written
 * by `addToIndex`, pushed to the remote. Versions already in the registry, or with a branch or
 * open pull request, are skipped; refused versions are reported and leave nothing behind.
 */
export async function pollWatched(options: PollOptions): Promise<{ items: PollItem[] }> {
  const config = await readRegistryConfig(options.dir);
  const [regOwner, regRepo] = options.registryRepository.split('/');
  if (!regOwner || !regRepo) throw inputError('POLL_REPOSITORY', `Expected owner/repo for the registry, got "${options.registryRepository}".`);
  const base = options.base ?? 'main';
  const remote = options.remote ?? 'origin';
  const octokit = await createOctokit({ ...options.github, ...(options.fetch ? { fetch: options.fetch } : {}) });
  const git = await openGit(options.dir);
  const items: PollItem[] = [];
  for (const watch of config.watch ?? []) {
    const [owner, repo] = watch.repository.split('/') as [string, string];
    const item: PollItem = { repository: watch.repository, outcome: 'no-release' };
    items.push(item);
    try {
      const release = await octokit.rest.repos.getLatestRelease({ owner, repo }).then(
        (r) => r.data,
        (err: { status?: number }) => {
          if (err.status === 404) return undefined;
          throw err;
        },
      );
      if (!release) continue;
      item.tag = release.tag_name;
      item.version = release.tag_name.replace(/^.*@/, '').replace(/^v(?=\d)/, '');
      let name = watch.package;
      if (!name) {
        const commit = (await octokit.rest.repos.getCommit({ owner, repo, ref: release.tag_name })).data.sha;
        const claim = await readClaim(octokit, owner, repo, commit);
        if (!claim.found) {
          item.outcome = 'refused';
          item.message = `no mpak.json at ${release.tag_name}`;
          continue;
        }
        name = claim.claim.name;
      }
      item.name = name;
      const entry = (await readSourceEntry(options.dir, name, 'bundle')) ?? (await readSourceEntry(options.dir, name, 'skill'));
      if (entry?.versions.some((v) => v.version === item.version)) {
        item.outcome = 'up-to-date';
        continue;
      }
      const branch = `mpak/${name.slice(1).replace('/', '-')}-${item.version}`;
      const open = await octokit.rest.pulls.list({ owner: regOwner, repo: regRepo, state: 'open', head: `${regOwner}:${branch}` });
      const remoteHas = (await git.raw(['ls-remote', '--heads', remote, branch])).trim() !== '';
      if (open.data.length > 0 || remoteHas) {
        item.outcome = 'pending';
        continue;
      }
      await git.checkout(['-B', branch, base]);
      try {
        const added = await addToIndex({ ...options, source: `github:${owner}/${repo}@${release.tag_name}`, github: options.github });
        if (added.outcome !== 'added') {
          item.outcome = added.outcome === 'unchanged' ? 'up-to-date' : 'refused';
          item.message = added.reasons.map((r) => r.message).join('; ');
          continue;
        }
        await git.push(remote, branch);
        const pr = await octokit.rest.pulls.create({
          owner: regOwner,
          repo: regRepo,
          head: branch,
          base,
          title: `Add ${name} ${item.version}`,
          body: [
            `New release [${release.tag_name}](${release.html_url}) of ${watch.repository}.`,
            '',
            `- trust: **${added.entry.scan.display}**${added.entry.scan.degraded ? ' (degraded)' : ''}`,
            `- signature: ${added.entry.signature.status}`,
            `- claim: ${added.claim.status}`,
            `- sha256: \`${added.entry.artifacts[0]!.sha256}\``,
            '',
            'Opened by `mpak index poll`.',
          ].join('\n'),
        });
        item.outcome = 'opened';
        item.pullRequest = { number: pr.data.number, url: pr.data.html_url, branch };
      } finally {
        await git.checkout(base);
        if (item.outcome !== 'opened') await git.raw(['branch', '-D', branch]).catch(() => undefined);
      }
    } catch (err) {
      item.outcome = 'error';
      item.message = (err as Error).message;
    }
  }
  return { items };
}
