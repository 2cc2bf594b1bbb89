import { Flags } from '@oclif/core';
import { MpakCommand } from '../../cli/base.js';
import { makeClientContext } from '../../src/client/context.js';
import { outdatedBundles, type OutdatedEntry } from '../../src/client/outdated.js';

export default class BundleOutdated extends MpakCommand {
  static override summary = 'List cached bundles that have a newer version in their registry.';
  static override description = 'Compares the newest cached version of each registry bundle with the registry’s latest active version.';
  static override examples = ['<%= config.bin %> bundle outdated', '<%= config.bin %> bundle outdated --json'];
  static override flags = {
    refresh: Flags.boolean({ description: 'Refresh the indexes first even when recent.' }),
    offline: Flags.boolean({ description: 'Use the verified caches only.' }),
  };

  async run(): Promise<{ bundles: OutdatedEntry[] }> {
    const { flags } = await this.parse(BundleOutdated);
    const ctx = makeClientContext({ env: process.env, cwd: process.cwd(), warn: (m) => this.info(`Warning: ${m}`), offline: flags.offline });
    const bundles = await outdatedBundles(ctx, { refresh: flags.refresh });
    if (!this.jsonEnabled()) {
      const rows = bundles.filter((b) => b.outdated);
      if (rows.length === 0) this.info(bundles.length ? 'All cached bundles are up to date.' : 'No registry bundles cached.');
      for (const b of rows) this.out(`${b.name}  ${b.current} → ${b.latest}  (${b.registry})`);
    }
    return { bundles };
  }
}
