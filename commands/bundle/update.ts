import { Args, Flags } from '@oclif/core';
import { MpakCommand } from '../../cli/base.js';
import { levelFlag } from '../../cli/flags.js';
import { makeClientContext } from '../../src/client/context.js';
import { updateBundles, type OutdatedEntry } from '../../src/client/outdated.js';
import type { PullResult } from '../../src/client/pull.js';
import { readConfig, type TrustLevel } from '../../src/config/store.js';
import { currentPlatform } from '../../src/run/spawn.js';

export default class BundleUpdate extends MpakCommand {
  static override summary = 'Pull the latest version of cached bundles (all, or one package).';
  static override description = 'Refreshes the indexes, then pulls, verifies and extracts each newer version; the trust policy applies as for `bundle pull`.';
  static override examples = ['<%= config.bin %> bundle update', '<%= config.bin %> bundle update @acme/weather'];
  static override args = { ref: Args.string({ description: 'Only this package (@scope/name).', required: false }) };
  static override flags = {
    'min-level': levelFlag('Refuse versions scanned below this trust level (default: config policy.minLevel, else L1).'),
    force: Flags.boolean({ description: 'Update even when the new version is below the trust policy.' }),
  };

  async run(): Promise<{ checked: OutdatedEntry[]; updated: PullResult[] }> {
    const { args, flags } = await this.parse(BundleUpdate);
    const ctx = makeClientContext({ env: process.env, cwd: process.cwd(), warn: (m) => this.info(`Warning: ${m}`) });
    const minLevel = (flags['min-level'] ?? (await readConfig(ctx.paths.configFile)).policy.minLevel ?? 'L1') as TrustLevel;
    const { os, arch } = currentPlatform();
    const name = args.ref?.replace(/(.)@[^@/]*$/, '$1');
    const result = await updateBundles(ctx, { names: name ? [name] : undefined, platform: `${os}-${arch}`, minLevel, force: flags.force });
    if (!this.jsonEnabled()) {
      if (result.updated.length === 0) this.info('Nothing to update.');
      for (const u of result.updated) this.out(`${u.name}@${u.version}  ${u.trust}  ${u.sha256}`);
    }
    return result;
  }
}
