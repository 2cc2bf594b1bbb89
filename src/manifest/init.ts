import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { writeFileAtomic } from '../util/fs-atomic.js';
import { inputError } from '../errors.js';
import { INIT_MANIFEST_VERSION } from './constants.js';
import { isWhatwgUrl, isZod3Email } from './formats.js';
import type { Manifest, McpConfig, ServerType } from './schema.js';
import { validateManifest } from './validate.js';

/** What `detectServer` found in a project folder, and where each value came from. */
export interface ServerDetection {
  /** Undefined when nothing in the folder says what kind of server it is. */
  type?: ServerType;
  entryPoint?: string;
  name: string;
  version: string;
  description: string;
  author: { name: string; email?: string; url?: string };
  license?: string;
  /** Field → source, e.g. `{type: 'package.json', entryPoint: 'package.json "main"'}`. */
  sources: Record<string, string>;
}

export interface InitAnswers {
  type: ServerType;
  entryPoint: string;
  name: string;
  version: string;
  description: string;
  author: string | { name: string; email?: string; url?: string };
  license?: string;
}

/** npm "person" strings: `Name <email> (url)`. */
function parsePerson(value: unknown): { name: string; email?: string; url?: string } | undefined {
  let person: { name?: unknown; email?: unknown; url?: unknown } | undefined;
  if (typeof value === 'string') {
    const m = /^\s*([^<(]*?)\s*(?:<([^>]*)>)?\s*(?:\(([^)]*)\))?\s*$/.exec(value);
    person = m ? { name: m[1], email: m[2], url: m[3] } : { name: value };
  } else if (value && typeof value === 'object') person = value as typeof person;
  if (!person || typeof person.name !== 'string' || person.name.trim() === '') return undefined;
  return {
    name: person.name.trim(),
    // Keep only values the manifest schema accepts, so init never writes an invalid manifest.
    ...(typeof person.email === 'string' && isZod3Email(person.email) ? { email: person.email } : {}),
    ...(typeof person.url === 'string' && isWhatwgUrl(person.url) ? { url: person.url } : {}),
  };
}

/** A few `key = "value"` reads from pyproject.toml's [project] table (no TOML library for four strings). */
function pyprojectFields(text: string): { name?: string; version?: string; description?: string; author?: { name: string; email?: string } } {
  const section = /^\[project\]\s*$([\s\S]*?)(?=^\[|$(?![\s\S]))/m.exec(text)?.[1] ?? '';
  const str = (key: string) => new RegExp(`^${key}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`, 'm').exec(section);
  const pick = (m: RegExpExecArray | null) => (m ? (m[1] ?? m[2]) : undefined);
  const authors = /^authors\s*=\s*\[([\s\S]*?)\]/m.exec(section)?.[1] ?? '';
  const aName = /name\s*=\s*"([^"]*)"/.exec(authors)?.[1];
  const aEmail = /email\s*=\s*"([^"]*)"/.exec(authors)?.[1];
  return {
    name: pick(str('name')),
    version: pick(str('version')),
    description: pick(str('description')),
    ...(aName ? { author: { name: aName, ...(aEmail && isZod3Email(aEmail) ? { email: aEmail } : {}) } } : {}),
  };
}

const PYTHON_ENTRY_CANDIDATES = ['server/main.py', 'main.py', 'server.py', 'src/server.py', 'src/main.py', 'app.py'];

async function firstExecutable(dir: string): Promise<string | undefined> {
  for (const sub of ['server', 'bin', '.']) {
    const names = await readdir(join(dir, sub)).catch(() => [] as string[]);
    for (const name of names.sort()) {
      const st = await stat(join(dir, sub, name)).catch(() => undefined);
      if (st?.isFile() && (st.mode & 0o111) !== 0) return sub === '.' ? name : `${sub}/${name}`;
    }
  }
  return undefined;
}

/** npm-ish slug of a folder name, for the default `name`. */
function slug(name: string): string {
  return name.toLowerCase().replace(/\s+/g, '-').replace(/[^a-z0-9._@/-]/g, '') || 'mcp-server';
}

/**
 * Looks at a project folder the way the official `init` does (mcpb-format.md §1.3): package.json
 * → node (entry `main` or server/index.js); pyproject.toml + uv.lock → uv; pyproject.toml or any
 * `*.py` → python (server/main.py); else an executable file → binary. Also reads name, version,
 * description and author from package.json or pyproject.toml, with the official fallbacks.
 */
