import { Args, Flags } from '@oclif/core';
import { resolve } from 'node:path';
import { MpakCommand } from '../../cli/base.js';
import { outputFileFlag } from '../../cli/flags.js';
import { attestBundle, type AttestResult } from '../../src/sign/attest.js';

export default class BundleAttest extends MpakCommand {
  static override summary = 'Write SLSA provenance for a bundle: an in-toto statement in a DSSE envelope.';
  static override description =
    'The statement names the bundle file and its SHA-256; the SLSA v1 predicate records the builder, build type and source (from flags, or GITHUB_* variables inside GitHub Actions). The envelope is signed by --key (Ed25519, ECDSA or RSA) and written to <bundle>.intoto.jsonl. Check it with `mpak bundle verify --attestation`.';
  static override examples = [
    '<%= config.bin %> bundle attest server.mcpb --key ~/.mpak/keys/index-signing.key.pem',
    '<%= config.bin %> bundle attest server.mcpb --key key.pem --source-repo https://github.com/acme/server --source-commit 1a2b3c',
  ];
  static override args = {
    file: Args.string({ description: 'The .mcpb bundle (as distributed).', required: true }),
  };
  static override flags = {
    key: Flags.string({ description: 'Private key that signs the envelope (Ed25519, ECDSA or RSA; PEM or DER).', required: true }),
    output: outputFileFlag('Attestation file (default <bundle>.intoto.jsonl).'),
    'builder-id': Flags.string({ description: 'SLSA builder id (default: the GitHub workflow, or a local builder URN).' }),
    'build-type': Flags.string({ description: 'SLSA build type URI.' }),
    'source-repo': Flags.string({ description: 'Source repository URL (default from GITHUB_REPOSITORY).' }),
    'source-commit': Flags.string({ description: 'Source commit (default from GITHUB_SHA).' }),
  };

  async run(): Promise<AttestResult> {
    const { args, flags } = await this.parse(BundleAttest);
    const result = await attestBundle({
      file: resolve(args.file),
      key: resolve(flags.key),
      ...(flags.output ? { output: resolve(flags.output) } : {}),
      ...(flags['builder-id'] ? { builderId: flags['builder-id'] } : {}),
      ...(flags['build-type'] ? { buildType: flags['build-type'] } : {}),
      ...(flags['source-repo'] ? { sourceRepo: flags['source-repo'] } : {}),
      ...(flags['source-commit'] ? { sourceCommit: flags['source-commit'] } : {}),
      env: process.env,
    });
    if (!this.jsonEnabled()) {
      this.out(`✓ ${result.output}`);
      this.out(`  subject  ${args.file} sha256:${result.sha256}`);
      this.out(`  builder  ${result.builderId}`);
      if (result.source) this.out(`  source   ${result.source.repository ?? '?'}@${result.source.commit ?? '?'}`);
      this.out(`  key      ${result.keyAlgorithm} ${result.keyid}`);
    }
    return result;
  }
}
