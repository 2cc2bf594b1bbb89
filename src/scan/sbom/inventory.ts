import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import type { SbomComponent } from '../types.js';
import type { Ownership } from '../engine/files.js';
import { npmPackageRoot } from '../engine/files.js';
import { npmPurl, npmScope, pypiPurl } from './purl.js';

/**
 * SC-01's component inventory, built once per scan from the raw entries: vendored npm packages
 * (`node_modules/**\/package.json`), package-lock v2/v3 entries, Python `*.dist-info` METADATA and
 * RECORD, and components declared only in other lockfiles (uv, poetry, Pipfile, requirements,
 * pnpm, yarn). Also returns the file ownership map the engine needs for §4.2.
 */
export interface Inventory {
  components: SbomComponent[];
  ownership: Ownership;
  /** Vendored package folders whose package.json / METADATA could not be read (phantoms and breakage). */
  broken: { location: string; problem: string; file: string }[];
}

type Entries = Map<string, Buffer>;

function parseJson(buf: Buffer | undefined): any {
  if (!buf) return undefined;
  try {
    return JSON.parse(buf.toString('utf8').replace(/^\uFEFF/, ''));
  } catch {
    return undefined;
  }
}

function licenseOf(pkg: any): string[] {
  if (typeof pkg?.license === 'string') return [pkg.license];
  if (pkg?.license && typeof pkg.license.type === 'string') return [pkg.license.type];
  if (Array.isArray(pkg?.licenses)) return pkg.licenses.map((l: any) => (typeof l === 'string' ? l : l?.type)).filter((x: any) => typeof x === 'string');
  return [];
}

function repositoryOf(pkg: any): string | undefined {
  if (typeof pkg?.repository === 'string') return pkg.repository;
  if (typeof pkg?.repository?.url === 'string') return pkg.repository.url;
  return undefined;
}

function sriToHash(sri: string): { alg: 'SHA-512' | 'SHA-256' | 'SHA-1'; content: string } | undefined {
  const m = /^(sha512|sha256|sha1)-([A-Za-z0-9+/=]+)$/.exec(sri.trim().split(/\s+/)[0] ?? '');
  if (!m) return undefined;
  const alg = m[1] === 'sha512' ? 'SHA-512' : m[1] === 'sha256' ? 'SHA-256' : 'SHA-1';
  return { alg, content: Buffer.from(m[2]!, 'base64').toString('hex') };
}

/** Parses `Key: value` RFC 822 headers of a METADATA file (stops at the body). */
export function parseMetadata(text: string): Map<string, string[]> {
  const headers = new Map<string, string[]>();
  let last: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (line === '') break;
    if (/^[ \t]/.test(line) && last) {
      const values = headers.get(last)!;
      values[values.length - 1] += `\n${line.trim()}`;
      continue;
    }
    const m = /^([A-Za-z0-9-]+):\s?(.*)$/.exec(line);
    if (!m) continue;
    last = m[1]!.toLowerCase();
    headers.set(last, [...(headers.get(last) ?? []), m[2]!]);
  }
  return headers;
}

/** Parses a RECORD CSV (`path,sha256=<b64url>,size`), honouring quoted fields. */
export function parseRecord(text: string): { path: string; hash: string; size: string }[] {
  const rows: { path: string; hash: string; size: string }[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (!line.trim()) continue;
    const fields: string[] = [];
    let cur = '';
    let quoted = false;
    for (let i = 0; i < line.length; i++) {
      const c = line[i]!;
      if (quoted) {
        if (c === '"' && line[i + 1] === '"') {
          cur += '"';
          i++;
        }
        else if (c === '"') quoted = false;
        else cur += c;
      } else if (c === '"') quoted = true;
      else if (c === ',') {
        fields.push(cur);
        cur = '';
      }
      else cur += c;
    }
    fields.push(cur);
    rows.push({ path: fields[0] ?? '', hash: fields[1] ?? '', size: fields[2] ?? '' });
  }
  return rows;
}

function filesHash(paths: string[], entries: Entries): string {
  const h = createHash('sha256');
  for (const p of [...paths].sort()) {
    h.update(`${p}\0`);
    h.update(entries.get(p) ?? Buffer.alloc(0));
    h.update('\0');
  }
  return h.digest('hex');
}

