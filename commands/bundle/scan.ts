import { Args, Flags } from '@oclif/core';
import { resolve } from 'node:path';
import { MpakCommand } from '../../cli/base.js';
import { emitScanReport, scanOutputFlags, writeReportFile } from '../../cli/scan-output.js';
import { mpakPaths } from '../../src/config/paths.js';
import { scanBundleDetailed, type ScanReport } from '../../src/scan/index.js';

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
    ...scanOutputFlags,
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
    await writeReportFile(flags.sbom, `${JSON.stringify(sbom, null, 2)}\n`);
    return emitScanReport(this, report, flags);
  }
}
