import { Args, Flags } from '@oclif/core';
import { MpakCommand } from '../../cli/base.js';
import { levelFlag } from '../../cli/flags.js';
import type { SearchResult } from '../../src/client/search.js';
import { runSearch } from '../search.js';

export default class BundleSearch extends MpakCommand {
  static override summary = 'Search bundles (not skills) in the cached registry indexes.';
  static override description = 'Local and offline, like `mpak search`, restricted to MCP server bundles.';
  static override examples = ['<%= config.bin %> bundle search weather', '<%= config.bin %> bundle search db --type python --min-level L3'];
  static override args = { query: Args.string({ description: 'Words to look for (empty lists everything).', default: '' }) };
  static override flags = {
    type: Flags.string({ description: 'Only bundles of this server type.', options: ['node', 'python', 'binary', 'uv'] }),
    'min-level': levelFlag('Only bundles scanned at this trust level or higher.'),
    limit: Flags.integer({ description: 'Show at most this many results.', default: 50, min: 1 }),
  };

  async run(): Promise<SearchResult> {
    const { args, flags } = await this.parse(BundleSearch);
    return runSearch(this, args.query, { ...flags, minLevel: flags['min-level'], kind: 'bundle' });
  }
}
