import { Args, Flags } from '@oclif/core';
import { MpakCommand } from '../../cli/base.js';
import { addRegistry } from '../../src/client/add.js';
import { makeClientContext } from '../../src/client/context.js';

export interface RegistryAddResult {
  name: string;
  url: string;
  pinned: string[];
  firstUse: boolean;
  version: number;
  packages: number;
}

export default class RegistryAdd extends MpakCommand {
  static override summary = 'Add a registry and pin its index-signing keys.';
  static override description =
    'The URL may be https://… (http:// only for 127.0.0.1), file:///path, a folder, or a git URL (…/registry.git). Without --key the keys published in its registry.json are pinned on first use and their fingerprints shown; compare them with the maintainer. The first refresh must verify before the registry is saved.';
  static override examples = [
    '<%= config.bin %> registry add acme https://acme.github.io/registry/',
    '<%= config.bin %> registry add local ./dist --key sha256:0f3c…',
    '<%= config.bin %> registry add corp git@github.com:corp/registry.git --key ./index.pub',
  ];
  static override args = {
    name: Args.string({ description: 'Short name for the registry (lowercase).', required: true }),
    url: Args.string({ description: 'Where its published files are: https URL, file URL, folder or git URL.', required: true }),
  };
  static override flags = {
    key: Flags.string({ description: 'Pin this index key instead of trusting registry.json: a fingerprint (sha256:<hex>) or a public key file.' }),
    'allow-expired': Flags.boolean({ description: 'Accept expired index metadata (old air-gapped mirrors).' }),
  };

  async run(): Promise<RegistryAddResult> {
    const { args, flags } = await this.parse(RegistryAdd);
    const ctx = makeClientContext({ env: process.env, cwd: process.cwd(), warn: (m) => this.info(`Warning: ${m}`), allowExpired: flags['allow-expired'] });
    const added = await addRegistry(ctx, { name: args.name, url: args.url, key: flags.key });
    const result: RegistryAddResult = {
      name: added.registry.name,
      url: added.registry.url,
      pinned: added.pinned,
      firstUse: added.firstUse,
      version: added.refresh.version,
      packages: added.refresh.state.summary.reduce((n, s) => n + s.count, 0),
    };
    // Fingerprints always go to stderr, even with --json: the user must be able to compare them.
    this.info(`${added.firstUse ? 'Pinned on first use' : 'Pinned'} index key(s) of ${result.name}: ${result.pinned.join(', ')}`);
    if (!this.jsonEnabled()) this.info(`Added ${result.name} (${result.url}): index version ${result.version}, ${result.packages} package(s)`);
    return result;
  }
}
