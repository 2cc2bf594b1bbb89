import { Args } from '@oclif/core';
import { MpakCommand } from '../../cli/base.js';
import { makeClientContext } from '../../src/client/context.js';
import { removeRegistry } from '../../src/client/registries.js';

export default class RegistryRemove extends MpakCommand {
  static override summary = 'Remove a configured registry and its cached index.';
  static override description = 'Extracted bundles stay in the cache; the pinned keys and rollback state of the registry are dropped.';
  static override examples = ['<%= config.bin %> registry remove acme'];
  static override args = { name: Args.string({ description: 'Name of the registry.', required: true }) };

  async run(): Promise<{ removed: string; url: string }> {
    const { args } = await this.parse(RegistryRemove);
    const removed = await removeRegistry(makeClientContext({ env: process.env, cwd: process.cwd() }), args.name);
    if (!this.jsonEnabled()) this.info(`Removed ${removed.name} (${removed.url})`);
    return { removed: removed.name, url: removed.url };
  }
}