/** Lockfile-declared components (non-vendored). */
function declaredPython(path: string, text: string): { name: string; version: string }[] {
  const base = posix.basename(path);
  const out: { name: string; version: string }[] = [];
  if (base === 'uv.lock' || base === 'poetry.lock' || base === 'pdm.lock') {
    for (const block of text.split(/^\[\[package\]\]\s*$/m).slice(1)) {
      const name = /^name\s*=\s*"([^"]+)"/m.exec(block)?.[1];
      const version = /^version\s*=\s*"([^"]+)"/m.exec(block)?.[1];
      if (name && version) out.push({ name, version });
    }
  } else if (base === 'Pipfile.lock') {
    const json = parseJson(Buffer.from(text));
    for (const section of ['default', 'develop']) {
      for (const [name, spec] of Object.entries<any>(json?.[section] ?? {})) {
        const v = /^==\s*(.+)$/.exec(String(spec?.version ?? ''))?.[1];
        if (v) out.push({ name, version: v });
      }
    }
  } else if (/^requirements.*\.txt$/.test(base)) {
    for (const raw of text.split(/\r?\n/)) {
      const line = raw.replace(/\s+#.*$/, '').trim();
      const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*===?\s*([A-Za-z0-9.+!_-]+)/.exec(line);
      if (m) out.push({ name: m[1]!, version: m[2]! });
    }
  }
  return out;
}

function declaredNpm(path: string, text: string): { name: string; version: string; integrity?: string }[] {
  const base = posix.basename(path);
  const out: { name: string; version: string; integrity?: string }[] = [];
  if (base === 'yarn.lock') {
    for (const block of text.split(/\r?\n(?=\S)/)) {
      const header = /^"?((?:@[^@/\s"]+\/)?[^@\s",]+)@/.exec(block)?.[1];
      const version = /^\s+version:?\s+"?([^"\s]+)"?/m.exec(block)?.[1];
      const integrity = /^\s+(?:integrity|checksum):?\s+"?([^"\s]+)"?/m.exec(block)?.[1];
      if (header && version) out.push({ name: header, version, ...(integrity ? { integrity } : {}) });
    }
  } else if (base === 'pnpm-lock.yaml') {
    const re = /^ {2}'?\/?((?:@[^@/\s']+\/)?[^@/\s']+)@(\d[^(:'\s]*)[^:]*'?:\s*$/gm;
    for (let m = re.exec(text); m; m = re.exec(text)) out.push({ name: m[1]!, version: m[2]! });
  }
  return out;
}

