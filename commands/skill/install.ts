import { Args, Flags } from '@oclif/core';
import { homedir } from 'node:os';
import { join, relative } from 'node:path';
import { MpakCommand } from '../../cli/base.js';
import { installSkill, type InstallSkillResult } from '../../src/skills/index.js';

export default class SkillInstall extends MpakCommand {
  static override summary = 'Install a skill into ~/.claude/skills/<name>/.';
  static override description =
    'Installs from a .skill file or a skill folder. The archive is read with the strict reader and SKILL.md is validated before anything is written; the skill folder appears atomically. A different installed version is replaced only with --force; the same content is left alone.';
  static override examples = [
    '<%= config.bin %> skill install ./bundle-review-1.0.0.skill',
    '<%= config.bin %> skill install ./skills/bundle-review --dir .claude/skills',
  ];
  static override args = {
    source: Args.string({ description: 'A .skill file or a skill folder.', required: true }),
  };
  static override flags = {
    dir: Flags.string({ description: 'Skills folder to install into (default ~/.claude/skills).' }),
    force: Flags.boolean({ description: 'Replace an installed copy with other content.' }),
  };

  async run(): Promise<InstallSkillResult> {
    const { args, flags } = await this.parse(SkillInstall);
    const skillsDir = flags.dir ?? join(process.env.HOME || homedir(), '.claude', 'skills');
    const result = await installSkill({ source: args.source, skillsDir, force: flags.force });
    for (const w of result.warnings) this.info(`warning: ${w.message}`);
    if (!this.jsonEnabled()) {
      const where = relative(process.cwd(), result.path) || result.path;
      const label = `${result.name}${result.version ? `@${result.version}` : ''}`;
      if (result.action === 'unchanged') this.info(`${label} is already installed at ${where} (unchanged)`);
      else this.info(`${result.action === 'replaced' ? 'Replaced' : 'Installed'} ${label} → ${where}`);
    }
    return result;
  }
}
