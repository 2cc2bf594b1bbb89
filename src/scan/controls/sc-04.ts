import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { parseRecord } from '../sbom/inventory.js';
import type { RawFinding } from '../types.js';
import { decided, defineControl, finding } from './helpers.js';
import { lockfiles, parseRequirements } from './lockfiles.js';

const WEAK_NPM = /^(sha1|sha256|sha384|md5)-/;
const WEAK_PY = /^(md5|sha1)[:=]/;

/** SC-04 Lockfile Integrity: lockfile hashes exist and agree with the vendored tree. */
export const sc04 = defineControl('SC-04', async (ctx) => {
  const locks = await lockfiles(ctx);
  const findings: RawFinding[] = [];
  const errors: string[] = [];
  const vendored = ctx.sbom.filter((c) => c.locations.length);
  const requirementsAsLock = ctx.files.filter((f) => /^requirements.*\.txt$/.test(posix.basename(f.path)) && !f.inDependencyDir);
  const declaredPkgJson = ctx.files.filter((f) => /^(?:[^/]+\/)?package\.json$/.test(f.path) && !f.inDependencyDir);
  let hasDeclaredDeps = false;
  for (const f of declaredPkgJson) {
    try {
      const pkg = JSON.parse(await f.text());
      if (Object.keys({ ...(pkg.dependencies ?? {}), ...(pkg.optionalDependencies ?? {}) }).length) hasDeclaredDeps = true;
    } catch {
      /* SC-03 and AI-01 report broken package.json */
    }
  }
  if (!ctx.sbom.length && !hasDeclaredDeps && !requirementsAsLock.length) {
    return { status: 'skip', reason: 'no dependencies', findings };
  }
  for (const l of locks.filter((x) => x.error)) errors.push(l.error!);
  const usable = locks.filter((l) => !l.error);
  if (!usable.length && !requirementsAsLock.length) {
    findings.push(finding('SC-04', 'no-lockfile', 'HIGH', 'Dependencies without a lockfile', `The bundle has ${ctx.sbom.length || 'declared'} dependencies but no lockfile with integrity data.`, 'Ship package-lock.json (add "!package-lock.json" to .mcpbignore) or uv.lock.'));
  }
  const npmVendored = vendored.filter((c) => c.ecosystem === 'npm');
  for (const lock of usable) {
    const path = lock.file.path;
    if (lock.kind === 'npm' && (lock.version ?? 1) < 2) {
      findings.push(finding('SC-04', 'old-lockfile-version', 'HIGH', 'npm lockfileVersion below 2', `${path} has lockfileVersion ${lock.version}.`, 'Regenerate it with npm 7 or newer.', { file: path }));
    }
    for (const p of lock.packages) {
      if (p.local) continue;
      const loc = { file: path, ...(p.line ? { line: p.line } : {}) };
      if (!p.integrity) {
        findings.push(finding('SC-04', 'missing-integrity', 'HIGH', `No integrity hash for ${p.name}@${p.version}`, `${path} pins ${p.name}@${p.version} without an integrity hash.`, 'Regenerate the lockfile from the registry so every entry has its hash.', loc));
      } else if (lock.ecosystem === 'npm' ? WEAK_NPM.test(p.integrity) : WEAK_PY.test(p.integrity)) {
        findings.push(finding('SC-04', 'weak-integrity', 'LOW', `Weak integrity hash for ${p.name}`, `${p.name}@${p.version} is hashed with ${p.integrity.split(/[-:=]/)[0]}.`, 'Regenerate the lockfile with sha512 (npm) / sha256 (Python) hashes.', loc));
      }
    }
    if (lock.kind === 'npm' && npmVendored.length) {
      const byPath = new Map(lock.packages.filter((p) => p.vendoredPath).map((p) => [p.vendoredPath!, p]));
      const lockDir = posix.basename(path) === '.package-lock.json' ? posix.dirname(posix.dirname(path)) : posix.dirname(path);
      const prefix = lockDir === '.' ? '' : `${lockDir}/`;
      for (const c of npmVendored) {
        for (const location of c.locations.filter((l) => l.startsWith(`${prefix}node_modules/`))) {
          const entry = byPath.get(location);
          if (!entry) findings.push(finding('SC-04', 'vendored-not-locked', 'HIGH', `${c.name} is vendored but not in the lockfile`, `${location} (${c.version}) is absent from ${path}.`, 'Reinstall from the lockfile (npm ci) before packing.', { file: `${location}/package.json`, dependencyCap: null }));
          else if (entry.version !== c.version) findings.push(finding('SC-04', 'version-mismatch', 'HIGH', `${c.name} version differs from the lockfile`, `${location} holds ${c.version}, ${path} pins ${entry.version}.`, 'Reinstall from the lockfile (npm ci) before packing.', { file: `${location}/package.json`, dependencyCap: null }));
        }
      }
      const vendoredPaths = new Set(npmVendored.flatMap((c) => c.locations));
      for (const p of lock.packages) {
        if (p.local || p.dev || p.optional || !p.vendoredPath || vendoredPaths.has(p.vendoredPath)) continue;
        findings.push(finding('SC-04', 'locked-not-vendored', 'MEDIUM', `${p.name} is locked but not vendored`, `${path} lists ${p.vendoredPath} (${p.version}), which the bundle does not contain.`, 'Reinstall with npm ci --omit=dev before packing.', { file: path, ...(p.line ? { line: p.line } : {}) }));
      }
      findings.push(finding('SC-04', 'npm-sri-tarball', 'INFO', 'npm integrity covers tarballs', 'npm SRI hashes cover the registry tarball, not the extracted files, so vendored npm files cannot be re-hashed offline.', 'Nothing to do.', { file: path }));
    }
  }
  // requirements files used as the lock: every requirement needs --hash.
  if (!usable.some((l) => l.ecosystem === 'PyPI')) {
    for (const f of requirementsAsLock) {
      for (const r of parseRequirements(await f.text())) {
        if (!r.name && !r.url) continue;
        if (!r.hashes.length) findings.push(finding('SC-04', 'missing-integrity', 'HIGH', `No hash for requirement ${r.name || r.url}`, `${f.path} is the only lock and ${r.raw} has no --hash=sha256:.`, 'Generate hashed requirements (pip-compile --generate-hashes or uv pip compile --generate-hashes), or ship uv.lock.', { file: f.path, line: r.line }));
        else if (r.hashes.every((h) => WEAK_PY.test(h))) findings.push(finding('SC-04', 'weak-integrity', 'LOW', `Weak hash for ${r.name}`, `${r.raw} uses a weak hash.`, 'Use sha256 hashes.', { file: f.path, line: r.line }));
      }
    }
  }
  // Python RECORD files: every listed file's hash and size must match.
  for (const rec of ctx.files.filter((f) => /\.dist-info\/RECORD$/.test(f.path))) {
    const siteDir = posix.dirname(posix.dirname(rec.path));
    const rows = parseRecord(await rec.text());
    for (const [i, row] of rows.entries()) {
      const m = /^(sha256|sha384|sha512)=([A-Za-z0-9_-]+)$/.exec(row.hash);
      if (!m) continue;
      const target = ctx.file(posix.normalize(siteDir === '.' ? row.path : `${siteDir}/${row.path}`));
      if (!target) continue;
      const digest = createHash(m[1]!).update(await target.bytes()).digest('base64url');
      if (digest !== m[2] || (row.size !== '' && Number(row.size) !== target.size)) {
        findings.push(finding('SC-04', 'record-mismatch', 'HIGH', 'Vendored Python file modified', `${target.path} does not match its RECORD entry (${digest !== m[2] ? 'hash' : 'size'} differs): the file was changed after installation.`, 'Reinstall the package from the index; do not ship modified dependency code.', { file: rec.path, line: i + 1, dependencyCap: null, details: { target: target.path } }));
      }
    }
  }
  return decided(findings, `${usable.length} lockfile${usable.length === 1 ? '' : 's'} with integrity data`, errors.length ? { errors } : {});
});
