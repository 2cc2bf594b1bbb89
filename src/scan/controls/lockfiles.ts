import { posix } from 'node:path';
import type { ScanContext, ScanFile } from '../types.js';

/** One package pinned by a lockfile, in a form every supply-chain control can read. */
export interface LockedPackage {
  ecosystem: 'npm' | 'PyPI';
  name: string;
  version: string;
  /** npm: the `packages` key (`node_modules/a/node_modules/b`), resolved against the lockfile folder. */
  vendoredPath?: string;
  integrity?: string;
  /** Where it was fetched from: URL, `git+…`, `file:…`, path. */
  source?: string;
  dev?: boolean;
  optional?: boolean;
  /** Not something that needs an integrity hash (the root project, links, workspace members). */
  local?: boolean;
  line?: number;
}

export interface Lockfile {
  file: ScanFile;
  kind: 'npm' | 'yarn' | 'pnpm' | 'uv' | 'poetry' | 'pipfile' | 'pdm' | 'requirements';
  ecosystem: 'npm' | 'PyPI';
  /** npm lockfileVersion. */
  version?: number;
  packages: LockedPackage[];
  error?: string;
}

const LOCK_KINDS: Record<string, Lockfile['kind']> = {
  'package-lock.json': 'npm',
  'npm-shrinkwrap.json': 'npm',
  '.package-lock.json': 'npm',
  'yarn.lock': 'yarn',
  'pnpm-lock.yaml': 'pnpm',
  'uv.lock': 'uv',
  'poetry.lock': 'poetry',
  'Pipfile.lock': 'pipfile',
  'pdm.lock': 'pdm',
};

function lineOfIndex(text: string, index: number): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** Is a file one of the lockfiles the supply-chain controls read? (`node_modules/.package-lock.json`, npm's hidden lockfile, counts.) */
export function lockKind(path: string): Lockfile['kind'] | undefined {
  const base = posix.basename(path);
  const segments = path.split('/').slice(0, -1);
  if (base === '.package-lock.json') return segments[segments.length - 1] === 'node_modules' && segments.filter((s) => s === 'node_modules').length === 1 ? 'npm' : undefined;
  if (segments.includes('node_modules') || segments.includes('site-packages')) return undefined;
  return LOCK_KINDS[base];
}

function parseTomlPackages(text: string): { block: string; offset: number }[] {
  const out: { block: string; offset: number }[] = [];
  const re = /^\[\[package\]\]\s*$/gm;
  const starts: number[] = [];
  for (let m = re.exec(text); m; m = re.exec(text)) starts.push(m.index);
  starts.forEach((s, i) => {
    const end = starts[i + 1] ?? text.length;
    // A following top-level table that is not part of this package ends it too.
    const body = text.slice(s, end);
    const stop = body.search(/^\[(?!\[?package[.\]])[^\]]+\]\s*$/m);
    out.push({ block: stop === -1 ? body : body.slice(0, stop), offset: s });
  });
  return out;
}

