import { Args, Flags } from '@oclif/core';
import { MpakCommand } from '../../cli/base.js';
import { makeClientContext } from '../../src/client/context.js';
import { installSnippets } from '../../src/client/install.js';
import { resolvePackage } from '../../src/client/resolve.js';
import { renderBundleShow, type BundleShowResult } from '../../src/client/show-render.js';
import { currentPlatform } from '../../src/run/spawn.js';

export type { BundleShowResult };

export default class BundleShow extends MpakCommand {
  static override summary = 'Details of a registry bundle: versions, trust per control, tools, signature, hashes, source.';
  static override description = 'Reads the verified package document from the registry cache (refreshed when older than an hour).';
  static override examples = ['<%= config.bin %> bundle show @acme/weather', '<%= config.bin %> bundle show @acme/weather@^1.2 --json'];
  static override args = { ref: Args.string({ description: 'Package reference: @scope/name[@version|@range].', required: true }) };
  static override flags = {
    refresh: Flags.boolean({ description: 'Refresh the index first even when the cache is recent.' }),
    offline: Flags.boolean({ description: 'Use the verified cache only.' }),
    'allow-expired': Flags.boolean({ description: 'Accept expired index metadata.' }),
  };

  async run(): Promise<BundleShowResult> {
    const { args, flags } = await this.parse(BundleShow);
    const ctx = makeClientContext({ env: process.env, cwd: process.cwd(), warn: (m) => this.info(`Warning: ${m}`), offline: flags.offline, allowExpired: flags['allow-expired'] });
    const { os, arch } = currentPlatform();
    const r = await resolvePackage(ctx, args.ref, { platform: `${os}-${arch}`, refresh: flags.refresh });
    const e = r.entry;
    const result: BundleShowResult = {
      name: r.document.name,
      registry: r.registry.name,
      latest: r.document.latest,
      version: e,
      versions: r.document.versions.map((v) => ({ version: v.version, status: v.status, publishedAt: v.publishedAt, trust: v.scan.display })),
      maintainers: r.document.claim.maintainers,
      install: installSnippets(r.document.name),
    };
    if (!this.jsonEnabled()) this.out(renderBundleShow(result));
    return result;
  }
}
