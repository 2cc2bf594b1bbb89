import { Args } from '@oclif/core';
import { relative, resolve } from 'node:path';
import { MpakCommand } from '../../cli/base.js';
import { outputFileFlag } from '../../cli/flags.js';
import { unsignBundle, type UnsignResult } from '../../src/sign/unsign.js';

export default class BundleUnsign extends MpakCommand {
  static override summary = 'Remove every signature block, restoring the unsigned bundle byte for byte.';
  static override description =
    'Strips all MCPB_SIG_V1 trailers (including stacked ones the official signer appends) and resets the ZIP comment length. An unsigned bundle is left unchanged and the command says so (exit 0).';
  static override examples = ['<%= config.bin %> bundle unsign server.mcpb', '<%= config.bin %> bundle unsign signed.mcpb -o unsigned.mcpb --json'];
  static override args = {
    file: Args.string({ description: 'The .mcpb bundle.', required: true }),
  };
  static override flags = {
    output: outputFileFlag('Write the unsigned bundle here instead of replacing the input.'),
  };

  async run(): Promise<UnsignResult> {
    const { args, flags } = await this.parse(BundleUnsign);
    const result = await unsignBundle({ file: resolve(args.file), ...(flags.output ? { output: resolve(flags.output) } : {}) });
    result.file = args.file;
    result.output = relative(process.cwd(), result.output) || result.output;
    if (!this.jsonEnabled()) this.out(result.changed ? `✓ ${args.file}: ${result.message}` : `${args.file}: ${result.message}`);
    return result;
  }
}