export async function detectServer(dir: string): Promise<ServerDetection> {
  const sources: Record<string, string> = {};
  const d: ServerDetection = {
    name: slug(basename(dir)),
    version: '1.0.0',
    description: 'A MCPB bundle',
    author: { name: 'Unknown Author' },
    sources,
  };
  sources.name = 'folder name';
  const has = (rel: string) => existsSync(join(dir, rel));
  let meta: { name?: string; version?: string; description?: string; author?: { name: string; email?: string; url?: string }; license?: string } = {};
  let metaSource = '';

  if (has('package.json')) {
    let pkg: Record<string, unknown>;
    try {
      pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
    } catch {
      pkg = {};
    }
    d.type = 'node';
    sources.type = 'package.json';
    d.entryPoint = typeof pkg.main === 'string' && pkg.main !== '' ? pkg.main.replace(/^\.\//, '') : 'server/index.js';
    sources.entryPoint = typeof pkg.main === 'string' && pkg.main !== '' ? 'package.json "main"' : 'default';
    meta = {
      name: typeof pkg.name === 'string' ? pkg.name : undefined,
      version: typeof pkg.version === 'string' ? pkg.version : undefined,
      description: typeof pkg.description === 'string' ? pkg.description : undefined,
      author: parsePerson(pkg.author),
      license: typeof pkg.license === 'string' ? pkg.license : undefined,
    };
    metaSource = 'package.json';
  } else if (has('pyproject.toml') || (await readdir(dir).catch(() => [] as string[])).some((f) => f.endsWith('.py')) || has('server/main.py')) {
    const uv = has('pyproject.toml') && has('uv.lock');
    d.type = uv ? 'uv' : 'python';
    sources.type = uv ? 'pyproject.toml + uv.lock' : has('pyproject.toml') ? 'pyproject.toml' : '*.py files';
    const found = PYTHON_ENTRY_CANDIDATES.find(has);
    d.entryPoint = found ?? 'server/main.py';
    sources.entryPoint = found ? 'existing file' : 'default';
    if (has('pyproject.toml')) {
      meta = pyprojectFields(await readFile(join(dir, 'pyproject.toml'), 'utf8'));
      metaSource = 'pyproject.toml';
    }
  } else {
    const exe = await firstExecutable(dir);
    if (exe) {
      d.type = 'binary';
      d.entryPoint = exe;
      sources.type = `executable ${exe}`;
      sources.entryPoint = 'existing file';
    }
  }
  for (const key of ['name', 'version', 'description', 'license'] as const) {
    const v = meta[key];
    if (v) {
      d[key] = v;
      sources[key] = metaSource;
    }
  }
  if (meta.author) {
    d.author = meta.author;
    sources.author = metaSource;
  }
  return d;
}

/** The official default `mcp_config` for each server type; uv runs the entry through `uv run`. */
export function defaultMcpConfig(type: ServerType, entryPoint: string): McpConfig {
  switch (type) {
    case 'node':
      return { command: 'node', args: [`\${__dirname}/${entryPoint}`], env: {} };
    case 'python':
      return { command: 'python', args: [`\${__dirname}/${entryPoint}`], env: { PYTHONPATH: '${__dirname}/server/lib' } };
    case 'uv':
      return { command: 'uv', args: ['run', '--directory', '${__dirname}', entryPoint], env: {} };
    case 'binary':
      return { command: `\${__dirname}/${entryPoint}`, args: [], env: {} };
  }
}

/** The default entry point of each type (official init defaults; uv like python). */
export function defaultEntryPoint(type: ServerType): string {
  return type === 'node' ? 'server/index.js' : type === 'binary' ? 'server/my-server' : 'server/main.py';
}

/** Builds the manifest `init` writes: 0.3, or 0.4 for uv (the only version that has it). */
export function buildInitManifest(a: InitAnswers): Manifest {
  const author = typeof a.author === 'string' ? (parsePerson(a.author) ?? { name: a.author }) : a.author;
  return {
    manifest_version: a.type === 'uv' ? '0.4' : INIT_MANIFEST_VERSION,
    name: a.name,
    version: a.version,
    description: a.description,
    author,
    server: { type: a.type, entry_point: a.entryPoint, mcp_config: defaultMcpConfig(a.type, a.entryPoint) },
    ...(a.license ? { license: a.license } : {}),
  };
}

const IGNORE_COMMON = ['# Files left out of the bundle, on top of mpak\'s built-in excludes.', '.github/', '.vscode/', 'coverage/', '/test/', '/tests/', '*.test.*', '*.spec.*'];
const IGNORE_BY_TYPE: Record<ServerType, string[]> = {
  node: ['/src/**/*.ts'],
  python: ['__pycache__/', '*.pyc', '.venv/', '.pytest_cache/', '.mypy_cache/'],
  uv: ['__pycache__/', '*.pyc', '.venv/', '.pytest_cache/', '.mypy_cache/'],
  binary: [],
};

export function defaultMcpbIgnore(type: ServerType): string {
  return `${[...IGNORE_COMMON, ...IGNORE_BY_TYPE[type]].join('\n')}\n`;
}

export interface InitResult {
  manifest: Manifest;
  manifestPath: string;
  /** Written only when the folder had none. */
  ignorePath?: string;
  written: string[];
}

/**
 * Writes `manifest.json` (atomically) and, when absent, `.mcpbignore` into `dir`. Refuses to
 * replace an existing manifest unless `force` (code MANIFEST_EXISTS, exit 2). The manifest is
 * validated before it is written; init never leaves an invalid one behind.
 */
export async function initBundle(dir: string, answers: InitAnswers, options: { force?: boolean } = {}): Promise<InitResult> {
  const manifestPath = join(dir, 'manifest.json');
  if (existsSync(manifestPath) && !options.force) {
    throw inputError('MANIFEST_EXISTS', `${manifestPath} already exists`, {
      suggestions: [`Overwrite it: mpak bundle init ${dir} --force`, `Check it instead: mpak bundle validate ${dir}`],
    });
  }
  const manifest = buildInitManifest(answers);
  const check = validateManifest(manifest);
  if (!check.valid) {
    const first = check.errors[0]!;
    throw inputError('INIT_INVALID_VALUE', `the manifest would be invalid: ${first.pathText}: ${first.message}`, {
      details: check.errors,
      suggestions: ['Pass valid values with --name, --version, --description, --author, --type, --entry-point.'],
    });
  }
  const written: string[] = [];
  await writeFileAtomic(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  written.push(manifestPath);
  const ignore = join(dir, '.mcpbignore');
  let ignorePath: string | undefined;
  if (!existsSync(ignore)) {
    await writeFileAtomic(ignore, defaultMcpbIgnore(answers.type));
    written.push(ignore);
    ignorePath = ignore;
  }
  return { manifest, manifestPath, ...(ignorePath ? { ignorePath } : {}), written };
}
