import { Args, Flags } from '@oclif/core';
import { relative, resolve } from 'node:path';
import { MpakCommand } from '../../cli/base.js';
import { outputFileFlag } from '../../cli/flags.js';
import { signBundle, type SignResult } from '../../src/sign/sign.js';

export default class BundleSign extends MpakCommand {
  static override summary = 'Sign a bundle (MCPB_SIG_V1, CMS SignedData); replaces any existing signature.';
  static override description =
    'Appends a detached CMS signature in the official MCPB format and sets the ZIP comment length to cover it, so strict ZIP readers (Claude Desktop) still open the bundle. Keys may be RSA or ECDSA, PEM or DER, PKCS#1 or PKCS#8. The signed bytes are exactly the unsigned bundle; `mpak bundle unsign` restores it byte for byte.';
  static override examples = [
    '<%= config.bin %> bundle sign server.mcpb --key ~/.mpak/keys/bundle-signing.key.pem --cert ~/.mpak/keys/bundle-signing.cert.pem',
    '<%= config.bin %> bundle sign server.mcpb --key leaf.key --cert leaf.pem --intermediate ca.pem -o signed.mcpb',
  ];
  static override args = {
    file: Args.string({ description: 'The .mcpb bundle to sign.', required: true }),
  };
  static override flags = {
    key: Flags.string({ description: 'Private key (PEM or DER; RSA or ECDSA).', required: true }),
    cert: Flags.string({ description: 'Signer certificate (PEM or DER); extra certificates in the file count as intermediates.', required: true }),
    intermediate: Flags.string({ description: 'Intermediate CA certificate to include (repeatable, in order).', multiple: true, multipleNonGreedy: true }),
    output: outputFileFlag('Write the signed bundle here instead of replacing the input.'),
  };

  async run(): Promise<SignResult> {
    const { args, flags } = await this.parse(BundleSign);
    const result = await signBundle({
      file: resolve(args.file),
      key: resolve(flags.key),
      cert: resolve(flags.cert),
      intermediates: (flags.intermediate ?? []).map((p) => resolve(p)),
      ...(flags.output ? { output: resolve(flags.output) } : {}),
    });
    result.file = args.file;
    result.output = relative(process.cwd(), result.output) || result.output;
    if (!this.jsonEnabled()) {
      this.out(`✓ signed ${args.file}${result.replaced ? ' (previous signature replaced)' : ''}`);
      this.out(`  signer       ${result.signer.subject}`);
      this.out(`  issuer       ${result.signer.issuer}`);
      this.out(`  fingerprint  ${result.signer.fingerprintSha256}`);
      this.out(`  signed at    ${result.signingTime}`);
      if (flags.output) this.out(`  written to   ${flags.output}`);
    }
    return result;
  }
}
