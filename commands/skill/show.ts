import { Args, Flags } from '@oclif/core';
import { MpakCommand } from '../../cli/base.js';
import { makeClientContext } from '../../src/client/context.js';
import { resolvePackage } from '../../src/client/resolve.js';
import type { VersionEntry } from '../../src/registry/format.js';
import { currentPlatform } from '../../src/run/spawn.js';

export interface SkillShowResult {
  name: string;
  registry: string;
  latest: string | null;
  version: VersionEntry;
  versions: { version: string; status: string; publishedAt: string; trust: string }[];
  maintainers: string[];
  install: string;
}

export default class SkillShow extends MpakCommand {
  static override summary = 'Details of a registry skill: versions, trust per control, signature, hashes, source.';
  static override description = 'Reads the verified package document from the registry cache (refreshed when older than an hour).';
  static override examples = ['<%= config.bin %> skill show @acme/pdf-tools', '<%= config.bin %> skill show @acme/pdf-tools@1.0.0 --json'];
  static override args = { ref: Args.string({ description: 'Skill reference: @scope/name[@version|@range].', required: true }) };
  static override flags = {
    refresh: Flags.boolean({ description: 'Refresh the index first even when the cache is recent.' }),
    offline: Flags.boolean({ description: 'Use the verified cache only.' }),
  };

  async run(): Promise<SkillShowResult> {
    const { args, flags } = await this.parse(SkillShow);
    const ctx = makeClientContext({ env: process.env, cwd: process.cwd(), warn: (m) => this.info(`Warning: ${m}`), offline: flags.offline });
    const { os, arch } = currentPlatform();
    const r = await resolvePackage(ctx, args.ref, { platform: `${os}-${arch}`, refresh: flags.refresh, kind: 'skill' });
    const e = r.entry;
    const result: SkillShowResult = {
      name: r.document.name,
      registry: r.registry.name,
      latest: r.document.latest,
      version: e,
      versions: r.document.versions.map((v) => ({ version: v.version, status: v.status, publishedAt: v.publishedAt, trust: v.scan.display })),
      maintainers: r.document.claim.maintainers,
      install: `mpak skill install ${r.document.name}`,
    };
    if (!this.jsonEnabled()) {
      const a = e.artifacts[0];
      const lines = [
        `${result.name}@${e.version}  ${e.scan.display}${e.scan.degraded ? ' (degraded)' : ''}  [${result.registry}]`,
        e.manifest.description,
        '',
        `versions    ${result.versions.map((v) => `${v.version} (${v.status}, ${v.trust})`).join(', ')}`,
        `signature   ${e.signature.status}${e.signature.signer ? ` — ${e.signature.signer}` : ''}`,
        ...(a ? [`sha256      ${a.sha256}`, `size        ${a.size} bytes`] : []),
        ...(e.manifest.repository ? [`source      ${e.manifest.repository}`] : []),
        ...(e.manifest.license ? [`license     ${e.manifest.license}`] : []),
        '',
        'trust controls:',
        ...Object.entries(e.scan.controls).map(([id, status]) => `  ${id}  ${status}`),
        '',
        `install     ${result.install}`,
      ];
      this.out(lines.join('\n'));
    }
    return result;
  }
}
