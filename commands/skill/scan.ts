import { Args, Flags } from '@oclif/core';
import { resolve } from 'node:path';
import { MpakCommand } from '../../cli/base.js';
import { outputFileFlag } from '../../cli/flags.js';
import { environmentError } from '../../src/errors.js';
import { mpakPaths } from '../../src/config/paths.js';
import { evaluateGate, toSarif, type ScanReport } from '../../src/scan/index.js';
import { renderGate, renderScanTable } from '../../src/scan/render.js';
import { scanSkill } from '../../src/skills/index.js';
import { writeFileAtomic } from '../../src/util/fs-atomic.js';

export default class SkillScan extends MpakCommand {
  static override summary = 'Scan a skill (folder or .skill) with the MTF skill profile: secrets, malware, prompt injection.';
  static override description =
    'Runs the 25 MTF controls with the skill profile: secrets (CQ-01) and malware patterns (CQ-02) in every file and bundled script, code and dependency controls unchanged, SKILL.md frontmatter and links (AI-01), prompt-injection and concealment phrases and hidden Unicode in SKILL.md (CD-03), repository and author from the frontmatter (PR-01, PR-02). Controls about servers and manifests are skip with the reason. Same report formats and gates as `mpak bundle scan`.';
  static override examples = [
    '<%= config.bin %> skill scan ./skills/pdf-tools',
    '<%= config.bin %> skill scan pdf-tools-1.0.0.skill --fail-on high --format sarif -o skill.sarif',
  ];
  static override args = { skill: Args.string({ description: 'A skill folder or a .skill file.', required: true }) };
  static override flags = {
    'min-level': Flags.string({ description: 'Gate: fail (exit 1) below this level, L0..L4.' }),
    'fail-on': Flags.string({ description: 'Gate: fail (exit 1) on any unsuppressed finding at or above critical|high|medium|low.' }),
    format: Flags.string({ description: 'Output format on stdout.', options: ['table', 'json', 'sarif'], default: 'table' }),
    output: outputFileFlag('Write the report to this file (JSON, or SARIF with --format sarif).'),
    trust: Flags.string({ description: 'Trust anchor for a signed .skill (AI-03; repeatable).', multiple: true }),
    policy: Flags.string({ description: 'Operator suppression policy file.' }),
    'ignore-bundle-suppressions': Flags.boolean({ description: 'Ignore inline mpak-ignore comments and the skill .mpakignore.' }),
    now: Flags.string({ description: 'Fixed clock (RFC 3339) for the report.' }),
  };

  async run(): Promise<ScanReport> {
    const { args, flags } = await this.parse(SkillScan);
    const { report } = await scanSkill({
      path: resolve(args.skill),
      trust: (flags.trust ?? []).map((p) => resolve(p)),
      ...(flags.policy ? { policy: resolve(flags.policy) } : {}),
      ignoreBundleSuppressions: flags['ignore-bundle-suppressions'],
      ...(flags.now ? { now: flags.now } : {}),
      mpakHome: mpakPaths(process.env).home,
    });
    const gate = evaluateGate(report, { minLevel: flags['min-level'], failOn: flags['fail-on'] });
    if (gate) report.gate = gate;
    const format = this.jsonEnabled() ? 'json' : flags.format;
    const document = format === 'sarif' ? toSarif(report) : report;
    if (flags.output) {
      await writeFileAtomic(resolve(flags.output), `${JSON.stringify(document, null, 2)}\n`).catch((err: Error) => {
        throw environmentError('WRITE_FAILED', `cannot write ${flags.output}: ${err.message}`);
      });
    }
    if (!this.jsonEnabled()) {
      if (format === 'table') this.out(renderScanTable(report, { color: !!process.stdout.isTTY && !process.env.NO_COLOR }));
      else process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
    }
    if (gate) this.info(renderGate(gate));
    if (gate && !gate.held) this.negative();
    return report;
  }
}
