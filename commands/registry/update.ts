import { Args, Flags } from '@oclif/core';
import { MpakCommand } from '../../cli/base.js';
import { inputError } from '../../src/errors.js';
import { makeClientContext } from '../../src/client/context.js';
import { activeRegistries } from '../../src/client/registries.js';
import { refreshRegistry } from '../../src/client/refresh.js';

export interface RegistryUpdateEntry {
  name: string;
  changed: boolean;
  version: number;
  fetched: string[];
  stale: boolean;
}

export default class RegistryUpdate extends MpakCommand {
  static override summary = 'Refresh registry caches with one conditional request each.';
  static override description =
    'Asks for timestamp.json (If-None-Match over HTTP, hash comparison for folders and git); when it changed, only the changed files are fetched, and every file is verified (signature, hash, size, version, expiry) before the cache is switched. Unreachable registries keep their last verified cache with a warning.';
  static override examples = ['<%= config.bin %> registry update', '<%= config.bin %> registry update acme'];
  static override args = { name: Args.string({ description: 'Only this registry.', required: false }) };
  static override flags = { 'allow-expired': Flags.boolean({ description: 'Accept expired index metadata (old air-gapped mirrors).' }) };

  async run(): Promise<{ registries: RegistryUpdateEntry[] }> {
    const { args, flags } = await this.parse(RegistryUpdate);
    const ctx = makeClientContext({ env: process.env, cwd: process.cwd(), warn: (m) => this.info(`Warning: ${m}`), allowExpired: flags['allow-expired'] });
    const all = await activeRegistries(ctx);
    const selected = args.name ? all.filter((r) => r.name === args.name) : all;
    if (selected.length === 0) {
      throw inputError(args.name ? 'REGISTRY_NOT_FOUND' : 'NO_REGISTRY', args.name ? `No registry named ${args.name}` : 'No registry is configured', {
        suggestions: ['mpak registry list', 'mpak registry add <name> <url>'],
      });
    }
    const registries: RegistryUpdateEntry[] = [];
    for (const reg of selected) {
      const r = await refreshRegistry(ctx, reg);
      registries.push({ name: reg.name, changed: r.changed, version: r.version, fetched: r.fetched, stale: Boolean(r.stale) });
      if (!this.jsonEnabled()) this.info(`${reg.name}: ${r.stale ? 'unreachable, cache kept' : r.changed ? `updated to version ${r.version} (${r.fetched.length} file(s))` : `up to date (version ${r.version})`}`);
    }
    return { registries };
  }
}
