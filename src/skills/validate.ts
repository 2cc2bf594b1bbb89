import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, posix } from 'node:path';
import { isMap, LineCounter, parseDocument, type Node } from 'yaml';
import { KNOWN_SKILL_KEYS, skillFrontmatterSchema, type SkillFrontmatter } from './frontmatter.js';

export interface SkillProblem {
  severity: 'error' | 'warning';
  message: string;
  /** Frontmatter path (`["metadata", "team"]`), empty for file-level problems. */
  path: (string | number)[];
  file: string;
  /** 1-based position in SKILL.md when known. */
  line?: number;
  column?: number;
  fix?: string;
}

export interface SkillCheck {
  valid: boolean;
  frontmatter?: SkillFrontmatter;
  /** The markdown body after the frontmatter. */
  body?: string;
  errors: SkillProblem[];
  warnings: SkillProblem[];
}

/** Largest SKILL.md we read: it is instructions for a model, not a data file. */
const MAX_SKILL_MD = 1 << 20;

/**
 * Parses and checks the text of a SKILL.md: frontmatter delimiters, YAML syntax, the schema, and
 * unknown keys, each problem with its line and column. `folderName`, when given, must equal `name`.
 * `exists` checks that files the body links to are in the skill.
 */
export function checkSkillText(
  text: string,
  options: { folderName?: string; exists?: (relPath: string) => boolean } = {},
): SkillCheck {
  const errors: SkillProblem[] = [];
  const warnings: SkillProblem[] = [];
  const file = 'SKILL.md';
  const add = (p: Omit<SkillProblem, 'file'>) => (p.severity === 'error' ? errors : warnings).push({ file, ...p });

  const normalized = text.replace(/^\uFEFF/, '');
  const lines = normalized.split(/\r?\n/);
  if (lines[0]?.trim() !== '---') {
    add({
      severity: 'error',
      path: [],
      line: 1,
      column: 1,
      message: 'SKILL.md must start with a YAML frontmatter block: a line "---", the fields, then "---"',
      fix: 'Add at the top:\n---\nname: my-skill\ndescription: What the skill does and when to use it\n---',
    });
    return { valid: false, errors, warnings };
  }
  const close = lines.findIndex((l, i) => i > 0 && l.trim() === '---');
  if (close < 0) {
    add({ severity: 'error', path: [], line: 1, column: 1, message: 'the frontmatter block is not closed by a "---" line' });
    return { valid: false, errors, warnings };
  }
  const yamlText = lines.slice(1, close).join('\n');
  const body = lines.slice(close + 1).join('\n');
  const counter = new LineCounter();
  const doc = parseDocument(yamlText, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  // Positions inside the YAML are offset by the opening "---" line.
  const at = (offset: number | undefined) => {
    if (offset === undefined) return { line: 2, column: 1 };
    const pos = counter.linePos(offset);
    return { line: pos.line + 1, column: pos.col };
  };
  for (const e of doc.errors) {
    add({ severity: 'error', path: [], ...at(e.pos[0]), message: `YAML: ${e.message.split('\n')[0]}` });
  }
  if (errors.length > 0) return { valid: false, errors, warnings, body };
  const data = doc.toJS() as unknown;
  if (!data || typeof data !== 'object' || Array.isArray(data) || !isMap(doc.contents)) {
    add({ severity: 'error', path: [], line: 2, column: 1, message: 'the frontmatter must be a YAML mapping of fields' });
    return { valid: false, errors, warnings, body };
  }

  const nodeAt = (path: (string | number)[]): Node | undefined => {
    for (let n = path.length; n >= 0; n--) {
      const node = n === 0 ? doc.contents : (doc.getIn(path.slice(0, n), true) as Node | undefined);
      if (node && typeof node === 'object' && 'range' in node && node.range) return node;
    }
    return undefined;
  };

  const parsed = skillFrontmatterSchema.safeParse(data);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
      const key = path.join('.') || '(frontmatter)';
      const missing = issue.code === 'invalid_type' && (data as Record<string, unknown>)[String(path[0])] === undefined;
      add({
        severity: 'error',
        path,
        ...at(nodeAt(path)?.range?.[0]),
        message: missing ? `${key}: required field is missing` : `${key}: ${issue.message}`,
        ...(missing ? { fix: `Add "${key}: ..." to the frontmatter` } : {}),
      });
    }
  }
  const fm = data as Record<string, unknown>;
  for (const key of Object.keys(fm)) {
    if (!KNOWN_SKILL_KEYS.has(key)) {
      add({
        severity: 'warning',
        path: [key],
        ...at(nodeAt([key])?.range?.[0]),
        message: `${key}: unknown frontmatter field (agents ignore it)`,
        fix: 'Move custom data under "metadata" (a map of strings).',
      });
    }
  }
  if (options.folderName !== undefined && typeof fm.name === 'string' && fm.name !== options.folderName) {
    add({
      severity: 'error',
      path: ['name'],
      ...at(nodeAt(['name'])?.range?.[0]),
      message: `name: "${fm.name}" must equal the skill's folder name "${options.folderName}"`,
      fix: `Rename the folder to "${fm.name}" or set name: ${options.folderName}`,
    });
  }

  // Links in the body to files of the skill must exist and stay inside it.
  const exists = options.exists;
  if (exists) {
    const bodyStartLine = close + 2;
    body.split(/\r?\n/).forEach((line, i) => {
      for (const m of line.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
        const target = m[1] ?? '';
        if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#') || target.startsWith('//')) continue;
        const rel = decodeURIComponentSafe(target.split('#')[0] ?? '');
        if (!rel) continue;
        const norm = posix.normalize(rel.replace(/^\.\//, ''));
        const pos = { line: bodyStartLine + i, column: (m.index ?? 0) + 1 };
        if (norm.startsWith('../') || norm === '..' || posix.isAbsolute(norm)) {
          add({ severity: 'error', path: [], ...pos, message: `link "${target}" points outside the skill folder` });
        } else if (!exists(norm)) {
          add({
            severity: 'error',
            path: [],
            ...pos,
            message: `link "${target}" refers to a file that is not in the skill`,
            fix: `Add ${norm} to the skill folder or fix the link`,
          });
        }
      }
    });
  }

  const valid = errors.length === 0;
  return { valid, errors, warnings, body, ...(valid ? { frontmatter: parsed.data as SkillFrontmatter } : {}) };
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Every file path under a skill folder, POSIX-relative, for link checks. */
async function listFiles(root: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(join(root, rel), { withFileTypes: true })) {
    const p = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      out.push(p + '/');
      out.push(...(await listFiles(root, p)));
    } else out.push(p);
  }
  return out;
}

