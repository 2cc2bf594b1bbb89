import { Args, Flags } from '@oclif/core';
import { relative } from 'node:path';
import { MpakCommand } from '../../cli/base.js';
import { inputError } from '../../src/errors.js';
import { validateSkillFolder, type SkillFolderCheck, type SkillProblem } from '../../src/skills/index.js';

export default class SkillValidate extends MpakCommand {
  static override summary = 'Check a SKILL.md folder: frontmatter, name, and linked files.';
  static override description =
    'Validates the YAML frontmatter of SKILL.md against the skill schema (name, description, license, allowed-tools, metadata, and mpak fields), checks that the name equals the folder name and that linked files exist. Every problem is listed with its line and column. Exit 2 when invalid.';
  static override examples = ['<%= config.bin %> skill validate ./skills/pdf-tools', '<%= config.bin %> skill validate . --json'];
  static override args = { path: Args.string({ description: 'The skill folder (holding SKILL.md).', default: '.' }) };
  static override flags = { strict: Flags.boolean({ description: 'Treat warnings as errors.' }) };

  async run(): Promise<SkillFolderCheck> {
    const { args, flags } = await this.parse(SkillValidate);
    const result = await validateSkillFolder(args.path).catch((err: NodeJS.ErrnoException) => {
      throw inputError('SKILL_NOT_FOUND', `cannot read skill folder ${args.path}: ${err.message}`, {
        suggestions: ['Pass the folder that contains SKILL.md: mpak skill validate ./my-skill'],
      });
    });
    if (flags.strict && result.warnings.length > 0) result.valid = false;
    const where = relative(process.cwd(), args.path) || '.';
    if (!this.jsonEnabled()) {
      const line = (p: SkillProblem) =>
        `  ${p.file}${p.line ? `:${p.line}:${p.column ?? 1}` : ''} ${p.severity}: ${p.message}${p.fix ? `\n      fix: ${p.fix.replaceAll('\n', '\n      ')}` : ''}`;
      for (const p of [...result.errors, ...result.warnings]) this.info(line(p));
      this.info(
        result.valid
          ? `✓ ${where}: valid skill "${result.frontmatter?.name}"${result.warnings.length ? ` (${result.warnings.length} warning(s))` : ''}`
          : `✗ ${where}: ${result.errors.length} error(s), ${result.warnings.length} warning(s)`,
      );
    }
    if (!result.valid) process.exitCode = 2;
    return result;
  }
}
