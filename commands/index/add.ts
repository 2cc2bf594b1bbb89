import { resolve } from 'node:path';
import { Args, Flags } from '@oclif/core';
import { MpakCommand } from '../../cli/base.js';
import { mpakPaths } from '../../src/config/paths.js';
import { addToIndex, type AddToIndexResult } from '../../src/registry/add.js';

export default class IndexAdd extends MpakCommand {
  static override summary = 'Add one version of a bundle or skill to a registry.';
  static override description =
    'The source is a local .mcpb/.skill, an https:// asset URL, or github:owner/repo@tag (release assets via the GitHub API; GITHUB_API_URL and GITHUB_TOKEN are honoured). The file is verified (size, SHA-256), opened safely, validated, scanned against the registry policy, its signature summarised and its claim checked; then the source entry is written and committed. Exit 1 when the registry refuses it.';
  static override examples = [
    '<%= config.bin %> index add ./weather-1.2.0.mcpb --index ./my-registry',
    '<%= config.bin %> index add github:acme/weather-mcp@v1.2.0 --index . --dry-run --json',
  ];
  static override args = {
    source: Args.string({ description: 'Local .mcpb/.skill, https:// URL, or github:owner/repo@tag.', required: true }),
  };
  static override flags = {
    index: Flags.string({ description: 'The registry source folder.', default: '.' }),
    'dry-run': Flags.boolean({ description: 'Check everything and show the entry, but write and commit nothing.' }),
    'store-blob': Flags.boolean({ description: 'Keep the file in blobs/sha256/ (default for local files).', allowNo: true }),
    'no-commit': Flags.boolean({ description: 'Write the entry but do not commit.' }),
    trust: Flags.string({ description: 'Trust anchor (certificate or key) for the signature check; repeatable.', multiple: true }),
    advisories: Flags.string({ description: 'Advisory database path for the vulnerability scan; repeatable.', multiple: true }),
  };

  async run(): Promise<AddToIndexResult> {
    const { args, flags } = await this.parse(IndexAdd);
    const result = await addToIndex({
      dir: resolve(flags.index),
      source: args.source,
      cwd: process.cwd(),
      dryRun: flags['dry-run'],
      ...(flags['store-blob'] === undefined ? {} : { storeBlob: flags['store-blob'] }),
      commit: !flags['no-commit'],
      github: {
        ...(process.env.GITHUB_API_URL ? { baseUrl: process.env.GITHUB_API_URL } : {}),
        ...(process.env.GITHUB_TOKEN ? { token: process.env.GITHUB_TOKEN } : {}),
      },
      now: new Date(),
      mpakHome: mpakPaths(process.env).home,
      ...(flags.trust ? { trust: flags.trust.map((t) => resolve(t)) } : {}),
      ...(flags.advisories ? { advisories: flags.advisories.map((a) => resolve(a)) } : {}),
    });
    if (!this.jsonEnabled()) {
      const what = `${result.name}@${result.version} (${result.entry.scan.display}, signature ${result.entry.signature.status}, claim ${result.claim.status})`;
      if (result.outcome === 'refused') {
        this.out(`Refused ${what}`);
        for (const r of result.reasons) this.out(`  ✗ ${r.code}: ${r.message}`);
      } else if (result.outcome === 'unchanged') this.out(`Unchanged: ${what} is already in the registry with the same bytes.`);
      else this.out(`${result.dryRun ? 'Would add' : 'Added'} ${what} → ${result.entryPath}${result.commit ? ` (commit ${result.commit.slice(0, 12)})` : ''}`);
    }
    if (result.outcome === 'refused') this.negative();
    return result;
  }
}