export function buildInventory(entries: Entries): Inventory {
  const components = new Map<string, SbomComponent>();
  const broken: Inventory['broken'] = [];
  const npmRoots = new Map<string, string>();
  const pythonFiles = new Map<string, string>();
  const paths = [...entries.keys()];

  const add = (c: SbomComponent): SbomComponent => {
    const existing = components.get(c.purl);
    if (!existing) {
      components.set(c.purl, c);
      return c;
    }
    existing.locations.push(...c.locations.filter((l) => !existing.locations.includes(l)));
    if (!existing.licenses.length) existing.licenses = c.licenses;
    if (!existing.hashes.length && c.hashes.length) {
      existing.hashes = c.hashes;
      if (c.hashBasis) existing.hashBasis = c.hashBasis;
    }
    for (const d of c.dependsOn) if (!existing.dependsOn.includes(d)) existing.dependsOn.push(d);
    return existing;
  };

  // npm: every package root inside node_modules.
  const npmPackageFiles = new Map<string, string[]>();
  for (const p of paths) {
    const root = npmPackageRoot(p);
    if (!root) continue;
    // Only files not inside a nested node_modules of this root belong to it.
    if (p.slice(root.length + 1).split('/').includes('node_modules')) continue;
    (npmPackageFiles.get(root) ?? npmPackageFiles.set(root, []).get(root)!).push(p);
  }
  const npmByRoot = new Map<string, { name: string; version: string; pkg: any }>();
  for (const [root, files] of [...npmPackageFiles].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const manifestPath = `${root}/package.json`;
    const pkg = parseJson(entries.get(manifestPath));
    if (!entries.has(manifestPath)) {
      broken.push({ location: root, problem: 'no package.json', file: files[0]! });
      continue;
    }
    if (!pkg || typeof pkg.name !== 'string' || typeof pkg.version !== 'string' || !pkg.name || !pkg.version) {
      broken.push({ location: root, problem: pkg ? 'package.json lacks a name or version' : 'package.json does not parse', file: manifestPath });
      continue;
    }
    const purl = npmPurl(pkg.name, pkg.version);
    npmRoots.set(root, purl);
    npmByRoot.set(root, { name: pkg.name, version: pkg.version, pkg });
    add({
      ecosystem: 'npm',
      name: pkg.name,
      version: pkg.version,
      purl,
      ...(npmScope(pkg.name) ? { group: npmScope(pkg.name) } : {}),
      licenses: licenseOf(pkg),
      hashes: [{ alg: 'SHA-256', content: filesHash(files, entries) }],
      hashBasis: 'files',
      locations: [root],
      source: manifestPath,
      ...(repositoryOf(pkg) ? { repository: repositoryOf(pkg) } : {}),
      dependsOn: [],
      problems: [],
    });
  }
  // Dependency edges: resolve each declared dependency the way node does (nearest node_modules up).
  for (const [root, info] of npmByRoot) {
    const purl = npmRoots.get(root)!;
    const deps = { ...(info.pkg.dependencies ?? {}), ...(info.pkg.optionalDependencies ?? {}) };
    for (const dep of Object.keys(deps)) {
      let dir = root;
      for (;;) {
        const candidate = `${dir}/node_modules/${dep}`;
        if (npmRoots.has(candidate)) {
          const c = components.get(purl)!;
          const target = npmRoots.get(candidate)!;
          if (!c.dependsOn.includes(target)) c.dependsOn.push(target);
          break;
        }
        const idx = dir.lastIndexOf('/node_modules/');
        if (idx === -1) {
          const top = dir.startsWith('node_modules/') ? `node_modules/${dep}` : `${dir.slice(0, dir.indexOf('node_modules/'))}node_modules/${dep}`;
          const target = npmRoots.get(top);
          const c = components.get(purl)!;
          if (target && target !== purl && !c.dependsOn.includes(target)) c.dependsOn.push(target);
          break;
        }
        dir = dir.slice(0, idx);
      }
    }
  }

  // package-lock v2/v3: SRI hashes for vendored copies, declared-only entries.
  for (const p of paths.filter((x) => /(^|\/)(package-lock|npm-shrinkwrap)\.json$/.test(x) && !x.split('/').slice(0, -1).includes('node_modules'))) {
    const lock = parseJson(entries.get(p));
    const base = posix.dirname(p) === '.' ? '' : `${posix.dirname(p)}/`;
    for (const [key, e] of Object.entries<any>(lock?.packages ?? {})) {
      if (!key.startsWith('node_modules/') && !key.includes('/node_modules/')) continue;
      const name = typeof e?.name === 'string' ? e.name : key.slice(key.lastIndexOf('node_modules/') + 13);
      if (typeof e?.version !== 'string' || e.link) continue;
      const vendoredRoot = `${base}${key}`;
      const hash = typeof e.integrity === 'string' ? sriToHash(e.integrity) : undefined;
      const vendoredPurl = npmRoots.get(vendoredRoot);
      const purl = npmPurl(name, e.version);
      if (vendoredPurl === purl) {
        const c = components.get(purl)!;
        if (hash && c.hashBasis === 'files') {
          c.hashes = [hash];
          c.hashBasis = 'lockfile';
        }
        if (!c.licenses.length && typeof e.license === 'string') c.licenses = [e.license];
        if (e.dev) c.dev = true;
        if (e.optional) c.optional = true;
        continue;
      }
      if (vendoredPurl) continue; // version differs: SC-04 reports it; the vendored copy is the truth
      add({
        ecosystem: 'npm', name, version: e.version, purl,
        ...(npmScope(name) ? { group: npmScope(name) } : {}),
        licenses: typeof e.license === 'string' ? [e.license] : [],
        hashes: hash ? [hash] : [], ...(hash ? { hashBasis: 'lockfile' as const } : {}),
        locations: [], source: p, ...(e.dev ? { dev: true } : {}), ...(e.optional ? { optional: true } : {}),
        dependsOn: [], problems: [],
      });
    }
  }

  // Python: *.dist-info folders.
  const distInfos = new Set(paths.map((p) => /^(.*?\.dist-info)\//.exec(p)?.[1]).filter((x): x is string => !!x));
  for (const dir of [...distInfos].sort()) {
    const meta = entries.get(`${dir}/METADATA`);
    const headers = meta ? parseMetadata(meta.toString('utf8')) : undefined;
    const name = headers?.get('name')?.[0]?.trim();
    const version = headers?.get('version')?.[0]?.trim();
    if (!name || !version) {
      broken.push({ location: dir, problem: meta ? 'METADATA lacks Name or Version' : 'no METADATA', file: meta ? `${dir}/METADATA` : dir });
      continue;
    }
    const purl = pypiPurl(name, version);
    const siteDir = posix.dirname(dir);
    const owned: string[] = [];
    const record = entries.get(`${dir}/RECORD`);
    if (record) {
      for (const row of parseRecord(record.toString('utf8'))) {
        const resolved = posix.normalize(siteDir === '.' ? row.path : `${siteDir}/${row.path}`);
        if (entries.has(resolved)) {
          owned.push(resolved);
          pythonFiles.set(resolved, purl);
        }
      }
    }
    for (const p of paths) {
      if (!p.startsWith(`${dir}/`)) continue;
      pythonFiles.set(p, purl);
      if (!owned.includes(p)) owned.push(p);
    }
    const expr = headers?.get('license-expression')?.[0]?.trim();
    const licenseField = headers?.get('license')?.[0]?.trim();
    const classifiers = (headers?.get('classifier') ?? []).filter((c) => c.startsWith('License ::')).map((c) => c.split('::').pop()!.trim());
    add({
      ecosystem: 'PyPI', name, version, purl,
      licenses: expr ? [] : licenseField && licenseField.length < 80 && licenseField !== 'UNKNOWN' ? [licenseField] : classifiers,
      ...(expr ? { licenseExpression: expr } : {}),
      hashes: [{ alg: 'SHA-256', content: filesHash(owned, entries) }], hashBasis: 'files',
      locations: [dir], source: `${dir}/METADATA`, dependsOn: [], problems: [],
    });
  }
  // egg-info installed-files.txt ownership
  for (const p of paths.filter((x) => x.endsWith('.egg-info/installed-files.txt'))) {
    const dir = posix.dirname(p);
    const pkgInfo = entries.get(`${dir}/PKG-INFO`);
    const headers = pkgInfo ? parseMetadata(pkgInfo.toString('utf8')) : undefined;
    const name = headers?.get('name')?.[0];
    const version = headers?.get('version')?.[0];
    if (!name || !version) continue;
    const purl = pypiPurl(name, version);
    for (const line of entries.get(p)!.toString('utf8').split(/\r?\n/)) {
      if (line.trim()) pythonFiles.set(posix.normalize(`${dir}/${line.trim()}`), purl);
    }
    add({ ecosystem: 'PyPI', name, version, purl, licenses: [], hashes: [], locations: [dir], source: p, dependsOn: [], problems: [] });
  }

  // Declared-only components from other lockfiles.
  for (const p of paths) {
    if (p.split('/').some((s) => s === 'node_modules' || s === 'site-packages')) continue;
    const base = posix.basename(p);
    if (/^(uv|poetry|pdm|Pipfile)\.lock$/.test(base) || /^requirements.*\.txt$/.test(base)) {
      for (const d of declaredPython(p, entries.get(p)!.toString('utf8'))) {
        const purl = pypiPurl(d.name, d.version);
        if (!components.has(purl)) add({ ecosystem: 'PyPI', name: d.name, version: d.version, purl, licenses: [], hashes: [], locations: [], source: p, dependsOn: [], problems: [] });
      }
    } else if (base === 'yarn.lock' || base === 'pnpm-lock.yaml') {
      for (const d of declaredNpm(p, entries.get(p)!.toString('utf8'))) {
        const purl = npmPurl(d.name, d.version);
        const hash = d.integrity ? sriToHash(d.integrity) : undefined;
        if (!components.has(purl)) add({ ecosystem: 'npm', name: d.name, version: d.version, purl, ...(npmScope(d.name) ? { group: npmScope(d.name) } : {}), licenses: [], hashes: hash ? [hash] : [], ...(hash ? { hashBasis: 'lockfile' as const } : {}), locations: [], source: p, dependsOn: [], problems: [] });
      }
    }
  }

  const sorted = [...components.values()].sort((a, b) => (a.purl < b.purl ? -1 : a.purl > b.purl ? 1 : 0));
  for (const c of sorted) c.dependsOn.sort();
  return { components: sorted, ownership: { npmRoots, pythonFiles }, broken };
}
