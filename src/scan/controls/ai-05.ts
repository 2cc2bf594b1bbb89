import { posix } from 'node:path';
import { INVENTORY_KEY } from '../engine/scan-keys.js';
import type { Inventory } from '../sbom/inventory.js';
import type { RawFinding, ScanContext, ScanFile } from '../types.js';
import { decided, defineControl, finding, LOCKFILE_NAMES, manifestPrerequisite } from './helpers.js';
import { lockKind } from './lockfiles.js';

const NATIVE_EXT = new Set(['.exe', '.dll', '.so', '.dylib', '.node']);
const SHELL_EXT = new Set(['.sh', '.bash', '.zsh', '.ps1', '.bat', '.cmd']);
const SOURCE_EXT = new Set(['.py', '.js', '.mjs', '.cjs', '.ts', '.go', '.rs']);
const JS_EXT = ['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts', '.jsx', '.tsx'];
const META_NAMES = /^(package\.json|pyproject\.toml|setup\.py|setup\.cfg|requirements.*\.txt|Pipfile|MANIFEST\.in)$/;
const DOC_NAMES = /^(README|LICENSE|CHANGELOG|SECURITY)/i;

/** ELF, Mach-O (32/64, fat) or PE magic. */
export async function isNativeBinary(file: ScanFile): Promise<boolean> {
  if (NATIVE_EXT.has(file.ext)) return true;
  if (!file.isBinary || file.size < 4) return false;
  const b = (await file.bytes()).subarray(0, 4);
  const hex = b.toString('hex');
  return hex === '7f454c46' || ['feedface', 'feedfacf', 'cefaedfe', 'cffaedfe', 'cafebabe'].includes(hex) || (b[0] === 0x4d && b[1] === 0x5a);
}

