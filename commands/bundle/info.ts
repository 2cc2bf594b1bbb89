import { Args } from '@oclif/core';
import { MpakCommand } from '../../cli/base.js';
import { bundleInfo, type BundleInfo } from '../../src/archive/bundle.js';
import { formatBytes } from '../../src/archive/sizes.js';

export default class BundleInfoCommand extends MpakCommand {
  static override summary = 'Show what a .mcpb contains: manifest summary, tools, sizes, SHA-256, signature presence.';
  static override description =
    'Opens the bundle with the same strict reader as unpack and summarises its manifest (name, version, server, tools, prompts, user_config), file count, packed and unpacked size and SHA-256. The signature state comes from the trailer only (unsigned, signed or malformed); run mpak bundle verify to check it.';
  static override examples = ['<%= config.bin %> bundle info weather-1.2.0.mcpb', '<%= config.bin %> bundle info weather-1.2.0.mcpb --json'];
  static override args = {
    file: Args.string({ description: 'The .mcpb bundle to inspect.', required: true }),
  };

  async run(): Promise<BundleInfo> {
    const { args } = await this.parse(BundleInfoCommand);
    const info = await bundleInfo(args.file);
    if (!this.jsonEnabled()) this.render(info);
    return info;
  }

  private render(i: BundleInfo): void {
    this.out(`${i.displayName ?? i.name ?? '(unnamed)'} ${i.version ?? ''}`.trim());
    if (i.description) this.out(`  ${i.description}`);
    if (!i.manifestValid) {
      this.out('  manifest     INVALID');
      for (const e of i.manifestErrors) this.out(`    ${e}`);
    }
    if (i.name) this.out(`  name         ${i.name}`);
    if (i.manifestVersion) this.out(`  manifest     ${i.manifestVersion}`);
    if (i.author) this.out(`  author       ${i.author}`);
    if (i.serverType) this.out(`  server       ${i.serverType} ${i.entryPoint ?? ''}`);
    this.out(`  files        ${i.files}`);
    this.out(`  packed       ${formatBytes(i.packedSize)} (${i.packedSize} bytes)`);
    this.out(`  unpacked     ${formatBytes(i.unpackedSize)} (${i.unpackedSize} bytes)`);
    this.out(`  sha256       ${i.sha256}`);
    const sig = i.signature.state === 'signed' ? 'present (run mpak bundle verify to check it)' : i.signature.state;
    this.out(`  signature    ${sig}${i.signature.reason ? `: ${i.signature.reason}` : ''}`);
    if (i.tools.length > 0) {
      this.out(`  tools (${i.tools.length})`);
      for (const t of i.tools) this.out(`    ${t.name}${t.description ? `  ${t.description}` : ''}`);
    }
    if (i.prompts.length > 0) {
      this.out(`  prompts (${i.prompts.length})`);
      for (const p of i.prompts) this.out(`    ${p.name}${p.description ? `  ${p.description}` : ''}`);
    }
    if (i.userConfig.length > 0) {
      this.out(`  user_config (${i.userConfig.length})`);
      for (const o of i.userConfig) this.out(`    ${o.key}  ${o.type}${o.required ? ', required' : ''}${o.sensitive ? ', sensitive' : ''}  ${o.title}`);
    }
    for (const w of i.signature.warnings) this.info(`Warning: ${w}`);
  }
}
