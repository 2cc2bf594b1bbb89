#!/usr/bin/env node
// Copies this example's runtime dependencies (and their dependency closure) from the repository
// root node_modules into examples/weather-node/node_modules, so the folder packs into a
// self-contained bundle. No network: every package must already be installed at the root.
//
// Resolution follows Node's: a dependency of a package at <dir> is looked up in
// <dir>/node_modules, then in each parent's node_modules up to the root. The copied tree keeps the
// same layout relative to the root node_modules, so nested versions stay where Node finds them.
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

// Usage: node scripts/vendor.js [--out <dir>]   (default: this example's node_modules)
const exampleDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = resolve(exampleDir, '..', '..');
const rootModules = join(repoRoot, 'node_modules');
const outFlag = process.argv.indexOf('--out');
const target = outFlag > 0 && process.argv[outFlag + 1] ? resolve(process.argv[outFlag + 1]) : join(exampleDir, 'node_modules');

function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** The installed folder of `name` as seen from the package folder `from` (inside rootModules or the repo root). */
function resolvePackage(name, from) {
  let dir = from;
  for (;;) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === repoRoot || dirname(dir) === dir) return undefined;
    dir = dirname(dir);
  }
}

function runtimeDeps(pkg) {
  const deps = { ...pkg.dependencies, ...pkg.optionalDependencies };
  // Peer dependencies are runtime requirements too; optional ones only when installed.
  for (const name of Object.keys(pkg.peerDependencies ?? {})) deps[name] ??= pkg.peerDependencies[name];
  return { names: Object.keys(deps), optional: new Set([...Object.keys(pkg.optionalDependencies ?? {}), ...Object.keys(pkg.peerDependenciesMeta ?? {}).filter((n) => pkg.peerDependenciesMeta[n]?.optional)]) };
}

const seen = new Set();
const missing = [];
const queue = runtimeDeps(readJson(join(exampleDir, 'package.json'))).names.map((name) => ({ name, from: repoRoot, optional: false }));
while (queue.length > 0) {
  const { name, from, optional } = queue.shift();
  const dir = resolvePackage(name, from);
  if (!dir) {
    if (!optional) missing.push(`${name} (needed by ${relative(repoRoot, from) || 'weather-node'})`);
    continue;
  }
  if (seen.has(dir)) continue;
  seen.add(dir);
  const deps = runtimeDeps(readJson(join(dir, 'package.json')));
  for (const dep of deps.names) queue.push({ name: dep, from: dir, optional: deps.optional.has(dep) });
}

if (missing.length > 0) {
  console.error(`Missing from ${rootModules} (run npm ci at the repository root first):\n  ${missing.join('\n  ')}`);
  process.exit(1);
}

rmSync(target, { recursive: true, force: true });
for (const dir of [...seen].sort()) {
  const rel = relative(rootModules, dir);
  if (rel.startsWith('..') || rel.split(sep).includes('..')) throw new Error(`refusing to copy ${dir}: outside ${rootModules}`);
  // Nested node_modules are copied as their own entries (when they are in the closure), never wholesale.
  cpSync(dir, join(target, rel), {
    recursive: true,
    dereference: true,
    filter: (src) => !relative(dir, src).split(sep).includes('node_modules'),
  });
}
// npm's hidden lockfile for exactly what was copied (versions, resolved URLs, integrity hashes,
// taken from the root install's own .package-lock.json), so the bundle pins what it ships.
const rootLock = readJson(join(rootModules, '.package-lock.json'));
const packages = {};
for (const dir of [...seen].sort()) {
  const key = `node_modules/${relative(rootModules, dir).split(sep).join('/')}`;
  const entry = rootLock.packages?.[key];
  if (!entry?.version || !entry.integrity) throw new Error(`${key} has no version/integrity in ${rootModules}/.package-lock.json`);
  packages[key] = Object.fromEntries(Object.entries(entry).filter(([k]) => ['version', 'resolved', 'integrity', 'license', 'dependencies', 'optionalDependencies', 'peerDependencies', 'engines', 'bin'].includes(k)));
}
const own = readJson(join(exampleDir, 'package.json'));
writeFileSync(
  join(target, '.package-lock.json'),
  `${JSON.stringify({ name: own.name, version: own.version, lockfileVersion: 3, requires: true, packages }, null, 2)}\n`,
);
console.error(`vendored ${seen.size} packages into ${relative(process.cwd(), target) || target}`);