function stripDirname(arg: string): string | undefined {
  const m = /^\$\{__dirname\}\/(.+)$/.exec(arg);
  if (m) return m[1];
  if (/^[\w.-]+(\/[\w.-]+)+$/.test(arg) || /\.(js|mjs|cjs|py|sh)$/.test(arg)) return arg.replace(/^\.\//, '');
  return undefined;
}

/** Relative import/require specifiers of a JS/TS or Python file (resolved to bundle paths). */
async function localImports(file: ScanFile, ctx: ScanContext, roots: string[]): Promise<string[]> {
  if (file.isBinary || file.size > 2 * 1024 * 1024) return [];
  const text = await file.text();
  const dir = posix.dirname(file.path);
  const out: string[] = [];
  const tryJs = (spec: string) => {
    const base = posix.normalize(posix.join(dir, spec));
    const candidates = [base, ...JS_EXT.map((e) => base + e), ...JS_EXT.map((e) => `${base}/index${e}`)];
    if (/\.js$/.test(base)) candidates.push(base.replace(/\.js$/, '.ts'));
    for (const c of candidates) if (ctx.file(c)) return out.push(c);
    return undefined;
  };
  if (JS_EXT.includes(file.ext)) {
    const re = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*|\bexport\s+[^'"]*?from\s*)['"](\.{1,2}\/[^'"]+)['"]/g;
    for (let m = re.exec(text); m; m = re.exec(text)) tryJs(m[1]!);
  } else if (file.ext === '.py') {
    const tryPy = (base: string) => {
      for (const c of [`${base}.py`, `${base}/__init__.py`]) if (ctx.file(c)) return out.push(c);
      return undefined;
    };
    const rel = /^\s*from\s+(\.+)([\w.]*)\s+import\s+([\w, ()*]+)/gm;
    for (let m = rel.exec(text); m; m = rel.exec(text)) {
      let base = dir;
      for (let i = 1; i < m[1]!.length; i++) base = posix.dirname(base);
      const mod = m[2] ? posix.join(base, ...m[2].split('.')) : base;
      tryPy(mod);
      for (const name of m[3]!.replace(/[()]/g, '').split(',')) tryPy(posix.join(mod, name.trim().split(/\s+/)[0]!));
    }
    const abs = /^\s*(?:from\s+([\w.]+)\s+import|import\s+([\w.]+))/gm;
    for (let m = abs.exec(text); m; m = abs.exec(text)) {
      const mod = (m[1] ?? m[2])!.split('.');
      for (const root of roots) tryPy(posix.join(root, ...mod));
    }
  }
  return out;
}

/** AI-05 Bundle Completeness: every entry belongs to the expected set. */
export const ai05 = defineControl('AI-05', async (ctx) => {
  const pre = manifestPrerequisite(ctx, 'AI-05');
  if (pre) return pre;
  const m = ctx.manifest!;
  const inventory = await ctx.shared<Inventory>(INVENTORY_KEY, () => {
    throw new Error('inventory missing');
  });
  const expected = new Set<string>(['manifest.json']);
  const expectedDirs: string[] = [];
  const seeds: string[] = [];
  const entry = typeof m.server?.entry_point === 'string' ? m.server.entry_point.replace(/^\.\//, '') : undefined;
  if (entry) {
    seeds.push(entry);
    if (entry.includes('/')) expectedDirs.push(`${posix.dirname(entry)}/`);
  }
  const argLists: unknown[] = [m.server?.mcp_config?.args, m.server?.mcp_config?.command];
  for (const o of Object.values<any>(m.server?.mcp_config?.platform_overrides ?? {})) argLists.push(o?.args, o?.command);
  for (const o of Object.values<any>(m._meta?.['dev.mpak']?.platform_overrides ?? {})) argLists.push(o?.args, o?.command);
  const moduleRoots = ['', 'src', 'lib', ...(entry ? [posix.dirname(entry)] : [])].map((r) => (r === '.' ? '' : r));
  for (const list of argLists) {
    const items = Array.isArray(list) ? list : typeof list === 'string' ? [list] : [];
    items.forEach((a, i) => {
      if (typeof a !== 'string') return;
      const p = stripDirname(a);
      if (p && ctx.file(p)) seeds.push(p);
      if (a === '-m' && typeof items[i + 1] === 'string') {
        const parts = (items[i + 1] as string).split('.');
        for (const root of ['', 'src', 'lib']) {
          const base = posix.join(root, ...parts);
          for (const c of [`${base}.py`, `${base}/__main__.py`, `${base}/__init__.py`]) if (ctx.file(c)) seeds.push(c);
          const pkgDir = posix.join(root, parts[0]!);
          if (ctx.files.some((f) => f.path.startsWith(`${pkgDir}/`))) expectedDirs.push(`${pkgDir}/`);
        }
      }
    });
  }
  for (const icon of [m.icon, ...(Array.isArray(m.icons) ? m.icons.map((i: any) => i?.src) : [])]) {
    if (typeof icon === 'string') expected.add(icon.replace(/^\.\//, ''));
  }
  // Transitive closure of local imports from the seeds.
  const queue = [...seeds];
  while (queue.length) {
    const p = queue.pop()!;
    if (expected.has(p)) continue;
    expected.add(p);
    const file = ctx.file(p);
    if (file) for (const dep of await localImports(file, ctx, moduleRoots)) if (!expected.has(dep)) queue.push(dep);
  }
  const isExpected = (f: ScanFile) => {
    const base = posix.basename(f.path);
    return (
      expected.has(f.path) ||
      expectedDirs.some((d) => f.path.startsWith(d)) ||
      f.isDependency ||
      LOCKFILE_NAMES.has(base) ||
      !!lockKind(f.path) ||
      META_NAMES.test(base) ||
      f.path.includes('.dist-info/') ||
      f.path.includes('.egg-info/') ||
      (!f.path.includes('/') && (DOC_NAMES.test(base) || base === '.mpakignore' || base === '.gitattributes'))
    );
  };
  const findings: RawFinding[] = [];
  for (const f of ctx.files) {
    const native = await isNativeBinary(f);
    if (f.isDependency && native) {
      // A native binary inside a component must be accounted for by its RECORD or package.json "files".
      const root = inventory.components.find((c) => c.purl === f.component)?.locations.find((l) => f.path.startsWith(`${l}/`));
      const pkgFile = root && ctx.file(`${root}/package.json`);
      if (pkgFile) {
        const pkg = JSON.parse(await pkgFile.text());
        if (Array.isArray(pkg.files) && pkg.files.length) {
          const { default: ignore } = await import('ignore');
          const rel = f.path.slice(root!.length + 1);
          if (!ignore().add(pkg.files.map(String)).ignores(rel)) {
            findings.push(finding('AI-05', 'unaccounted-native', 'MEDIUM', 'Native binary not declared by its package', `${f.path} is native code that ${root}/package.json "files" does not include.`, 'Check where this binary came from; reinstall the package from the registry.', { file: f.path, dependencyCap: null }));
          }
        }
      }
      continue;
    }
    if (isExpected(f)) continue;
    const base = posix.basename(f.path);
    if (native || SHELL_EXT.has(f.ext) || /^(preinstall|postinstall)/i.test(base)) {
      findings.push(finding('AI-05', native ? 'unexpected-native' : SHELL_EXT.has(f.ext) ? 'unexpected-script' : 'unexpected-install-hook', 'CRITICAL', native ? 'Unexpected native code' : 'Unexpected executable script', `${f.path} is not referenced by the manifest, the entry point's imports or any component.`, 'Remove the file from the bundle (add it to .mcpbignore), or reference it from the manifest.', { file: f.path }));
    } else if (SOURCE_EXT.has(f.ext)) {
      findings.push(finding('AI-05', 'unexpected-source', 'HIGH', 'Unexpected source file', `${f.path} is code that nothing in the bundle imports or launches.`, 'Remove it from the bundle, or import it from the entry point.', { file: f.path }));
    } else {
      findings.push(finding('AI-05', 'unexpected-file', 'LOW', 'Unexpected file', `${f.path} is not part of the expected set.`, 'Exclude it with .mcpbignore if it is not needed at run time.', { file: f.path }));
    }
  }
  for (const b of inventory.broken) {
    findings.push(finding('AI-05', 'phantom-component', 'HIGH', 'Dependency folder without package metadata', `${b.location}: ${b.problem}. Its files cannot be attributed to any component.`, 'Reinstall dependencies from the lockfile, or remove the folder.', { file: b.file }));
  }
  return decided(findings, `${ctx.files.length} entries all expected`);
});
