import { posix } from 'node:path';
import type { RawFinding } from '../types.js';
import { decided, defineControl, finding } from './helpers.js';
import { lockfiles, parseRequirements } from './lockfiles.js';

export const APPROVED_SOURCES = [
  'https://registry.npmjs.org/',
  'https://pypi.org/',
  'https://files.pythonhosted.org/',
  'https://crates.io/',
  'https://static.crates.io/',
  'https://proxy.golang.org/',
  'https://sum.golang.org/',
  'https://repo1.maven.org/',
  'https://central.sonatype.com/',
  'https://rubygems.org/',
];

export type SourceVerdict = { ok: true } | { ok: false; rule: string; why: string };

/** Judges one dependency source URL/spec against the approved list and the --allow-source prefixes. */
export function judgeSource(source: string, allow: string[]): SourceVerdict {
  const s = source.trim();
  if (/^(file:|link:|portal:)/.test(s) || /^\.{0,2}\//.test(s) || /^[A-Za-z]:\\/.test(s)) return { ok: false, rule: 'local-source', why: `${s} is a local path` };
  if (/^git(\+|:)|^github:|^gitlab:|^bitbucket:|\.git(#|@|$)/.test(s)) {
    if (/^git\+http:|^http:/.test(s)) return { ok: false, rule: 'insecure-source', why: `${s} uses plain http` };
    if (!/[#@][0-9a-f]{40}\b/.test(s)) return { ok: false, rule: 'git-unpinned', why: `${s} is a git source without a 40-hex commit` };
    return { ok: true };
  }
  if (/^http:/i.test(s)) return { ok: false, rule: 'insecure-source', why: `${s} uses plain http` };
  if (/^https:/i.test(s)) {
    let url: URL;
    try {
      url = new URL(s);
    } catch {
      return { ok: false, rule: 'unapproved-source', why: `${s} is not a valid URL` };
    }
    const normalised = `${url.protocol}//${url.host.toLowerCase()}${url.pathname}`;
    if ([...APPROVED_SOURCES, ...allow].some((p) => normalised.startsWith(p) || `${normalised}/`.startsWith(p))) return { ok: true };
    return { ok: false, rule: 'unapproved-source', why: `${url.host} is neither an approved registry nor allowed with --allow-source` };
  }
  return { ok: true };
}

/** SC-05 Trusted Sources: every dependency comes from an approved registry over https. */
export const sc05 = defineControl('SC-05', async (ctx) => {
  const locks = await lockfiles(ctx);
  const allow = ctx.options.allowSources;
  const findings: RawFinding[] = [];
  const hasDeps = ctx.sbom.length > 0 || locks.some((l) => l.packages.length);
  const reqFiles = ctx.files.filter((f) => /^requirements.*\.txt$/.test(posix.basename(f.path)) && !f.inDependencyDir);
  const configFiles = ctx.files.filter((f) => !f.inDependencyDir && /^(\.npmrc|\.yarnrc\.yml|pip\.conf|uv\.toml|pip\.ini)$/.test(posix.basename(f.path)));
  if (!hasDeps && !reqFiles.length) return { status: 'skip', reason: 'no dependencies', findings };
  const check = (source: string, file: string, line: number | undefined, what: string) => {
    const v = judgeSource(source, allow);
    if (!v.ok) findings.push(finding('SC-05', v.rule, 'HIGH', `Untrusted source for ${what}`, `${what}: ${v.why}.`, 'Install it from https://registry.npmjs.org/ or https://pypi.org/, or approve the host with --allow-source <url-prefix>.', { file, ...(line ? { line } : {}), excerpt: source.slice(0, 200) }));
  };
  const resolvedPaths = new Set<string>();
  for (const l of locks) {
    for (const p of l.packages) {
      if (p.vendoredPath && p.source) resolvedPaths.add(p.vendoredPath);
      if (p.source && !(l.kind === 'uv' && p.local)) check(p.source, l.file.path, p.line, `${p.name}@${p.version}`);
    }
  }
  for (const f of reqFiles) {
    for (const r of parseRequirements(await f.text())) {
      const idx = /^(?:--index-url|-i|--extra-index-url)[=\s]+(\S+)/.exec(r.spec);
      if (idx) check(idx[1]!, f.path, r.line, 'package index');
      else if (r.url) check(r.url, f.path, r.line, r.name || 'URL requirement');
    }
  }
  for (const f of configFiles) {
    const text = await f.text();
    const re = /^\s*(?:(?:@[\w-]+:)?registry|npmRegistryServer|index-url|extra-index-url|url)\s*[=:]\s*"?([^"\s]+)"?/gm;
    for (let m = re.exec(text); m; m = re.exec(text)) check(m[1]!, f.path, text.slice(0, m.index).split('\n').length, 'configured registry');
  }
  for (const f of ctx.files.filter((x) => x.path.endsWith('.dist-info/direct_url.json'))) {
    try {
      const d = JSON.parse(await f.text());
      if (typeof d.url === 'string') {
        const isVcs = d.vcs_info ? `git+${d.url}#${d.vcs_info.commit_id ?? ''}` : d.url;
        check(isVcs, f.path, undefined, posix.basename(posix.dirname(f.path)).replace(/\.dist-info$/, ''));
      }
    } catch {
      findings.push(finding('SC-05', 'unreadable-origin', 'MEDIUM', 'direct_url.json does not parse', `${f.path} is not valid JSON.`, 'Reinstall the package.', { file: f.path }));
    }
  }
  // Vendored dependencies with no recorded origin.
  const hasDirectUrl = new Set(ctx.files.filter((x) => x.path.endsWith('.dist-info/direct_url.json')).map((x) => posix.dirname(x.path)));
  const pyLocked = locks.some((l) => l.ecosystem === 'PyPI' && l.packages.length);
  for (const c of ctx.sbom.filter((x) => x.locations.length)) {
    const known = c.ecosystem === 'npm' ? c.locations.every((l) => resolvedPaths.has(l)) : pyLocked || c.locations.every((l) => hasDirectUrl.has(l));
    if (!known) findings.push(finding('SC-05', 'unknown-origin', 'MEDIUM', `Origin of ${c.name}@${c.version} unknown`, `${c.locations[0]} is vendored without a lockfile "resolved" URL or a direct_url.json.`, 'Ship the lockfile so every vendored package has a recorded source.', { file: c.ecosystem === 'npm' ? `${c.locations[0]}/package.json` : `${c.locations[0]}/METADATA`, dependencyCap: null }));
  }
  return decided(findings, 'every recorded source is approved');
});
