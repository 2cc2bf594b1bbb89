import { MpakCommand } from '../../cli/base.js';
import { makeClientContext } from '../../src/client/context.js';
import { activeRegistries } from '../../src/client/registries.js';
import { formatAge, readVerifiedState } from '../../src/client/refresh.js';

export interface RegistryListEntry {
  name: string;
  url: string;
  origin: 'config' | 'env';
  keys: string[];
  version: number | null;
  verifiedAt: string | null;
  expires: string | null;
  packages: number | null;
}

export default class RegistryList extends MpakCommand {
  static override summary = 'List the registries this run reads (MPAK_REGISTRY overrides the configured list).';
  static override description = 'Shows each registry with its pinned key fingerprints and the state of its verified cache.';
  static override examples = ['<%= config.bin %> registry list', '<%= config.bin %> registry list --json'];

  async run(): Promise<{ registries: RegistryListEntry[] }> {
    await this.parse(RegistryList);
    const ctx = makeClientContext({ env: process.env, cwd: process.cwd() });
    const registries: RegistryListEntry[] = [];
    for (const reg of await activeRegistries(ctx)) {
      const state = await readVerifiedState(ctx, reg);
      registries.push({
        name: reg.name,
        url: reg.url,
        origin: reg.origin,
        keys: reg.keys.map((k) => `sha256:${k.keyid}`),
        version: state?.version ?? null,
        verifiedAt: state?.verifiedAt ?? null,
        expires: state?.expires ?? null,
        packages: state ? state.summary.reduce((n, s) => n + s.count, 0) : null,
      });
    }
    if (!this.jsonEnabled()) {
      if (registries.length === 0) this.info('No registry configured. Add one: mpak registry add <name> <url>');
      for (const r of registries) {
        const cache = r.verifiedAt ? `v${r.version}, ${r.packages} packages, verified ${formatAge(Date.now() - Date.parse(r.verifiedAt))} ago` : 'not cached';
        this.out(`${r.name}\t${r.url}\t${cache}${r.origin === 'env' ? '\t(MPAK_REGISTRY)' : ''}`);
      }
    }
    return { registries };
  }
}
