import { Args, Flags } from '@oclif/core';
import { homedir } from 'node:os';
import { join, relative } from 'node:path';
import { MpakCommand } from '../../cli/base.js';
import { levelFlag } from '../../cli/flags.js';
import type { InstallSkillResult } from '../../src/skills/index.js';

export default class SkillInstall extends MpakCommand {
  static override summary = 'Install a skill into ~/.claude/skills/<name>/ from a registry, a .skill file or a folder.';
  static override description =
    'A registry reference (@scope/name[@version|@range]) is resolved in the verified index, checked against the trust policy (--min-level, default config policy.minLevel, else L1), downloaded and verified (size, SHA-256). A .skill file or folder is installed directly. Either way the archive is read with the strict reader and SKILL.md is validated before anything is written, and the skill folder appears atomically. A different installed version is replaced only with --force; the same content is left alone.';
  static override examples = [
    '<%= config.bin %> skill install @acme/pdf-tools',
    '<%= config.bin %> skill install ./bundle-review-1.0.0.skill',
    '<%= config.bin %> skill install ./skills/bundle-review --dir .claude/skills',
  ];
  static override args = {
    source: Args.string({ description: 'A registry reference (@scope/name[@range]), a .skill file or a skill folder.', required: true }),
  };
  static override flags = {
    dir: Flags.string({ description: 'Skills folder to install into (default ~/.claude/skills).' }),
    force: Flags.boolean({ description: 'Replace an installed copy with other content; accept a version below the trust policy.' }),
    'min-level': levelFlag('Refuse registry versions scanned below this trust level (default: config policy.minLevel, else L1).'),
    offline: Flags.boolean({ description: 'Use the verified registry caches only.' }),
  };

  async run(): Promise<InstallSkillResult & { registry?: string; trust?: string }> {
    const { args, flags } = await this.parse(SkillInstall);
    const skillsDir = flags.dir ?? join(process.env.HOME || homedir(), '.claude', 'skills');
    const isRef = args.source.startsWith('@');
    let result: InstallSkillResult & { registry?: string; trust?: string };
    if (isRef) {
      const { makeClientContext } = await import('../../src/client/context.js');
      const { readConfig } = await import('../../src/config/store.js');
      const { currentPlatform } = await import('../../src/run/spawn.js');
      const { installSkillFromRegistry } = await import('../../src/skills/install-ref.js');
      const ctx = makeClientContext({ env: process.env, cwd: process.cwd(), warn: (m) => this.info(`Warning: ${m}`), offline: flags.offline });
      const minLevel = flags['min-level'] ?? (await readConfig(ctx.paths.configFile)).policy.minLevel ?? 'L1';
      const { os, arch } = currentPlatform();
      result = await installSkillFromRegistry(ctx, { spec: args.source, skillsDir, minLevel: minLevel as 'L1', force: flags.force, platform: `${os}-${arch}` });
    } else {
      const { installSkill } = await import('../../src/skills/install.js');
      result = await installSkill({ source: args.source, skillsDir, force: flags.force });
    }
    for (const w of result.warnings) this.info(`warning: ${w.message}`);
    if (!this.jsonEnabled()) {
      const where = relative(process.cwd(), result.path) || result.path;
      const label = `${result.name}${result.version ? `@${result.version}` : ''}${result.trust ? ` (${result.trust})` : ''}`;
      if (result.action === 'unchanged') this.info(`${label} is already installed at ${where} (unchanged)`);
      else this.info(`${result.action === 'replaced' ? 'Replaced' : 'Installed'} ${label} → ${where}`);
    }
    return result;
  }
}
