import { Flags } from '@oclif/core';
import { relative, resolve } from 'node:path';
import { MpakCommand } from '../../cli/base.js';
import { forceFlag } from '../../cli/flags.js';
import { mpakPaths } from '../../src/config/paths.js';
import { BUNDLE_KEY_ALGORITHMS, generateKeys, type BundleKeyAlgorithm, type GenerateKeysResult } from '../../src/sign/generate.js';

export default class KeyGenerate extends MpakCommand {
  static override summary = 'Create signing material: a bundle-signing key + certificate, or an Ed25519 index key.';
  static override description =
    'Bundle keys (default RSA-4096) come with a self-signed X.509 certificate for code signing (keyUsage digitalSignature, extendedKeyUsage codeSigning). Index keys are Ed25519, for signing registry metadata. Files are written with mode 0600 under MPAK_HOME/keys (or --out) and never overwritten without --force.';
  static override examples = [
    '<%= config.bin %> key generate',
    '<%= config.bin %> key generate --kind bundle --algorithm ecdsa-p256 --subject "CN=Example Corp, O=Example Corp" --out ./keys',
    '<%= config.bin %> key generate --kind index --json',
  ];
  static override flags = {
    kind: Flags.string({ description: 'What the key signs: bundles (key + certificate) or a registry index (Ed25519).', options: ['bundle', 'index'], default: 'bundle' }),
    algorithm: Flags.string({ description: 'Bundle key algorithm (default rsa-4096).', options: BUNDLE_KEY_ALGORITHMS }),
    out: Flags.string({ description: 'Directory for the files (default MPAK_HOME/keys).' }),
    subject: Flags.string({ description: 'Certificate subject for bundle keys, e.g. "CN=Example Corp, O=Example Corp, C=US".' }),
    days: Flags.integer({ description: 'Certificate validity in days (bundle keys).', default: 730, min: 1 }),
    force: forceFlag('Overwrite existing key files.'),
  };

  async run(): Promise<GenerateKeysResult> {
    const { flags } = await this.parse(KeyGenerate);
    const out = flags.out ? resolve(flags.out) : mpakPaths(process.env).keysDir;
    const result = await generateKeys({
      kind: flags.kind as 'bundle' | 'index',
      ...(flags.algorithm ? { algorithm: flags.algorithm as BundleKeyAlgorithm } : {}),
      out,
      ...(flags.subject ? { subject: flags.subject } : {}),
      days: flags.days,
      force: flags.force,
    });
    if (!this.jsonEnabled()) {
      for (const f of result.files) this.out(`${f.role.padEnd(12)} ${relative(process.cwd(), f.path) || f.path}`);
      if (result.kind === 'bundle') {
        this.out(`subject      ${result.subject}`);
        this.out(`valid        ${result.notBefore} → ${result.notAfter}`);
        this.out(`sha256       ${result.fingerprint}  (certificate fingerprint)`);
        this.info(`Sign with: mpak bundle sign <file.mcpb> --key ${result.files[0]!.path} --cert ${result.files[1]!.path}`);
      } else {
        this.out(`keyid        ${result.fingerprint}`);
        this.out(`public key   ${result.publicKey}`);
      }
    }
    return result;
  }
}