async function parseLockfile(file: ScanFile, kind: Lockfile['kind']): Promise<Lockfile> {
  const text = await file.text();
  const ecosystem: 'npm' | 'PyPI' = kind === 'npm' || kind === 'yarn' || kind === 'pnpm' ? 'npm' : 'PyPI';
  const lock: Lockfile = { file, kind, ecosystem, packages: [] };
  const dir = posix.dirname(file.path) === '.' ? '' : `${posix.dirname(file.path)}/`;
  try {
    if (kind === 'npm') {
      const json = JSON.parse(text);
      lock.version = Number(json.lockfileVersion ?? 1);
      const base = posix.basename(file.path) === '.package-lock.json' ? dir.replace(/node_modules\/$/, '') : dir;
      for (const [key, e] of Object.entries<any>(json.packages ?? {})) {
        if (!key.includes('node_modules/')) continue;
        const name = typeof e?.name === 'string' ? e.name : key.slice(key.lastIndexOf('node_modules/') + 13);
        const idx = text.indexOf(`"${key}"`);
        lock.packages.push({
          ecosystem, name, version: String(e?.version ?? ''), vendoredPath: `${base}${key}`,
          ...(e?.integrity ? { integrity: String(e.integrity) } : {}),
          ...(e?.resolved ? { source: String(e.resolved) } : {}),
          ...(e?.dev ? { dev: true } : {}), ...(e?.optional || e?.devOptional ? { optional: true } : {}),
          ...(e?.link || e?.inBundle ? { local: true } : {}),
          ...(idx >= 0 ? { line: lineOfIndex(text, idx) } : {}),
        });
      }
      if (lock.version < 2) {
        for (const [name, e] of Object.entries<any>(json.dependencies ?? {})) {
          lock.packages.push({ ecosystem, name, version: String(e?.version ?? ''), ...(e?.integrity ? { integrity: e.integrity } : {}), ...(e?.resolved ? { source: e.resolved } : {}) });
        }
      }
    } else if (kind === 'yarn') {
      let offset = 0;
      for (const block of text.split(/\r?\n(?=\S)/)) {
        const name = /^"?((?:@[^@/\s"]+\/)?[^@\s",]+)@/.exec(block)?.[1];
        const version = /^\s+version:?\s+"?([^"\s]+)"?/m.exec(block)?.[1];
        if (name && version) {
          const integrity = /^\s+(?:integrity|checksum):?\s+"?([^"\s]+)"?/m.exec(block)?.[1];
          const resolved = /^\s+resolved:?\s+"?([^"\s]+)"?/m.exec(block)?.[1] ?? /^"?[^\n]*@(file:|link:|portal:|workspace:)/.exec(block)?.[1];
          lock.packages.push({ ecosystem, name, version, ...(integrity ? { integrity } : {}), ...(resolved ? { source: resolved } : {}), ...(/@(?:workspace|link|portal):/.test(block.split('\n')[0]!) ? { local: true } : {}), line: lineOfIndex(text, offset) });
        }
        offset += block.length + 1;
      }
    } else if (kind === 'pnpm') {
      const { parse } = await import('yaml');
      const doc = parse(text) ?? {};
      for (const [key, e] of Object.entries<any>(doc.packages ?? {})) {
        const m = /^\/?((?:@[^@/]+\/)?[^@/]+)[@/](\d[^(_]*)/.exec(key);
        if (!m) continue;
        const tarball = e?.resolution?.tarball;
        lock.packages.push({ ecosystem, name: m[1]!, version: m[2]!, ...(e?.resolution?.integrity ? { integrity: e.resolution.integrity } : {}), ...(tarball ? { source: tarball } : e?.resolution?.repo ? { source: `git+${e.resolution.repo}#${e.resolution.commit ?? ''}` } : {}), ...(e?.dev ? { dev: true } : {}), line: lineOfIndex(text, Math.max(0, text.indexOf(key))) });
      }
    } else if (kind === 'uv' || kind === 'poetry' || kind === 'pdm') {
      for (const { block, offset } of parseTomlPackages(text)) {
        const name = /^name\s*=\s*"([^"]+)"/m.exec(block)?.[1];
        const version = /^version\s*=\s*"([^"]+)"/m.exec(block)?.[1] ?? '';
        if (!name) continue;
        const src = /^source\s*=\s*\{([^}]*)\}/m.exec(block)?.[1] ?? '';
        const local = /\b(editable|virtual|directory|path)\s*=/.test(src);
        let source = /\b(?:registry|url|git)\s*=\s*"([^"]+)"/.exec(src)?.[1];
        if (/\bgit\s*=/.test(src) && source) source = `git+${source}`;
        if (kind === 'poetry') {
          const type = /^\[package\.source\][\s\S]*?^type\s*=\s*"([^"]+)"/m.exec(block)?.[1];
          const url = /^\[package\.source\][\s\S]*?^url\s*=\s*"([^"]+)"/m.exec(block)?.[1];
          const ref = /^\[package\.source\][\s\S]*?^resolved_reference\s*=\s*"([^"]+)"/m.exec(block)?.[1];
          if (url) source = type === 'git' ? `git+${url}#${ref ?? ''}` : type === 'directory' || type === 'file' ? `file:${url}` : url;
        }
        const hash = /\bhash\s*=\s*"((?:sha256|sha384|sha512|md5|sha1):[0-9a-f]+)"/.exec(block)?.[1];
        lock.packages.push({ ecosystem, name, version, ...(hash ? { integrity: hash } : {}), ...(source ? { source } : {}), ...(local || /\bsource\s*=\s*\{\s*(?:editable|virtual)/.test(block) ? { local: true } : {}), line: lineOfIndex(text, offset) });
      }
    } else if (kind === 'pipfile') {
      const json = JSON.parse(text);
      for (const section of ['default', 'develop']) {
        for (const [name, e] of Object.entries<any>(json[section] ?? {})) {
          const version = /^==\s*(.+)$/.exec(String(e?.version ?? ''))?.[1] ?? '';
          const hashes = Array.isArray(e?.hashes) ? e.hashes : [];
          lock.packages.push({ ecosystem, name, version, ...(hashes.length ? { integrity: String(hashes[0]) } : {}), ...(e?.git ? { source: `git+${e.git}#${e.ref ?? ''}` } : e?.path ? { source: `file:${e.path}`, local: true } : {}), ...(section === 'develop' ? { dev: true } : {}) });
        }
      }
    }
  } catch (err) {
    lock.error = `${file.path} does not parse: ${(err as Error).message}`;
  }
  return lock;
}

