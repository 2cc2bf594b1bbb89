import { posix } from 'node:path';
import type { RawFinding, ScanContext } from '../types.js';
import { pep503 } from '../sbom/purl.js';
import { decided, defineControl, finding, manifestLine, manifestPrerequisite } from './helpers.js';
import { lockfiles, parseRequirements, pyprojectDependencies, type Lockfile } from './lockfiles.js';

const EXACT_SEMVER = /^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;
const GIT_SPEC = /^(?:git\+|git:|github:|gitlab:|bitbucket:|[\w-]+\/[\w.-]+(?:#|$))/;
const URL_SPEC = /^(?:https?:)/;

/** npm: is a dependency spec an exact version? */
export function npmSpecPinned(spec: string): boolean {
  return EXACT_SEMVER.test(spec.trim().replace(/^=/, ''));
}

/** PEP 508 specifier `==X` / `===X` without a wildcard. */
export function pySpecPinned(spec: string): boolean {
  const s = spec.trim();
  return /^===?\s*[A-Za-z0-9.+!_-]+$/.test(s) && !s.includes('*');
}

/** Launch commands that fetch code: npx/uvx/pipx without an exact version. */
export function launchFetchProblem(command: unknown, args: unknown): string | undefined {
  if (typeof command !== 'string') return undefined;
  const argv = Array.isArray(args) ? args.filter((a): a is string => typeof a === 'string') : [];
  const cmd = posix.basename(command.replace(/\\/g, '/')).replace(/\.(cmd|exe)$/, '');
  const positional = (list: string[]) => list.filter((a) => !a.startsWith('-'));
  if (cmd === 'npx' || cmd === 'bunx' || (cmd === 'pnpm' && argv[0] === 'dlx') || (cmd === 'yarn' && argv[0] === 'dlx')) {
    const rest = cmd === 'pnpm' || cmd === 'yarn' ? argv.slice(1) : argv;
    const pkgFlag = rest.findIndex((a) => a === '--package' || a === '-p');
    const pkg = pkgFlag >= 0 ? rest[pkgFlag + 1] : positional(rest)[0];
    if (!pkg) return undefined;
    const at = pkg.lastIndexOf('@');
    const version = at > 0 ? pkg.slice(at + 1) : '';
    if (!npmSpecPinned(version)) return `${cmd} ${pkg} fetches ${at > 0 ? `"${version}"` : 'the latest version'} at launch`;
  } else if (cmd === 'uvx' || (cmd === 'uv' && argv[0] === 'tool' && argv[1] === 'run') || (cmd === 'pipx' && argv[0] === 'run')) {
    const rest = cmd === 'uvx' ? argv : cmd === 'uv' ? argv.slice(2) : argv.slice(1);
    const fromIdx = rest.indexOf('--from');
    const pkg = fromIdx >= 0 ? rest[fromIdx + 1] : positional(rest)[0];
    if (!pkg) return undefined;
    if (!/==\s*[\w.+!-]+$/.test(pkg) && !/@\d+(\.\d+)*[\w.+!-]*$/.test(pkg)) return `${cmd} ${pkg} fetches an unpinned version at launch`;
  }
  return undefined;
}

function lockPins(locks: Lockfile[], ecosystem: 'npm' | 'PyPI', name: string): string[] {
  const key = ecosystem === 'PyPI' ? pep503(name) : name;
  return locks
    .filter((l) => l.ecosystem === ecosystem)
    .flatMap((l) => l.packages)
    .filter((p) => (ecosystem === 'PyPI' ? pep503(p.name) : p.name) === key && p.version)
    .map((p) => p.version);
}

async function packageJsonFindings(ctx: ScanContext, path: string, locks: Lockfile[], out: RawFinding[]): Promise<number> {
  const file = ctx.file(path);
  if (!file) return 0;
  let pkg: any;
  try {
    pkg = JSON.parse(await file.text());
  } catch {
    return 0;
  }
  const text = await file.text();
  const lineOf = (name: string) => {
    const i = text.indexOf(`"${name}"`);
    return i === -1 ? undefined : text.slice(0, i).split('\n').length;
  };
  const npmLocks = locks.filter((l) => l.ecosystem === 'npm');
  let count = 0;
  for (const section of ['dependencies', 'optionalDependencies']) {
    for (const [name, rawSpec] of Object.entries<any>(pkg[section] ?? {})) {
      count++;
      const spec = String(rawSpec).trim();
      const loc = { file: path, line: lineOf(name) };
      const pins = lockPins(locks, 'npm', name);
      if (spec.startsWith('file:') || spec.startsWith('link:') || spec.startsWith('workspace:')) continue; // SC-05 judges local sources
      if (GIT_SPEC.test(spec)) {
        if (!/#[0-9a-f]{40}$/.test(spec)) out.push(finding('SC-03', 'git-unpinned', 'HIGH', `Git dependency ${name} is not pinned to a commit`, `"${name}": "${spec}" follows a moving branch or tag.`, 'Pin it to a full 40-hex commit: git+https://host/repo.git#<sha>.', loc));
        continue;
      }
      if (URL_SPEC.test(spec)) {
        const hashed = npmLocks.flatMap((l) => l.packages).some((p) => p.name === name && p.integrity);
        if (!hashed) out.push(finding('SC-03', 'url-unhashed', 'HIGH', `Tarball dependency ${name} has no hash`, `"${name}": "${spec}" is fetched from a URL with no integrity hash.`, 'Depend on a registry version, or commit a lockfile with its integrity.', loc));
        continue;
      }
      if (npmSpecPinned(spec)) {
        if (npmLocks.length && !pins.length) out.push(finding('SC-03', 'missing-from-lockfile', 'MEDIUM', `${name} missing from the lockfile`, `${name} is declared in ${path} but no lockfile lists it.`, 'Run npm install and commit the lockfile.', loc));
        continue;
      }
      if (pins.length) {
        out.push(finding('SC-03', 'range-locked', 'LOW', `${name} uses a range that the lockfile pins`, `"${name}": "${spec}" is pinned to ${pins.join(', ')} by the lockfile.`, 'Nothing blocking; exact versions in package.json make the pin explicit.', loc));
      } else {
        out.push(finding('SC-03', 'unpinned', 'HIGH', `${name} is not pinned`, `"${name}": "${spec}" is a range or tag that no lockfile pins.`, `Pin an exact version ("${name}": "x.y.z") or ship package-lock.json (add "!package-lock.json" to .mcpbignore).`, loc));
        if (npmLocks.length) out.push(finding('SC-03', 'missing-from-lockfile', 'MEDIUM', `${name} missing from the lockfile`, `${name} is declared in ${path} but no lockfile lists it.`, 'Run npm install and commit the lockfile.', loc));
      }
    }
  }
  return count;
}

/** SC-03 Dependency Pinning: exact versions for declared dependencies and launch commands. */
export const sc03 = defineControl('SC-03', async (ctx) => {
  const pre = manifestPrerequisite(ctx, 'SC-03');
  if (pre) return pre;
  const m = ctx.manifest!;
  const locks = await lockfiles(ctx);
  const findings: RawFinding[] = [];
  let declared = 0;
  const entry = typeof m.server?.entry_point === 'string' ? m.server.entry_point : '';
  const serverDir = entry.includes('/') ? entry.split('/')[0]! : '';
  const pkgPaths = [...new Set(['package.json', serverDir ? `${serverDir}/package.json` : 'package.json'])];
  for (const p of pkgPaths) declared += await packageJsonFindings(ctx, p, locks, findings);

  const pyLocked = locks.some((l) => l.ecosystem === 'PyPI' && !l.error);
  for (const f of ctx.files) {
    if (f.inDependencyDir || f.isBinary) continue;
    const base = posix.basename(f.path);
    if (/^requirements.*\.txt$/.test(base)) {
      for (const r of parseRequirements(await f.text())) {
        if (!r.name && !r.url) continue;
        declared++;
        const loc = { file: f.path, line: r.line, excerpt: r.raw.slice(0, 200) };
        if (r.url) {
          if (/^git\+/.test(r.url) && !/@[0-9a-f]{40}(?:#|$)/.test(r.url)) findings.push(finding('SC-03', 'git-unpinned', 'HIGH', `Git requirement ${r.name || r.url} is not pinned to a commit`, `${r.raw} follows a moving ref.`, 'Pin it to a full commit: git+https://host/repo@<40-hex sha>.', loc));
          else if (!/^git\+/.test(r.url) && !r.hashes.length && !/#sha256=[0-9a-f]{64}/.test(r.url)) findings.push(finding('SC-03', 'url-unhashed', 'HIGH', `URL requirement ${r.name || r.url} has no hash`, `${r.raw} is fetched from a URL with no hash.`, 'Add --hash=sha256:<digest> or depend on a registry version.', loc));
          continue;
        }
        if (pySpecPinned(r.spec)) continue;
        if (lockPins(locks, 'PyPI', r.name).length) findings.push(finding('SC-03', 'range-locked', 'LOW', `${r.name} uses a range that the lockfile pins`, `${r.raw} is pinned by a lockfile.`, 'Nothing blocking; ==x.y.z makes the pin explicit.', loc));
        else findings.push(finding('SC-03', 'unpinned', 'HIGH', `${r.name} is not pinned`, `${r.raw} does not pin an exact version${pyLocked ? ' and the lockfile does not list it' : ''}.`, `Pin it: ${r.name}==x.y.z (ideally with --hash), or ship uv.lock.`, loc));
      }
    } else if (base === 'pyproject.toml' && !f.path.includes('/')) {
      for (const d of pyprojectDependencies(await f.text())) {
        declared++;
        const loc = { file: f.path, line: d.line };
        if (d.spec.startsWith('git:') || /\bgit\+/.test(d.spec)) {
          if (!/[0-9a-f]{40}/.test(d.spec)) findings.push(finding('SC-03', 'git-unpinned', 'HIGH', `Git dependency ${d.name} is not pinned to a commit`, `${d.name} follows a moving ref.`, 'Pin rev to a full 40-hex commit.', loc));
          continue;
        }
        const spec = d.spec.replace(/^\^|^~(?!=)/, (x) => x); // poetry carets are ranges
        if (pySpecPinned(spec) || (/^\d[\w.+!-]*$/.test(spec) && !spec.includes('*'))) continue; // poetry "1.2.3" is exact
        if (lockPins(locks, 'PyPI', d.name).length) findings.push(finding('SC-03', 'range-locked', 'LOW', `${d.name} uses a range that the lockfile pins`, `${d.name} ${d.spec} is pinned by a lockfile.`, 'Nothing blocking.', loc));
        else findings.push(finding('SC-03', 'unpinned', 'HIGH', `${d.name} is not pinned`, `${d.name} ${d.spec || '(any version)'} is not pinned and no lockfile lists it.`, 'Ship uv.lock (or poetry.lock), or pin ==x.y.z.', loc));
      }
    }
  }

  const configs: { command: unknown; args: unknown; where: string }[] = [{ command: m.server?.mcp_config?.command, args: m.server?.mcp_config?.args, where: 'mcp_config' }];
  for (const [k, o] of Object.entries<any>(m.server?.mcp_config?.platform_overrides ?? {})) configs.push({ command: o?.command ?? m.server?.mcp_config?.command, args: o?.args ?? m.server?.mcp_config?.args, where: `platform_overrides.${k}` });
  let fetches = 0;
  for (const c of configs) {
    const problem = launchFetchProblem(c.command, c.args);
    if (typeof c.command === 'string' && /^(npx|uvx|pipx|bunx)$/.test(posix.basename(c.command))) fetches++;
    if (problem) findings.push(finding('SC-03', 'launch-unpinned', 'HIGH', 'Launch command fetches an unpinned package', `${c.where}: ${problem}.`, 'Pin the package: npx -y pkg@1.2.3, uvx pkg==1.2.3 — or vendor it in the bundle.', { file: 'manifest.json', line: manifestLine(ctx, '"command"') }));
  }
  if (m.server?.type === 'uv') {
    const hasUvLock = locks.some((l) => l.kind === 'uv');
    const hashedReqs = await Promise.all(
      ctx.files.filter((f) => /^requirements.*\.txt$/.test(posix.basename(f.path)) && !f.inDependencyDir).map(async (f) => parseRequirements(await f.text()).filter((r) => r.name).every((r) => r.hashes.length > 0)),
    );
    if (!hasUvLock && !(hashedReqs.length && hashedReqs.every(Boolean))) {
      findings.push(finding('SC-03', 'uv-without-lock', 'HIGH', 'uv bundle without uv.lock', 'A uv bundle resolves its dependencies at launch; without uv.lock (or fully hashed requirements) it can get different code each time.', 'Run `uv lock` and pack uv.lock with the bundle.', { file: 'manifest.json' }));
    }
  }
  const vendored = ctx.sbom.some((c) => c.locations.length);
  if (!declared && !vendored && !fetches && !findings.length && m.server?.type !== 'uv') {
    return { status: 'skip', reason: 'no dependency is declared or vendored and the launch command fetches nothing', findings };
  }
  return decided(findings, `${declared} declared dependencies pinned`);
});
