import { Args, Flags } from '@oclif/core';
import { MpakCommand } from '../../cli/base.js';
import { makeClientContext } from '../../src/client/context.js';
import { installSnippets } from '../../src/client/install.js';
import { resolvePackage } from '../../src/client/resolve.js';
import { currentPlatform } from '../../src/run/spawn.js';
import type { VersionEntry } from '../../src/registry/format.js';

export interface BundleShowResult {
  name: string;
  registry: string;
  latest: string | null;
  version: VersionEntry;
  versions: { version: string; status: string; publishedAt: string; trust: string }[];
  maintainers: string[];
  install: { claudeDesktop: string; claudeCode: string };
}

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
    if (!this.jsonEnabled()) this.out(render(result));
    return result;
  }
}

function render(r: BundleShowResult): string {
  const e = r.version;
  const m = e.manifest;
  const lines = [
    `${r.name}@${e.version}${m.displayName ? ` — ${m.displayName}` : ''}  (registry ${r.registry})`,
    m.description,
    '',
    `Trust:      ${e.scan.display}${e.scan.degraded ? ' (degraded scan: not a certification)' : ''}  scanner ${e.scan.scannerVersion}`,
    `Findings:   critical ${e.scan.counts.critical}, high ${e.scan.counts.high}, medium ${e.scan.counts.medium}, low ${e.scan.counts.low}`,
    `Signature:  ${e.signature.status}${e.signature.signer ? ` by ${e.signature.signer}` : ''}${e.signature.fingerprint ? ` (${e.signature.fingerprint})` : ''}`,
    `Provenance: ${[e.provenance.repository, e.provenance.commit?.slice(0, 12), e.provenance.workflow].filter(Boolean).join(' ') || 'unknown'}`,
    `Source:     ${m.repository ?? 'not declared'}`,
    `Type:       ${m.serverType ?? '?'}   License: ${m.license ?? '?'}   Status: ${e.status}`,
    ...e.artifacts.map((a) => `File:       ${a.platform ?? 'any platform'}  ${a.size} bytes  sha256 ${a.sha256}`),
    '',
    'Controls:',
    ...Object.entries(e.scan.controls).map(([id, status]) => `  ${id.padEnd(8)} ${status}`),
    '',
    `Tools (${m.tools.length}):`,
    ...m.tools.map((t) => `  ${t.name}${t.description ? ` — ${t.description}` : ''}`),
    ...(m.prompts.length ? ['', `Prompts (${m.prompts.length}):`, ...m.prompts.map((p) => `  ${p.name}${p.description ? ` — ${p.description}` : ''}`)] : []),
    ...(m.userConfig.length
      ? ['', 'Configuration:', ...m.userConfig.map((u) => `  ${u.key} (${u.type}${u.required ? ', required' : ''}${u.sensitive ? ', sensitive' : ''})${u.title ? ` — ${u.title}` : ''}`)]
      : []),
    '',
    'Versions:',
    ...r.versions.map((v) => `  ${v.version.padEnd(12)} ${v.status.padEnd(10)} ${v.trust.padEnd(6)} ${v.publishedAt.slice(0, 10)}`),
    '',
    'Install:',
    `  Claude Code:    ${r.install.claudeCode}`,
    '  Claude Desktop (claude_desktop_config.json):',
    ...r.install.claudeDesktop.split('\n').map((l) => `    ${l}`),
  ];
  return lines.join('\n');
}
