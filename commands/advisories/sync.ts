import { Flags } from '@oclif/core';
import { resolve } from 'node:path';
import { MpakCommand } from '../../cli/base.js';
import { mpakPaths } from '../../src/config/paths.js';
import { syncAdvisories, type SyncResult } from '../../src/scan/advisories/sync.js';

export default class AdvisoriesSync extends MpakCommand {
  static override summary = 'Store an offline OSV advisory snapshot under MPAK_HOME/advisories for `bundle scan`.';
  static override description =
    'Downloads (or copies) OSV advisories, checks every record, and swaps the snapshot in atomically. `mpak bundle scan` uses it for SC-02 when --advisories is not given. Default sources: the osv.dev npm and PyPI all.zip files.';
  static override examples = [
    '<%= config.bin %> advisories sync',
    '<%= config.bin %> advisories sync --from ./advisory-database/advisories/github-reviewed',
    '<%= config.bin %> advisories sync --from https://mirror.example/osv/npm/all.zip --json',
  ];
  static override flags = {
    from: Flags.string({ description: 'A URL, zip, JSON file or folder of OSV advisories (repeatable).', multiple: true }),
  };

  async run(): Promise<SyncResult> {
    const { flags } = await this.parse(AdvisoriesSync);
    const from = (flags.from ?? []).map((f) => (/^https?:\/\//.test(f) ? f : resolve(f)));
    const result = await syncAdvisories({ from, mpakHome: mpakPaths(process.env).home });
    this.out(`Synced ${result.entries} advisories (newest ${result.newest_modified ?? 'unknown'}) into ${result.path}`);
    if (result.malformed) this.info(`${result.malformed} malformed entries skipped.`);
    return result;
  }
}
