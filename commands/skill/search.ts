import { Args, Flags } from '@oclif/core';
import { MpakCommand } from '../../cli/base.js';
import { levelFlag } from '../../cli/flags.js';
import type { SearchResult } from '../../src/client/search.js';
import { runSearch } from '../search.js';

export default class SkillSearch extends MpakCommand {
  static override summary = 'Search skills (not bundles) in the cached registry indexes.';
  static override description = 'Local and offline, like `mpak search`, restricted to SKILL.md knowledge packages.';
  static override examples = ['<%= config.bin %> skill search review', '<%= config.bin %> skill search pdf --min-level L2 --json'];
  static override args = { query: Args.string({ description: 'Words to look for (empty lists everything).', default: '' }) };
  static override flags = {
    'min-level': levelFlag('Only skills scanned at this trust level or higher.'),
    limit: Flags.integer({ description: 'Show at most this many results.', default: 50, min: 1 }),
  };

  async run(): Promise<SearchResult> {
    const { args, flags } = await this.parse(SkillSearch);
    return runSearch(this, args.query, { limit: flags.limit, minLevel: flags['min-level'], kind: 'skill' });
  }
}
