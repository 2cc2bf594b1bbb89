import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { inputError } from '../errors.js';
import { openArchive } from '../archive/reader.js';
import { unpackArchive } from '../archive/unpack.js';
import { packSkill } from './pack.js';
import { checkSkillText, type SkillProblem } from './validate.js';

export interface InstallSkillOptions {
  /** A `.skill` file or a skill folder. */
  source: string;
  /** Where skills live: `~/.claude/skills` by default (the caller passes it). */
  skillsDir: string;
  force?: boolean;
  /** When the file came from a registry: the SHA-256 it must have. */
  expectedSha256?: string;
}

export interface InstallSkillResult {
  name: string;
  version: string | null;
  /** The installed skill folder. */
  path: string;
  files: number;
  /** SHA-256 of the `.skill` archive installed. */
  sha256: string;
  action: 'installed' | 'replaced' | 'unchanged';
  /** The version that was there before, when one was. */
  previousVersion?: string | null;
  warnings: SkillProblem[];
}

const MAX_SKILL_MD = 1 << 20;

/** SHA-256 over the sorted (path, content hash) pairs of a tree: equal trees, equal digest. */
function treeDigest(files: Array<{ path: string; sha256: string }>): string {
  const h = createHash('sha256');
  for (const f of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    h.update(`${f.path}\0${f.sha256}\n`);
  }
  return h.digest('hex');
}

async function installedTree(dir: string, rel = ''): Promise<Array<{ path: string; sha256: string }>> {
  const out: Array<{ path: string; sha256: string }> = [];
  for (const entry of await readdir(join(dir, rel), { withFileTypes: true })) {
    const p = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await installedTree(dir, p)));
    else if (entry.isFile()) {
      out.push({ path: p, sha256: createHash('sha256').update(await readFile(join(dir, p))).digest('hex') });
    }
  }
  return out;
}

function versionOf(skillMd: string): string | null {
  const m = /^version:\s*["']?([^"'\s]+)["']?\s*$/m.exec(skillMd.split(/\r?\n---/)[0] ?? '');
  return m?.[1] ?? null;
}

/**
 * Installs a skill into `<skillsDir>/<name>/`: the archive is read with the strict reader (a
 * hostile `.skill` is refused like a hostile bundle), its SKILL.md validated, and the folder
 * extracted atomically. An installed copy with other content is replaced only with `force`; the
 * same content is left alone. A folder source is packed first, so the same exclusions apply.
 */
export async function installSkill(options: InstallSkillOptions): Promise<InstallSkillResult> {
  const info = await stat(options.source).catch(() => undefined);
  if (!info) {
    throw inputError('SKILL_NOT_FOUND', `no such skill file or folder: ${options.source}`, {
      suggestions: ['mpak skill install ./my-skill', 'mpak skill install ./my-skill-1.0.0.skill', 'mpak skill install @scope/name'],
    });
  }
  if (info.isDirectory()) {
    const staging = await mkdtemp(join(tmpdir(), 'mpak-skill-'));
    try {
      const packed = await packSkill({ dir: resolve(options.source), cwd: staging, output: join(staging, 'skill.skill') });
      return await installSkill({ ...options, source: packed.path });
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }

  const archive = await openArchive(options.source, { requireRoot: 'SKILL.md' });
  let name: string;
  let version: string | null;
  let warnings: SkillProblem[];
  let digest: string;
  try {
    if (options.expectedSha256 && archive.sha256 !== options.expectedSha256) {
      throw inputError('SKILL_INTEGRITY', `Integrity mismatch: expected ${options.expectedSha256}, got ${archive.sha256}`, {
        suggestions: ['Download the skill again: mpak registry update'],
      });
    }
    const text = (await archive.readEntry('SKILL.md', MAX_SKILL_MD)).toString('utf8');
    const names = new Set(archive.entries.filter((e) => !e.isDirectory).map((e) => e.name));
    const check = checkSkillText(text, { exists: (p) => names.has(p) });
    if (!check.valid || !check.frontmatter) {
      throw inputError('SKILL_INVALID', `${options.source}: the skill's SKILL.md is invalid: ${check.errors.map((e) => e.message).join('; ')}`, {
        details: { errors: check.errors },
      });
    }
    name = check.frontmatter.name;
    version = check.frontmatter.version ?? null;
    warnings = check.warnings;
    const hashed: Array<{ path: string; sha256: string }> = [];
    for (const e of archive.entries) {
      if (e.isDirectory) continue;
      hashed.push({ path: e.name, sha256: createHash('sha256').update(await archive.readEntry(e.name)).digest('hex') });
    }
    digest = treeDigest(hashed);
  } finally {
    await archive.close();
  }

  const dest = join(options.skillsDir, name);
  const existing = await stat(dest).catch(() => undefined);
  let previousVersion: string | null | undefined;
  if (existing) {
    const prevMd = await readFile(join(dest, 'SKILL.md'), 'utf8').catch(() => '');
    previousVersion = versionOf(prevMd);
    if (treeDigest(await installedTree(dest)) === digest) {
      return { name, version, path: dest, files: 0, sha256: archive.sha256, action: 'unchanged', previousVersion, warnings };
    }
    if (!options.force) {
      throw inputError(
        'SKILL_EXISTS',
        `${dest} already holds skill "${name}"${previousVersion ? ` ${previousVersion}` : ''} with other content; not overwriting it`,
        { suggestions: [`mpak skill install ${options.source} --force`] },
      );
    }
  }
  const result = await unpackArchive(options.source, dest, { requireRoot: 'SKILL.md', force: Boolean(existing) });
  return {
    name,
    version,
    path: result.path,
    files: result.files,
    sha256: result.sha256,
    action: existing ? 'replaced' : 'installed',
    ...(previousVersion === undefined ? {} : { previousVersion }),
    warnings,
  };
}
