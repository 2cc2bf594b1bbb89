import { Args, Flags } from '@oclif/core';
import { relative } from 'node:path';
import { MpakCommand } from '../../cli/base.js';
import { forceFlag, outputFileFlag } from '../../cli/flags.js';
import { packBundle, type PackResult } from '../../src/archive/pack.js';
import { formatBytes } from '../../src/archive/sizes.js';

export default class BundlePack extends MpakCommand {
  static override summary = 'Validate a bundle folder and write a reproducible .mcpb.';
  static override description =
    'Validates manifest.json (an invalid manifest is refused), selects files with the default excludes and .mcpbignore, and writes a byte-for-byte reproducible archive: sorted entries, fixed timestamps (SOURCE_DATE_EPOCH or 1980-01-01), modes 0755/0644 only. The default output is <slug>-<version>.mcpb in the current directory.';
  static override examples = [
    '<%= config.bin %> bundle pack',
    '<%= config.bin %> bundle pack ./my-server -o dist/my-server.mcpb',
    '<%= config.bin %> bundle pack ./my-server --dry-run',
    'SOURCE_DATE_EPOCH=$(git log -1 --format=%ct) <%= config.bin %> bundle pack --content-hashes',
  ];
  static override args = {
    dir: Args.string({ description: 'The bundle folder (containing manifest.json).', default: '.' }),
  };
  static override flags = {
    output: outputFileFlag('Output file (default: <slug>-<version>.mcpb in the current directory).'),
    'dry-run': Flags.boolean({ description: 'List included and excluded files (with the pattern that excluded each); write nothing.' }),
    'content-hashes': Flags.boolean({ description: 'Record {path, sha256, size} of every file in _meta["dev.mpak"].files of the packed manifest (manifest_version ≥ 0.3).' }),
    force: forceFlag('Overwrite an existing output file.'),
    'allow-missing-entry-point': Flags.boolean({ description: 'Pack even if server.entry_point is not among the packed files.' }),
    'allow-non-executable-entry-point': Flags.boolean({ description: 'Pack even if a binary entry point has no executable bit.' }),
    'allow-ignored-manifest': Flags.boolean({ description: 'Pack even if .mcpbignore matches manifest.json (it is always packed).' }),
  };

  async run(): Promise<PackResult> {
    const { args, flags } = await this.parse(BundlePack);
    if (flags.output && !flags.output.endsWith('.mcpb')) this.info(`Warning: ${flags.output} does not end in .mcpb; hosts may not recognise it.`);
    const result = await packBundle({
      dir: args.dir,
      cwd: process.cwd(),
      ...(flags.output ? { output: flags.output } : {}),
      dryRun: flags['dry-run'],
      contentHashes: flags['content-hashes'],
      force: flags.force,
      allowMissingEntryPoint: flags['allow-missing-entry-point'],
      allowNonExecutableEntryPoint: flags['allow-non-executable-entry-point'],
      allowIgnoredManifest: flags['allow-ignored-manifest'],
      ...(process.env.SOURCE_DATE_EPOCH !== undefined ? { sourceDateEpoch: process.env.SOURCE_DATE_EPOCH } : {}),
    });
    for (const w of result.warnings) this.info(`Warning: ${w}`);
    if (!this.jsonEnabled()) this.render(result);
    return result;
  }

  private render(r: PackResult): void {
    const shown = relative(process.cwd(), r.output) || r.output;
    if (!r.written) {
      for (const path of r.included) this.out(`  + ${path}`);
      for (const e of r.excluded) this.out(`  - ${e.path}  (${e.source === 'default' ? 'default' : '.mcpbignore'}: ${e.pattern})`);
    }
    this.out(`${r.written ? '✓ packed' : 'dry run:'} ${r.name} ${r.version}`);
    this.out(`  files        ${r.files}`);
    if (r.packedSize !== undefined) this.out(`  packed       ${formatBytes(r.packedSize)} (${r.packedSize} bytes)`);
    this.out(`  unpacked     ${formatBytes(r.unpackedSize)} (${r.unpackedSize} bytes)`);
    if (r.sha256) this.out(`  sha256       ${r.sha256}`);
    this.out(`  excluded     ${r.excludedByDefault} by default rules, ${r.excludedByIgnoreFile} by .mcpbignore`);
    if (r.emptyDirectories.length > 0) this.out(`  empty dirs   ${r.emptyDirectories.length} not stored (${r.emptyDirectories.slice(0, 3).join(', ')}${r.emptyDirectories.length > 3 ? ', …' : ''})`);
    this.out(`  ${r.written ? 'written to ' : 'would write'}  ${shown}`);
  }
}
