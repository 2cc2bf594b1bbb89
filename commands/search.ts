import { Args, Flags } from '@oclif/core';
import { MpakCommand } from '../cli/base.js';
import { levelFlag } from '../cli/flags.js';
import { makeClientContext } from '../src/client/context.js';
import { activeRegistries } from '../src/client/registries.js';
import { formatSearchTable, searchRegistries, type SearchResult } from '../src/client/search.js';

export default class Search extends MpakCommand {
  static override summary = 'Search bundles and skills in the cached registry indexes (never uses the network).';
  static override description =
    'Ranks exact names first, then name prefixes, keywords and descriptions, and tolerates typos. Run `mpak registry update` to refresh the caches.';
  static override examples = ['<%= config.bin %> search weather', '<%= config.bin %> search files --type node --min-level L2 --json'];
  static override args = { query: Args.string({ description: 'Words to look for (empty lists everything).', default: '' }) };
  static override flags = {
    type: Flags.string({ description: 'Only bundles of this server type.', options: ['node', 'python', 'binary', 'uv'] }),
    'min-level': levelFlag('Only packages scanned at this trust level or higher.'),
    limit: Flags.integer({ description: 'Show at most this many results.', default: 50, min: 1 }),
  };

  async run(): Promise<SearchResult> {
    const { args, flags } = await this.parse(Search);
    return runSearch(this, args.query, { ...flags, minLevel: flags['min-level'] });
  }
}

/** Shared by `mpak search` and `mpak bundle search`. */
export async function runSearch(
  cmd: MpakCommand & { jsonEnabled(): boolean },
  query: string,
  o: { type?: string; minLevel?: string; limit?: number; kind?: 'bundle' | 'skill' },
): Promise<SearchResult> {
  const ctx = makeClientContext({ env: process.env, cwd: process.cwd() });
  const registries = await activeRegistries(ctx);
  const result = await searchRegistries(ctx, registries, {
    query,
    kind: o.kind,
    type: o.type,
    minLevel: o.minLevel ? Number(o.minLevel.slice(1)) : undefined,
    limit: o.limit,
  });
  const say = (m: string) => process.stderr.write(`${m}\n`);
  if (registries.length === 0) say('No registry configured. Add one: mpak registry add <name> <url>');
  for (const name of result.uncached) say(`Warning: registry ${name} has no cached index; run: mpak registry update`);
  if (!cmd.jsonEnabled()) {
    if (result.hits.length === 0) say(`No results for ${JSON.stringify(query)}.`);
    else process.stdout.write(`${formatSearchTable(result.hits, { showKind: !o.kind, width: process.stdout.columns || 160 })}\n`);
  }
  return result;
}
