import { posix } from 'node:path';
import { compareBytes } from './order.js';
import { decided, defineControl, finding, manifestLine, manifestPrerequisite } from './helpers.js';
import type { RawFinding } from '../types.js';

const EXEMPT = (path: string) => {
  const base = posix.basename(path);
  return path === 'manifest.json' || base.endsWith('.sig') || path.startsWith('.sigstore/') || /^(README|LICENSE|CHANGELOG)/i.test(base) || base === '.gitignore';
};

/** AI-02 Content Hashes: `_meta["dev.mpak"].files[]` (or legacy MTF `files[]`) against the archive. */
export const ai02 = defineControl('AI-02', async (ctx) => {
  const pre = manifestPrerequisite(ctx, 'AI-02');
  if (pre) return pre;
  const meta = ctx.manifest!._meta ?? {};
  const ours = meta['dev.mpak']?.files;
  const legacy = meta['org.mpaktrust']?.files;
  const list: unknown = ours ?? legacy;
  const key = ours !== undefined ? 'dev.mpak' : 'org.mpaktrust';
  const findings: RawFinding[] = [];
  const f = (rule: string, severity: RawFinding['severity'], title: string, description: string, remediation: string, file = 'manifest.json') =>
    finding('AI-02', rule, severity, title, description, remediation, { file, ...(file === 'manifest.json' ? { line: manifestLine(ctx, '"files"') } : {}) });
  if (!Array.isArray(list) || list.length === 0) {
    findings.push(f('no-content-hashes', 'HIGH', 'No content-hash list', 'The manifest carries no _meta["dev.mpak"].files[] list, so the archive contents cannot be checked offline.', 'Pack with `mpak bundle pack --content-hashes`.'));
    return decided(findings, '');
  }
  const seen = new Set<string>();
  const paths: string[] = [];
  for (const [i, e] of list.entries()) {
    const path = (e as any)?.path;
    const sha = (e as any)?.sha256;
    const size = (e as any)?.size;
    if (typeof path !== 'string') {
      findings.push(f('bad-entry', 'HIGH', 'Malformed content-hash entry', `files[${i}] has no path.`, 'Regenerate the list with `mpak bundle pack --content-hashes`.'));
      continue;
    }
    paths.push(path);
    if (path.startsWith('/') || path.startsWith('./') || path.includes('\\') || path.split('/').includes('..') || path === '') {
      findings.push(f('bad-path', 'HIGH', 'Content-hash path is not bundle-relative POSIX', `files[${i}].path "${path}" must be a bundle-relative POSIX path.`, 'Use paths like server/index.js.'));
      continue;
    }
    if (seen.has(path)) {
      findings.push(f('duplicate-path', 'HIGH', 'Duplicated content-hash path', `${path} is listed more than once.`, 'List every file once.'));
      continue;
    }
    seen.add(path);
    if (typeof sha !== 'string' || !/^[a-f0-9]{64}$/.test(sha)) {
      findings.push(f('bad-sha256', 'HIGH', 'Malformed sha256', `files[${i}].sha256 for ${path} is not 64 lowercase hex characters.`, 'Regenerate the list with `mpak bundle pack --content-hashes`.'));
      continue;
    }
    if (path === 'manifest.json') continue; // cannot hash itself
    const file = ctx.file(path);
    if (!file) {
      findings.push(f('missing-file', 'HIGH', 'Listed file is missing', `${path} is listed in the content hashes but absent from the archive.`, 'Repack the bundle so the list and the archive agree.'));
      continue;
    }
    if (file.sha256 !== sha) {
      findings.push(f('hash-mismatch', 'HIGH', 'Content hash mismatch', `${path} has SHA-256 ${file.sha256}, the manifest says ${sha}: the file changed after packing.`, 'Rebuild the bundle from trusted source; do not install this copy.', path));
    } else if (typeof size === 'number' && size !== file.size) {
      findings.push(f('size-mismatch', 'MEDIUM', 'Content size mismatch', `${path} is ${file.size} bytes, the manifest says ${size}.`, 'Regenerate the list with `mpak bundle pack --content-hashes`.', path));
    }
  }
  for (const file of ctx.files) {
    if (seen.has(file.path) || file.path === 'manifest.json') continue;
    if (EXEMPT(file.path)) {
      findings.push(f('unlisted-exempt', 'INFO', 'Unlisted legacy exclusion', `${file.path} is not in the content hashes (allowed for legacy exclusions).`, 'Nothing to do; list it to cover it too.', file.path));
    } else {
      findings.push(f('unlisted-file', 'HIGH', 'Archive entry not covered by the content hashes', `${file.path} is in the archive but not in the content-hash list.`, 'Repack with `mpak bundle pack --content-hashes` so every entry is covered.', file.path));
    }
  }
  const sorted = [...paths].sort(compareBytes);
  if (paths.some((p, i) => p !== sorted[i])) {
    findings.push(f('unsorted', 'LOW', 'Content-hash list is not sorted', 'The list is not sorted bytewise by path.', 'Regenerate the list with `mpak bundle pack --content-hashes`.'));
  }
  return decided(findings, `${seen.size} content hashes verified (${key})`);
});