export interface SkillFolderCheck extends SkillCheck {
  dir: string;
  files: string[];
}

/** Validates a skill folder: SKILL.md present, frontmatter, name = folder name, linked files present. */
export async function validateSkillFolder(dir: string): Promise<SkillFolderCheck> {
  const info = await stat(dir);
  if (!info.isDirectory()) throw new Error(`${dir} is not a folder`);
  const files = await listFiles(dir);
  const skillMd = join(dir, 'SKILL.md');
  const mdStat = await stat(skillMd).catch(() => undefined);
  if (!mdStat?.isFile()) {
    return {
      dir,
      files,
      valid: false,
      errors: [
        {
          severity: 'error',
          path: [],
          file: 'SKILL.md',
          message: 'no SKILL.md at the root of the skill folder',
          fix: 'Create SKILL.md with a frontmatter block (name, description) and the instructions',
        },
      ],
      warnings: [],
    };
  }
  if (mdStat.size > MAX_SKILL_MD) {
    return {
      dir,
      files,
      valid: false,
      errors: [{ severity: 'error', path: [], file: 'SKILL.md', message: `SKILL.md is ${mdStat.size} bytes; the limit is 1 MiB` }],
      warnings: [],
    };
  }
  const text = await readFile(skillMd, 'utf8');
  const set = new Set(files.map((f) => f.replace(/\/$/, '')));
  return { dir, files, ...checkSkillText(text, { folderName: basename(dir), exists: (p) => set.has(p.replace(/\/$/, '')) }) };
}
