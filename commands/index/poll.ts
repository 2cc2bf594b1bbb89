import { resolve } from 'node:path';
import { Args, Flags } from '@oclif/core';
import { MpakCommand } from '../../cli/base.js';
import { mpakPaths } from '../../src/config/paths.js';
import { inputError } from '../../src/errors.js';
import { pollWatched, type PollItem } from '../../src/registry/poll.js';

export default class IndexPoll extends MpakCommand {
  static override summary = 'Open a pull request for each new release of the watched repositories.';
  static override description =
    "Reads registry.json's watch list, asks the GitHub API (GITHUB_API_URL, GITHUB_TOKEN) for each repository's latest release, and for every version not yet in the registry pushes a branch with the new entry and opens a pull request against the registry repository (--repo or GITHUB_REPOSITORY).";
  static override examples = ['<%= config.bin %> index poll . --repo acme/registry', 'GITHUB_REPOSITORY=acme/registry <%= config.bin %> index poll --json'];
  static override args = { dir: Args.string({ description: 'The registry checkout.', default: '.' }) };
  static override flags = {
    repo: Flags.string({ description: 'owner/repo of the registry (default: GITHUB_REPOSITORY).' }),
    base: Flags.string({ description: 'Branch the pull requests target.', default: 'main' }),
    remote: Flags.string({ description: 'Git remote to push branches to.', default: 'origin' }),
  };

  async run(): Promise<{ items: PollItem[] }> {
    const { args, flags } = await this.parse(IndexPoll);
    const registryRepository = flags.repo ?? process.env.GITHUB_REPOSITORY;
    if (!registryRepository) throw inputError('POLL_REPOSITORY', 'Which repository should the pull requests go to?', { suggestions: ['mpak index poll --repo owner/registry'] });
    const result = await pollWatched({
      dir: resolve(args.dir),
      cwd: process.cwd(),
      registryRepository,
      base: flags.base,
      remote: flags.remote,
      github: {
        ...(process.env.GITHUB_API_URL ? { baseUrl: process.env.GITHUB_API_URL } : {}),
        ...(process.env.GITHUB_TOKEN ? { token: process.env.GITHUB_TOKEN } : {}),
      },
      now: new Date(),
      mpakHome: mpakPaths(process.env).home,
    });
    if (!this.jsonEnabled()) {
      for (const i of result.items) {
        this.out(`${i.repository}${i.tag ? `@${i.tag}` : ''}: ${i.outcome}${i.pullRequest ? ` ${i.pullRequest.url}` : ''}${i.message ? ` (${i.message})` : ''}`);
      }
    }
    if (result.items.some((i) => i.outcome === 'error')) this.negative();
    return result;
  }
}
