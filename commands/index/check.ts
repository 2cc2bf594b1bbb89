import { resolve } from 'node:path';
import { Args, Flags } from '@oclif/core';
import { MpakCommand } from '../../cli/base.js';
import { mpakPaths } from '../../src/config/paths.js';
import { checkEntryChange, type CheckEntryResult } from '../../src/registry/check.js';

export default class IndexCheck extends MpakCommand {
  static override summary = "Validate a pull request's change to one registry entry.";
  static override description =
    'For the validate workflow: the entry file is the version proposed by the pull request (read as data), --index is the registry at its default branch. Exactly one new version is allowed, other versions must be unchanged, and re-deriving the new version from its source (as `mpak index add --dry-run` does: download, hash, scan, claim, policy) must give the proposed entry byte for byte. Exit 1 otherwise.';
  static override examples = ['<%= config.bin %> index check pr/packages/@acme/weather.json --path packages/@acme/weather.json --index base --json'];
  static override args = { entry: Args.string({ description: "The pull request's version of the entry file.", required: true }) };
  static override flags = {
    path: Flags.string({ description: 'Registry-relative path of the changed entry, e.g. packages/@acme/weather.json.', required: true }),
    index: Flags.string({ description: 'The registry checkout at the default branch.', default: '.' }),
  };

  async run(): Promise<CheckEntryResult> {
    const { args, flags } = await this.parse(IndexCheck);
    const result = await checkEntryChange({
      dir: resolve(flags.index),
      entryFile: resolve(args.entry),
      entryPath: flags.path,
      cwd: process.cwd(),
      github: {
        ...(process.env.GITHUB_API_URL ? { baseUrl: process.env.GITHUB_API_URL } : {}),
        ...(process.env.GITHUB_TOKEN ? { token: process.env.GITHUB_TOKEN } : {}),
      },
      mpakHome: mpakPaths(process.env).home,
    });
    if (!this.jsonEnabled()) {
      const scan = result.add?.entry.scan.display;
      this.out(`${result.ok ? '✓' : '✗'} ${result.name ?? flags.path}${result.version ? `@${result.version}` : ''}${scan ? ` (${scan})` : ''}${result.source ? ` from ${result.source}` : ''}`);
      for (const p of result.problems) this.out(`  ✗ ${p}`);
    }
    if (!result.ok) this.negative();
    return result;
  }
}
