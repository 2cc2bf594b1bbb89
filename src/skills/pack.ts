import { resolve } from 'node:path';
import { inputError } from '../errors.js';
import { collectBundleFiles } from '../archive/select.js';
import { writeDeterministicZip } from '../archive/zip-writer.js';
import { validateSkillFolder, type SkillProblem } from './validate.js';

export interface PackSkillOptions {
  /** The skill folder (holding SKILL.md). */
  dir: string;
  /** Output file; default `<cwd>/<name>-<version>.skill` (or `<name>.skill` without a version). */
  output?: string;
  cwd: string;
  sourceDateEpoch?: string;
}

export interface PackSkillResult {
  path: string;
  name: string;
  version: string | null;
  files: number;
  size: number;
  unpackedSize: number;
  sha256: string;
  warnings: SkillProblem[];
}

/**
 * Validates a skill folder, then writes it as a reproducible `.skill` ZIP with SKILL.md at the
 * archive root, using the same deterministic writer and default excludes as bundles
 * (`.skillignore` plays the part of `.mcpbignore`).
 */
export async function packSkill(options: PackSkillOptions): Promise<PackSkillResult> {
  const dir = resolve(options.cwd, options.dir);
  const check = await validateSkillFolder(dir);
  if (!check.valid || !check.frontmatter) {
    throw inputError('SKILL_INVALID', `${options.dir}: invalid skill (${check.errors.length} error(s))`, {
      details: { errors: check.errors, warnings: check.warnings },
      suggestions: [`mpak skill validate ${options.dir}`],
    });
  }
  const { name, version } = check.frontmatter;
  const selection = await collectBundleFiles(dir, { extraIgnoreFile: '.skillignore' });
  const output = resolve(options.cwd, options.output ?? `${name}${version ? `-${version}` : ''}.skill`);
  const written = await writeDeterministicZip(
    selection.files.map((f) => ({ path: f.path, source: f.source, mode: f.mode })),
    output,
    options.sourceDateEpoch === undefined ? {} : { sourceDateEpoch: options.sourceDateEpoch },
  );
  return {
    path: output,
    name,
    version: version ?? null,
    files: written.files,
    size: written.size,
    unpackedSize: written.unpackedSize,
    sha256: written.sha256,
    warnings: check.warnings,
  };
}