/** Every lockfile of the bundle, parsed once per scan. */
export function lockfiles(ctx: ScanContext): Promise<Lockfile[]> {
  return ctx.shared('d1:lockfiles', async () => {
    const out: Lockfile[] = [];
    for (const f of ctx.files) {
      const kind = lockKind(f.path);
      if (kind && !f.isBinary) out.push(await parseLockfile(f, kind));
    }
    return out;
  });
}

export interface Requirement {
  name: string;
  spec: string;
  line: number;
  hashes: string[];
  url?: string;
  raw: string;
}

/** `requirements*.txt` lines (continuations joined, comments dropped). Options lines are returned with name ''. */
export function parseRequirements(text: string): Requirement[] {
  const out: Requirement[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let line = lines[i]!;
    while (line.endsWith('\\') && i + 1 < lines.length) line = `${line.slice(0, -1)} ${lines[++i]}`;
    line = line.replace(/(^|\s)#.*$/, '').trim();
    if (!line) continue;
    const hashes = [...line.matchAll(/--hash[=\s]+(\S+)/g)].map((m) => m[1]!);
    const body = line.replace(/--hash[=\s]+\S+/g, '').trim();
    if (body.startsWith('-')) {
      out.push({ name: '', spec: body, line: start + 1, hashes, raw: line });
      continue;
    }
    const url = /^(?:([A-Za-z0-9][\w.-]*)\s*@\s*)?((?:git\+)?(?:https?|file|ssh):\/\/\S+|\.{0,2}\/\S+)/.exec(body);
    if (url) {
      out.push({ name: url[1] ?? '', spec: '', line: start + 1, hashes, url: url[2]!, raw: line });
      continue;
    }
    const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*([^;]*)/.exec(body);
    if (m) out.push({ name: m[1]!, spec: m[2]!.trim(), line: start + 1, hashes, raw: line });
  }
  return out;
}

/** `[project].dependencies` and `[tool.poetry.dependencies]` of a pyproject.toml (minimal TOML reading). */
export function pyprojectDependencies(text: string): { name: string; spec: string; line: number }[] {
  const out: { name: string; spec: string; line: number }[] = [];
  const project = /^\[project\]\s*$([\s\S]*?)(?=^\[|(?![\s\S]))/m.exec(text);
  if (project) {
    const deps = /^dependencies\s*=\s*\[([\s\S]*?)\]/m.exec(project[1]!);
    if (deps) {
      const base = text.indexOf(deps[0]);
      for (const m of deps[1]!.matchAll(/["']([^"']+)["']/g)) {
        const r = /^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*(.*)$/.exec(m[1]!.split(';')[0]!.trim());
        if (r) out.push({ name: r[1]!, spec: r[2]!.trim(), line: lineOfIndex(text, base + (m.index ?? 0)) });
      }
    }
  }
  const poetry = /^\[tool\.poetry\.dependencies\]\s*$([\s\S]*?)(?=^\[|(?![\s\S]))/m.exec(text);
  if (poetry) {
    const base = text.indexOf(poetry[0]);
    for (const m of poetry[1]!.matchAll(/^([A-Za-z0-9][\w.-]*)\s*=\s*(.+)$/gm)) {
      if (m[1] === 'python') continue;
      const v = m[2]!.trim();
      const spec = v.startsWith('"') || v.startsWith("'") ? v.slice(1, -1) : /version\s*=\s*"([^"]+)"/.exec(v)?.[1] ?? (/\bgit\s*=/.test(v) ? `git:${/git\s*=\s*"([^"]+)"/.exec(v)?.[1]}#${/rev\s*=\s*"([^"]+)"/.exec(v)?.[1] ?? ''}` : v);
      out.push({ name: m[1]!, spec, line: lineOfIndex(text, base + (m.index ?? 0)) });
    }
  }
  return out;
}
