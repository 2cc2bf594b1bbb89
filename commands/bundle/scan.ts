import { Args, Flags } from '@oclif/core';
import { resolve } from 'node:path';
import { MpakCommand } from '../../cli/base.js';
import { outputFileFlag } from '../../cli/flags.js';
import { environmentError } from '../../src/errors.js';
import { mpakPaths } from '../../src/config/paths.js';
import { evaluateGate, scanBundleDetailed, toSarif, type ScanReport } from '../../src/scan/index.js';
import { renderGate, renderScanTable } from '../../src/scan/render.js';
import { writeFileAtomic } from '../../src/util/fs-atomic.js';

const path = (p: string | undefined) => (p === undefined ? undefined : resolve(p));

export default class BundleScan extends MpakCommand {
  static override summary = 'Scan a bundle against the 25 MTF controls and report its trust level (L0–L4) and score.';
  static override description =
    'Evaluates every control of the mpak Trust Framework offline (mtf-controls.md): manifest, hashes, signature, reproducibility, SBOM, OSV advisories, pinning, lockfiles, sources, secrets, malware, static analysis, tool declarations, permissions, descriptions, provenance. Controls lacking an input are `unverified` and name the flag that supplies it. Exit 1 when --min-level or --fail-on does not hold; 2 on invalid input (missing path, hostile archive).';
  static override examples = [
    '<%= config.bin %> bundle scan server.mcpb',
    '<%= config.bin %> bundle scan ./my-server --min-level L2 --fail-on high --advisories ~/osv/npm-all.zip',
    '<%= config.bin %> bundle scan server.mcpb --format sarif -o scan.sarif --sbom sbom.cdx.json',
  ];
  static override args = { bundle: Args.string({ description: 'A .mcpb file or a bundle folder.', required: true }) };
  static override flags = {
    'min-level': Flags.string({ description: 'Gate: fail (exit 1) below this level, L0..L4 (or 0..4).' }),
    'fail-on': Flags.string({ description: 'Gate: fail (exit 1) on any unsuppressed finding at or above critical|high|medium|low.' }),
    format: Flags.string({ description: 'Output format on stdout.', options: ['table', 'json', 'sarif'], default: 'table' }),
    output: outputFileFlag('Write the report to this file (JSON, or SARIF with --format sarif).'),
    sbom: Flags.string({ description: 'Write the CycloneDX 1.6 SBOM to this file.' }),
    advisories: Flags.string({ description: 'OSV advisories: a folder of OSV JSON or an osv.dev all.zip (repeatable; default: the synced snapshot).', multiple: true }),
    kev: Flags.string({ description: 'CISA KEV catalogue (JSON) for SC-02.' }),
    epss: Flags.string({ description: 'EPSS snapshot (CSV cve,epss,percentile or JSON) for SC-02.' }),
    vex: Flags.string({ description: 'OpenVEX v0.2.0 document for SC-02.' }),
    trust: Flags.string({ description: 'Trust anchor certificate or public key for AI-03/PR-03 (repeatable; MPAK_HOME/trust is added).', multiple: true }),
    attestation: Flags.string({ description: 'Provenance attestation file for PR-03 (default <bundle>.intoto.jsonl).' }),
    'trusted-builder': Flags.string({ description: 'Extra accepted SLSA builder id prefix for PR-03 (repeatable).', multiple: true }),
    source: Flags.string({ description: 'Local git checkout of the bundle source (PR-04, PR-05, AI-04).' }),
    'allow-source': Flags.string({ description: 'Extra approved package source URL prefix for SC-05 (repeatable).', multiple: true }),
    run: Flags.boolean({ description: "Permit the behavioural run (CQ-06): start the bundle's server in a sandbox.", aliases: ['behavior'] }),
    policy: Flags.string({ description: 'Operator suppression policy file (<CONTROL>[/<rule>] <glob> <reason>).' }),
    'ignore-bundle-suppressions': Flags.boolean({ description: 'Ignore inline mpak-ignore comments and the bundle .mpakignore.' }),
    now: Flags.string({ description: 'Fixed clock (RFC 3339) for staleness and recency checks and started_at.' }),
  };

  async run(): Promise<ScanReport> {
    const { args, flags } = await this.parse(BundleScan);
    const { report, sbom } = await scanBundleDetailed({
      path: resolve(args.bundle),
      advisories: (flags.advisories ?? []).map((p) => resolve(p)),
      kev: path(flags.kev), epss: path(flags.epss), vex: path(flags.vex),
      trust: (flags.trust ?? []).map((p) => resolve(p)),
      attestation: path(flags.attestation),
      trustedBuilders: flags['trusted-builder'] ?? [],
      source: path(flags.source),
      allowSources: flags['allow-source'] ?? [],
      run: flags.run,
      policy: path(flags.policy),
      ignoreBundleSuppressions: flags['ignore-bundle-suppressions'],
      ...(flags.now ? { now: flags.now } : {}),
      mpakHome: mpakPaths(process.env).home,
    });
    const gate = evaluateGate(report, { minLevel: flags['min-level'], failOn: flags['fail-on'] });
    if (gate) report.gate = gate;
    const format = this.jsonEnabled() ? 'json' : flags.format;
    const document = format === 'sarif' ? toSarif(report) : report;
    await this.write(flags.output, `${JSON.stringify(document, null, 2)}\n`);
    if (flags.sbom) await this.write(flags.sbom, `${JSON.stringify(sbom, null, 2)}\n`);
    if (!this.jsonEnabled()) {
      if (format === 'table') this.out(renderScanTable(report, { color: !!process.stdout.isTTY && !process.env.NO_COLOR }));
      else process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
    }
    if (gate) this.info(renderGate(gate));
    if (gate && !gate.held) this.negative();
    return report;
  }

  private async write(file: string | undefined, text: string): Promise<void> {
    if (!file) return;
    try {
      await writeFileAtomic(resolve(file), text);
    } catch (err) {
      throw environmentError('WRITE_FAILED', `cannot write ${file}: ${(err as Error).message}`, { suggestions: ['Check the folder exists and is writable.'] });
    }
  }
}
