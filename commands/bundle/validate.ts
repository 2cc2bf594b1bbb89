import { Args, Flags } from '@oclif/core';
import { relative, resolve } from 'node:path';
import { MpakCommand } from '../../cli/base.js';
import { ExitCode } from '../../src/errors.js';
import {
  MAX_MANIFEST_BYTES,
  checkManifestWithFiles,
  problem,
  validateManifestPath,
  type BundleValidateResult,
  type ManifestCheck,
  type Problem,
} from '../../src/manifest/index.js';

export default class BundleValidate extends MpakCommand {
  static override summary = 'Validate a bundle folder, a manifest.json, or a .mcpb.';
  static override description =
    'Checks the manifest exactly as the official MCPB validator accepts or rejects it (manifest_version 0.1–0.4), then the bundle context: icon, icons, entry point. Every problem is listed with its JSON path; warnings (semver, name, user_config lint, _meta extensions) never change validity unless --strict. Exit 2 when invalid.';
  static override examples = [
    '<%= config.bin %> bundle validate',
    '<%= config.bin %> bundle validate ./my-server --strict',
    '<%= config.bin %> bundle validate server.mcpb --json',
  ];
  static override args = {
    path: Args.string({ description: 'A bundle folder, a manifest.json file, or a .mcpb archive.', default: '.' }),
  };
  static override flags = {
    strict: Flags.boolean({ description: 'Treat warnings as errors.' }),
  };

  async run(): Promise<BundleValidateResult> {
    const { args, flags } = await this.parse(BundleValidate);
    const target = resolve(args.path);
    // `.dxt` is the pre-2025-08 name of the same archive format.
    const check = /\.(mcpb|dxt)$/i.test(args.path)
      ? await validateArchive(target, flags.strict)
      : await validateManifestPath(target, { strict: flags.strict });
    const rel = relative(process.cwd(), target) || '.';
    const shown = rel.length <= target.length ? rel : target;
    const result: BundleValidateResult = {
      valid: check.valid,
      ...(check.version ? { version: check.version } : {}),
      errors: check.errors,
      warnings: check.warnings,
      path: shown,
    };
    if (!this.jsonEnabled()) {
      for (const p of [...result.errors, ...result.warnings]) this.out(renderProblem(p));
      this.out(
        result.valid
          ? `✓ ${shown}: valid manifest ${result.version}${result.warnings.length ? ` (${result.warnings.length} warning(s))` : ''}`
          : `✗ ${shown}: ${result.errors.length} error(s), ${result.warnings.length} warning(s)`,
      );
    }
    if (!result.valid) process.exitCode = ExitCode.usage;
    return result;
  }
}

function renderProblem(p: Problem): string {
  const where = p.pathText === '' ? '(root)' : p.pathText;
  return `  ${p.severity === 'error' ? 'error' : 'warning'} ${where}: ${p.message}${p.fix ? `\n      fix: ${p.fix}` : ''}`;
}

/** A .mcpb: opened by the strict archive reader (hostile archives exit 2), then checked like a folder. */
async function validateArchive(path: string, strict: boolean): Promise<ManifestCheck> {
  const { openArchive } = await import('../../src/archive/index.js');
  const archive = await openArchive(path);
  try {
    const modes = new Map(archive.entries.filter((e) => !e.isDirectory).map((e) => [e.name, e.mode]));
    const entry = archive.entries.find((e) => e.name === 'manifest.json');
    if (entry && entry.size > MAX_MANIFEST_BYTES) {
      const p = problem('error', [], `manifest.json is ${entry.size} bytes; the limit is ${MAX_MANIFEST_BYTES} (1 MiB)`);
      return { valid: false, errors: [p], warnings: [] };
    }
    const manifest = await archive.readEntry('manifest.json', MAX_MANIFEST_BYTES);
    return await checkManifestWithFiles(
      manifest,
      {
        has: (name) => modes.has(name),
        read: (name) => archive.readEntry(name),
        isExecutable: (name) => ((modes.get(name) ?? 0) & 0o111) !== 0,
      },
      { strict, source: 'manifest.json' },
    );
  } finally {
    await archive.close();
  }
}
