import { Args, Flags } from '@oclif/core';
import { relative } from 'node:path';
import { MpakCommand } from '../../cli/base.js';
import { packSkill, type PackSkillResult } from '../../src/skills/index.js';

export default class SkillPack extends MpakCommand {
  static override summary = 'Write a reproducible .skill archive from a SKILL.md folder.';
  static override description =
    'Validates the skill first, then writes a deterministic ZIP (sorted entries, fixed timestamps or SOURCE_DATE_EPOCH, normalised modes) with SKILL.md at its root. The same folder always packs to the same SHA-256. Files matching the default excludes and .skillignore are left out.';
  static override examples = ['<%= config.bin %> skill pack ./skills/pdf-tools', '<%= config.bin %> skill pack . -o dist/pdf-tools.skill'];
  static override args = { path: Args.string({ description: 'The skill folder (holding SKILL.md).', default: '.' }) };
  static override flags = { output: Flags.string({ char: 'o', description: 'Output file (default <name>-<version>.skill).' }) };

  async run(): Promise<PackSkillResult> {
    const { args, flags } = await this.parse(SkillPack);
    const cwd = process.cwd();
    const result = await packSkill({
      dir: args.path,
      cwd,
      ...(flags.output ? { output: flags.output } : {}),
      ...(process.env.SOURCE_DATE_EPOCH ? { sourceDateEpoch: process.env.SOURCE_DATE_EPOCH } : {}),
    });
    for (const w of result.warnings) this.info(`warning: ${w.message}`);
    if (!this.jsonEnabled()) {
      this.out(`${result.name}${result.version ? `@${result.version}` : ''} → ${relative(cwd, result.path) || result.path}`);
      this.out(`  files ${result.files}, ${result.size} bytes packed, ${result.unpackedSize} unpacked`);
      this.out(`  sha256 ${result.sha256}`);
    }
    return result;
  }
}
