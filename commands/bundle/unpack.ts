import { Args } from '@oclif/core';
import { basename } from 'node:path';
import { MpakCommand } from '../../cli/base.js';
import { inputError } from '../../src/errors.js';
import { forceFlag } from '../../cli/flags.js';
import { formatBytes } from '../../src/archive/sizes.js';
import { unpackArchive, type UnpackResult } from '../../src/archive/unpack.js';

export default class BundleUnpack extends MpakCommand {
  static override summary = 'Safely extract a .mcpb into a folder.';
  static override description =
    'Checks the whole archive first (zip-slip, links, devices, duplicates and case collisions, encryption, overlapping entries, zip bombs, header disagreements), extracts into a temp folder beside the destination while verifying sizes and CRCs, sets modes 0755/0644 explicitly, then renames the result into place. A signature trailer is ignored. An existing destination is refused without --force.';
  static override examples = [
    '<%= config.bin %> bundle unpack weather-1.2.0.mcpb',
    '<%= config.bin %> bundle unpack weather-1.2.0.mcpb ./weather --force',
  ];
  static override args = {
    file: Args.string({ description: 'The .mcpb bundle to extract.', required: true }),
    dir: Args.string({ description: 'Destination folder (default: the file name without .mcpb).' }),
  };
  static override flags = {
    force: forceFlag('Replace an existing destination folder.'),
  };

  async run(): Promise<UnpackResult> {
    const { args, flags } = await this.parse(BundleUnpack);
    const name = basename(args.file);
    const dest = args.dir ?? (/\.mcpb$/i.test(name) && name.length > 5 ? name.slice(0, -5) : undefined);
    if (!dest) {
      throw inputError('DEST_REQUIRED', `cannot derive a destination folder from ${args.file} (it does not end in .mcpb)`, {
        suggestions: [`mpak bundle unpack ${args.file} <dir>`],
      });
    }
    const result = await unpackArchive(args.file, dest, { force: flags.force });
    this.out(`✓ unpacked ${result.files} files (${formatBytes(result.unpackedSize)}) into ${dest}${result.replaced ? ' (replaced)' : ''}`);
    return result;
  }
}
