/**
 * Which files of a bundle folder go into the archive (mcpb-format §4 "File selection" and
 * "Symlinks"): the 33 default excludes, then `.mcpbignore`, in one case-insensitive gitignore
 * matcher; `*.map` matches files only; `manifest.json` is never excluded; symlinks are followed
 * only inside the root; anything that cannot be extracted everywhere is an error.
 */
import { lstat, readFile, readdir, realpath, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { Stats } from 'node:fs';
import { inputError } from '../errors.js';
import { compareUtf8, foldKey, parentDirectories } from './entry-names.js';

/** The official default exclude list, exactly these 33 patterns in this order. */
export const DEFAULT_EXCLUDES: readonly string[] = [
  '.DS_Store',
  'Thumbs.db',
  '.gitignore',
  '.git',
  '.mcpbignore',
  '*.log',
  '.env*',
  '.npm',
  '.npmrc',
  '.yarnrc',
  '.yarn',
  '.eslintrc',
  '.editorconfig',
  '.prettierrc',
  '.prettierignore',
  '.eslintignore',
  '.nycrc',
  '.babelrc',
  '.pnp.*',
  'node_modules/.cache',
  'node_modules/.bin',
  '*.map',
  '.env.local',
  '.env.*.local',
  'npm-debug.log*',
  'yarn-debug.log*',
  'yarn-error.log*',
  'package-lock.json',
  'yarn.lock',
  '*.mcpb',
  '*.d.ts',
  '*.tsbuildinfo',
  'tsconfig.json',
];

/** The default pattern that matches files only (officially it also drops `Iterator.prototype.map/`). */
const FILES_ONLY_DEFAULT = '*.map';

export interface SelectedFile {
  /** Bundle-relative path, `/` separators. */
  path: string;
  /** Absolute path of the bytes (the link target for a followed symlink). */
  source: string;
  size: number;
  mode: number;
  /** Set when the path is a symlink inside the root, stored as a regular file. */
  linkTarget?: string;
}

export interface ExcludedPath {
  /** Bundle-relative path; directories end with `/`. */
  path: string;
  pattern: string;
  /** `default` for the built-in list, `mcpbignore` for the user's file. */
  source: 'default' | 'mcpbignore';
}

export interface BundleSelection {
  root: string;
  files: SelectedFile[];
  excluded: ExcludedPath[];
  excludedByDefault: number;
  excludedByIgnoreFile: number;
  /** Directories left without any included file (they are not stored). */
  emptyDirectories: string[];
  /** `.mcpbignore` matched manifest.json; it is included anyway (pack refuses unless overridden). */
  ignoreFileExcludesManifest: boolean;
  /** The user's ignore file lines, as read. */
  ignoreLines: string[];
}

export interface CollectOptions {
  /** Name of the ignore file at the bundle root. */
  extraIgnoreFile?: string;
}

type Matcher = { test(path: string): { ignored: boolean; rule?: { pattern: string; mark?: string } } };

/**
 * Walks `root` and returns the files to pack, sorted byte-wise, with every exclusion and the
 * pattern that caused it. Throws `MpakError` (exit 2) for symlinks leaving the root, cycles,
 * broken links, special files and case collisions.
 */
export async function collectBundleFiles(root: string, options: CollectOptions = {}): Promise<BundleSelection> {
  const ignoreFile = options.extraIgnoreFile ?? '.mcpbignore';
  const rootReal = await realpath(root).catch((err: NodeJS.ErrnoException) => {
    throw inputError('BUNDLE_DIR_NOT_FOUND', `bundle folder not found: ${root} (${err.code})`, { suggestions: ['mpak bundle init <dir>'] });
  });
  if (!(await stat(rootReal)).isDirectory()) throw inputError('BUNDLE_DIR_NOT_FOUND', `not a folder: ${root}`);
  const ignoreLines = await readIgnoreLines(join(rootReal, ignoreFile));
  const { forFiles, forDirs } = await buildMatchers(ignoreLines);

  const selection: BundleSelection = {
    root: rootReal,
    files: [],
    excluded: [],
    excludedByDefault: 0,
    excludedByIgnoreFile: 0,
    emptyDirectories: [],
    ignoreFileExcludesManifest: false,
    ignoreLines,
  };
  const exclude = (path: string, rule: { pattern: string; mark?: string }) => {
    const source = rule.mark === 'user' ? 'mcpbignore' : 'default';
    selection.excluded.push({ path, pattern: rule.pattern, source });
    if (source === 'default') selection.excludedByDefault++;
    else selection.excludedByIgnoreFile++;
  };

  // Real paths of the directories being walked: a link back to one of them is a cycle.
  const walk = async (absDir: string, relDir: string, ancestors: Set<string>): Promise<number> => {
    let included = 0;
    const names = (await readdir(absDir)).sort(compareUtf8);
    for (const name of names) {
      const rel = relDir ? `${relDir}/${name}` : name;
      const abs = join(absDir, name);
      const lst = await lstat(abs);
      let st: Stats = lst;
      let linkTarget: string | undefined;
      let target = abs;
      if (lst.isSymbolicLink()) {
        try {
          linkTarget = await resolveLink(abs, rel, rootReal, root);
        } catch (err) {
          // A link the rules exclude anyway is never followed, so it cannot fail the pack.
          const verdict = [forFiles.test(rel), forDirs.test(`${rel}/`)].find((v) => v.ignored && v.rule);
          if (verdict?.rule && rel !== 'manifest.json') {
            exclude(rel, verdict.rule);
            continue;
          }
          throw err;
        }
        target = linkTarget;
        st = await stat(linkTarget);
      }
      if (st.isDirectory()) {
        const verdict = forDirs.test(`${rel}/`);
        if (verdict.ignored && verdict.rule) {
          exclude(`${rel}/`, verdict.rule);
          continue;
        }
        const real = linkTarget ?? (await realpath(abs));
        if (ancestors.has(real)) {
          throw inputError('SYMLINK_CYCLE', `symlink cycle: ${rel} points back to ${relative(rootReal, real) || '.'} (bundle root ${root})`, {
            suggestions: [`Remove the link ${rel}, or add /${rel} to .mcpbignore.`],
          });
        }
        const next = new Set(ancestors).add(real);
        const count = await walk(target, rel, next);
        if (count === 0) selection.emptyDirectories.push(`${rel}/`);
        included += count;
        continue;
      }
      const verdict = forFiles.test(rel);
      if (rel === 'manifest.json') {
        if (verdict.ignored && verdict.rule?.mark === 'user') selection.ignoreFileExcludesManifest = true;
      } else if (verdict.ignored && verdict.rule) {
        exclude(rel, verdict.rule);
        continue;
      }
      if (!st.isFile()) {
        throw inputError('SPECIAL_FILE', `${rel} is a ${kindOf(st)}, which cannot be packed (bundle root ${root})`, {
          suggestions: [`Remove it, or add /${rel} to .mcpbignore.`],
        });
      }
      selection.files.push({ path: rel, source: target, size: st.size, mode: st.mode & 0o777, ...(linkTarget ? { linkTarget } : {}) });
      included++;
    }
    return included;
  };
  await walk(rootReal, '', new Set([rootReal]));
  selection.files.sort((a, b) => compareUtf8(a.path, b.path));
  selection.emptyDirectories.sort(compareUtf8);
  checkCaseCollisions(selection.files.map((f) => f.path));
  return selection;
}

async function readIgnoreLines(path: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

async function buildMatchers(userLines: string[]): Promise<{ forFiles: Matcher; forDirs: Matcher }> {
  const { default: ignore } = await import('ignore');
  const user = userLines.map((pattern) => ({ pattern, mark: 'user' }));
  const defaults = (list: readonly string[]) => list.map((pattern) => ({ pattern, mark: 'default' }));
  // The file matcher also tests every parent folder of a path; `!*.map/` right after `*.map` keeps
  // that parent test from dropping `Iterator.prototype.map/` (folders are judged by forDirs).
  const fileDefaults = DEFAULT_EXCLUDES.flatMap((p) => (p === FILES_ONLY_DEFAULT ? [p, `!${p}/`] : [p]));
  return {
    forFiles: ignore({ ignorecase: true }).add([...defaults(fileDefaults), ...user]) as Matcher,
    forDirs: ignore({ ignorecase: true }).add([...defaults(DEFAULT_EXCLUDES.filter((p) => p !== FILES_ONLY_DEFAULT)), ...user]) as Matcher,
  };
}

/** The real path of a link that must stay inside the root; errors name the link, its target and the root. */
async function resolveLink(abs: string, rel: string, rootReal: string, root: string): Promise<string> {
  let real: string;
  try {
    real = await realpath(abs);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') {
      throw inputError('SYMLINK_CYCLE', `symlink loop at ${rel} (bundle root ${root})`, { suggestions: [`Remove the link ${rel}.`] });
    }
    throw inputError('SYMLINK_BROKEN', `broken symlink ${rel}: its target does not exist (bundle root ${root})`, {
      suggestions: [`Fix or remove the link ${rel}, or add /${rel} to .mcpbignore.`],
    });
  }
  if (real !== rootReal && !real.startsWith(rootReal + sep)) {
    throw inputError('SYMLINK_OUTSIDE_ROOT', `symlink ${rel} points to ${real}, outside the bundle root ${rootReal}`, {
      suggestions: [`Copy the target into the bundle instead of linking it, or add /${rel} to .mcpbignore.`],
    });
  }
  return real;
}

function kindOf(st: Stats): string {
  if (st.isFIFO()) return 'FIFO';
  if (st.isSocket()) return 'socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'device';
  return 'special file';
}

/** Two paths equal after NFC + lower-casing cannot both be extracted on macOS or Windows. */
function checkCaseCollisions(paths: string[]): void {
  const seen = new Map<string, string>();
  const note = (path: string) => {
    const key = foldKey(path);
    const other = seen.get(key);
    if (other !== undefined && other !== path) {
      throw inputError('CASE_COLLISION', `"${other}" and "${path}" differ only in case or Unicode normalisation; they cannot both be extracted on macOS or Windows`, {
        suggestions: ['Rename one of them, or exclude one with .mcpbignore.'],
      });
    }
    seen.set(key, path);
  };
  for (const path of paths) {
    for (const dir of parentDirectories(path)) note(dir);
    note(path);
  }
}
