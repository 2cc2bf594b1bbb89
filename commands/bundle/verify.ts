import { Args, Flags } from '@oclif/core';
import { join, resolve } from 'node:path';
import { MpakCommand } from '../../cli/base.js';
import { mpakPaths } from '../../src/config/paths.js';
import { verifyAttestation, type AttestationResult } from '../../src/sign/attest.js';
import { verifyBundle, type VerifyResult } from '../../src/sign/verify.js';

export type BundleVerifyResult = VerifyResult & { attestation?: AttestationResult };

const ATTESTATION_DEFAULT = '<bundle>.intoto.jsonl';

export default class BundleVerify extends MpakCommand {
  static override summary = 'Verify a bundle signature: trusted, self-signed, untrusted, invalid, malformed or unsigned.';
  static override description =
    'Checks the CMS signature over the exact signed bytes (all three EOCD variants), the signer certificate (found by sid), its validity at signing time and code-signing usage, and builds the chain to a trust anchor (--trust files and MPAK_HOME/trust/*.pem). Exit 0 only when trusted (or self-signed/untrusted with --allow-untrusted); 1 otherwise. With --attestation, also checks the provenance envelope (signature against --trust keys, subject digest against the bundle).';
  static override examples = [
    '<%= config.bin %> bundle verify server.mcpb --trust publisher.pem',
    '<%= config.bin %> bundle verify server.mcpb --allow-untrusted --json',
    '<%= config.bin %> bundle verify server.mcpb --trust attest-key.pub.pem --attestation',
  ];
  static override args = {
    file: Args.string({ description: 'The .mcpb bundle.', required: true }),
  };
  static override flags = {
    trust: Flags.string({ description: 'Trust anchor: a CA or signer certificate, or a public key (repeatable).', multiple: true, multipleNonGreedy: true }),
    'allow-untrusted': Flags.boolean({ description: 'Exit 0 for a valid signature that is self-signed or does not chain to a trust anchor.' }),
    attestation: Flags.string({
      description: `Also verify a provenance attestation (default ${ATTESTATION_DEFAULT} when given without a value).`,
    }),
  };

  async run(): Promise<BundleVerifyResult> {
    // `--attestation` may come without a value: give it the default before oclif parses.
    const i = this.argv.indexOf('--attestation');
    if (i >= 0) {
      const next = this.argv[i + 1];
      if (next === undefined || next.startsWith('-') || next.toLowerCase().endsWith('.mcpb')) this.argv.splice(i + 1, 0, ATTESTATION_DEFAULT);
    }
    const { args, flags } = await this.parse(BundleVerify);
    const file = resolve(args.file);
    const trust = (flags.trust ?? []).map((p) => resolve(p));
    const result: BundleVerifyResult = await verifyBundle({
      file,
      trust,
      trustStoreDir: join(mpakPaths(process.env).home, 'trust'),
      allowUntrusted: flags['allow-untrusted'],
    });
    result.file = args.file;
    if (flags.attestation) {
      const attestation = flags.attestation === ATTESTATION_DEFAULT ? undefined : resolve(flags.attestation);
      result.attestation = await verifyAttestation({ file, trust, ...(attestation ? { attestation } : {}) });
    }
    const attOk = !result.attestation || result.attestation.state === 'verified' || (flags['allow-untrusted'] && result.attestation.state === 'unverified');
    if (!this.jsonEnabled()) this.render(result);
    if (!result.accepted || !attOk) this.negative();
    return result;
  }

  private render(r: BundleVerifyResult): void {
    const mark = r.state === 'trusted' ? '✓' : r.state === 'self-signed' || r.state === 'untrusted' ? '!' : '✗';
    this.out(`${mark} ${r.file}: ${r.state}${r.problem ? ` (${r.problem})` : ''}`);
    this.out(`  ${r.reason}`);
    if (r.signer) {
      this.out(`  signer       ${r.signer.subject}`);
      this.out(`  issuer       ${r.signer.issuer}`);
      this.out(`  fingerprint  ${r.signer.fingerprintSha256}`);
      this.out(`  valid        ${r.signer.notBefore} → ${r.signer.notAfter}`);
    }
    if (r.signingTime) this.out(`  signed at    ${r.signingTime}`);
    if (r.variant) this.out(`  variant      ${r.variant}${r.signatureAlgorithm ? `, ${r.signatureAlgorithm}` : ''}`);
    if (r.chain && r.chain.length > 1) this.out(`  chain        ${r.chain.map((c) => c.subject).join(' → ')}`);
    if (r.attestation) {
      const a = r.attestation;
      this.out(`${a.state === 'verified' ? '✓' : a.state === 'unverified' ? '!' : '✗'} attestation ${a.attestation}: ${a.state}`);
      this.out(`  ${a.reason}`);
      if (a.builderId) this.out(`  builder      ${a.builderId}`);
      if (a.source) this.out(`  source       ${a.source.repository ?? '?'}@${a.source.commit ?? '?'}`);
    }
    for (const w of r.warnings) this.info(`warning: ${w}`);
  }
}
