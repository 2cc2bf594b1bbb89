import { Args, Flags } from '@oclif/core';
import { resolve } from 'node:path';
import { MpakCommand } from '../../cli/base.js';
import { emitScanReport, scanOutputFlags } from '../../cli/scan-output.js';
import { mpakPaths } from '../../src/config/paths.js';
import type { ScanReport } from '../../src/scan/index.js';
import { scanSkill } from '../../src/skills/index.js';

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
    ...scanOutputFlags,
    trust: Flags.string({ description: 'Trust anchor for a signed .skill (AI-03; repeatable).', multiple: true }),
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
    return emitScanReport(this, report, flags);
  }
}
