import { defineControl, finding, manifestLine } from './helpers.js';
import type { RawFinding } from '../types.js';

const SEMVER2 = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

const ENTRY_EXT: Record<string, RegExp> = { node: /\.(?:js|mjs|cjs)$/, python: /\.py$/ };

/** AI-01 Manifest Validation: syntax, duplicate keys, the compatibility validator and MTF checks. */
export const ai01 = defineControl('AI-01', async (ctx) => {
  const c = ctx.manifestCheck;
  const f = (rule: string, severity: RawFinding['severity'], title: string, description: string, remediation: string, line?: number) =>
    finding('AI-01', rule, severity, title, description, remediation, { file: 'manifest.json', ...(line ? { line } : {}) });
  const findings: RawFinding[] = [];
  if (!c.parsed) {
    findings.push(f('invalid-json', 'CRITICAL', 'manifest.json is not valid JSON', c.parseError ?? 'The manifest does not parse.', 'Fix the JSON syntax of manifest.json (mpak bundle validate shows the position).'));
    return { status: 'fail', reason: 'manifest.json does not parse', findings };
  }
  for (const path of c.duplicateKeys) {
    findings.push(f('duplicate-key', 'CRITICAL', 'Duplicate key in manifest.json', `The key ${path} appears more than once; JSON parsers disagree on which value wins (a parser-differential risk).`, 'Remove the duplicate key so every parser reads the same manifest.'));
  }
  if (c.validatorError) return { status: 'error', reason: c.validatorError, findings, errors: [c.validatorError] };
  for (const e of c.errors) {
    findings.push(f('schema', 'HIGH', `Manifest rejected: ${e.pathText || '(root)'}`, e.message, 'Fix the field as `mpak bundle validate` explains.', manifestLine(ctx, `"${e.pathText.split('.').pop()?.replace(/\[\d+\]$/, '')}"`)));
  }
  const m = ctx.manifest!;
  if (typeof m.version === 'string' && !SEMVER2.test(m.version)) {
    findings.push(f('version-not-semver', 'HIGH', 'Version is not SemVer 2.0', `"version": "${m.version}" is not a SemVer 2.0 version.`, 'Use a version like 1.2.3.', manifestLine(ctx, '"version"')));
  }
  const server = m.server && typeof m.server === 'object' ? m.server : undefined;
  const entry = server?.entry_point;
  if (typeof entry === 'string') {
    if (entry.startsWith('/') || /^[A-Za-z]:/.test(entry) || entry.split(/[\\/]/).includes('..')) {
      findings.push(f('entry-point-path', 'HIGH', 'Entry point escapes the bundle', `server.entry_point "${entry}" is absolute or contains "..".`, 'Use a bundle-relative path such as server/index.js.', manifestLine(ctx, '"entry_point"')));
    } else if (!ctx.file(entry.replace(/^\.\//, ''))) {
      findings.push(f('entry-point-missing', 'HIGH', 'Entry point is missing', `server.entry_point "${entry}" is not in the archive.`, 'Pack the entry point file, or fix the path.', manifestLine(ctx, '"entry_point"')));
    }
    const type = server?.type;
    const contradicts =
      (type === 'node' || type === 'python') ? !ENTRY_EXT[type]!.test(entry) : type === 'uv' ? !ctx.file('pyproject.toml') : false;
    if (contradicts) {
      findings.push(f('server-type-mismatch', 'HIGH', 'server.type contradicts the entry point', type === 'uv' ? 'A uv bundle needs pyproject.toml at the root.' : `A ${type} server needs a ${type === 'node' ? '.js/.mjs/.cjs' : '.py'} entry point, found "${entry}".`, 'Make server.type and server.entry_point agree.', manifestLine(ctx, '"type"')));
    }
  }
  const args = server?.mcp_config?.args;
  if (Array.isArray(args)) {
    for (const a of args) {
      const mm = typeof a === 'string' ? /^\$\{__dirname\}\/(.+)$/.exec(a) : null;
      if (mm && !ctx.file(mm[1]!) && !ctx.files.some((x) => x.path.startsWith(`${mm[1]!.replace(/\/$/, '')}/`))) {
        findings.push(f('arg-missing-file', 'HIGH', 'mcp_config.args names a missing file', `"${a}" points at ${mm[1]}, which is not in the archive.`, 'Pack the file or fix the argument.', manifestLine(ctx, a)));
      }
    }
  }
  if (!('manifest_version' in m) && 'dxt_version' in m) {
    findings.push(f('dxt-version', 'MEDIUM', 'dxt_version instead of manifest_version', 'The manifest uses the legacy dxt_version key.', 'Rename "dxt_version" to "manifest_version".', manifestLine(ctx, '"dxt_version"')));
  }
  const raw = m._meta?.['org.mpaktrust'];
  if (raw !== undefined) {
    const { readMtfExtension } = await import('../../manifest/index.js');
    const withoutFiles = raw && typeof raw === 'object' && !Array.isArray(raw) ? Object.fromEntries(Object.entries(raw).filter(([k]) => k !== 'files')) : raw;
    if (!readMtfExtension({ _meta: { 'org.mpaktrust': withoutFiles } }).valid) {
      findings.push(f('mtf-extension', 'LOW', 'MTF extension block does not match its schema', '_meta["org.mpaktrust"] violates the MTF 0.1 extension schema.', 'Fix the block against schemas/mtf-extension.schema.json (mpak bundle validate lists the problems).', manifestLine(ctx, '"org.mpaktrust"')));
    }
  }
  if (typeof m.name === 'string' && !/^@[a-z0-9][\w.-]*\/[\w.-]+$/i.test(m.name)) {
    findings.push(f('unscoped-name', 'LOW', 'Name is not scoped', `"${m.name}" has no @scope/ publisher namespace.`, 'Name the bundle @<scope>/<name>.', manifestLine(ctx, '"name"')));
  }
  if (c.bom) findings.push(f('utf8-bom', 'LOW', 'manifest.json starts with a byte-order mark', 'Some parsers (and the official tool) reject a BOM.', 'Save manifest.json as UTF-8 without BOM.', 1));
  for (const w of c.warnings) findings.push(f('lint', 'LOW', `Manifest warning: ${w.pathText || '(root)'}`, w.message, 'See `mpak bundle validate` for the fix.'));
  return { status: 'pass', reason: findings.length ? 'manifest valid, with warnings' : 'manifest valid', findings };
});
