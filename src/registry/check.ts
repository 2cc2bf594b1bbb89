import { readFile } from 'node:fs/promises';
import { canonicalJson } from '../util/canonical-json.js';
import { addToIndex, type AddToIndexOptions, type AddToIndexResult } from './add.js';
import { SourceEntry } from './format.js';
import { checkEntryPath, parseJsonWith, readSourceEntry, sourceEntryText } from './source.js';

export interface CheckEntryOptions extends Omit<AddToIndexOptions, 'source' | 'dryRun' | 'now' | 'commit'> {
  /** The registry at the default branch (trusted). */
  dir: string;
  /** The changed entry as proposed by the pull request (data only). */
  entryFile: string;
  /** Its registry-relative path in the pull request, e.g. `packages/@acme/weather.json`. */
  entryPath: string;
}

export interface CheckEntryResult {
  ok: boolean;
  problems: string[];
  name?: string;
  version?: string;
  /** The source the version was re-derived from (`github:owner/repo@tag` or an https URL). */
  source?: string;
  add?: AddToIndexResult;
}

/**
 * Validates a pull request's change to one source entry the way the registry's validate workflow
 * needs it: the path matches the name, exactly one version is new, every other version is
 * unchanged, and re-deriving that version from its source (`index add --dry-run` against the
 * default branch: download, hash, scan, claim, policy) gives byte-for-byte the entry the pull
 * request proposes. A PR can therefore not forge scan results, hashes or claims.
 */
export async function checkEntryChange(options: CheckEntryOptions): Promise<CheckEntryResult> {
  const problems: string[] = [];
  const proposed = parseJsonWith(SourceEntry, await readFile(options.entryFile, 'utf8'), options.entryPath);
  checkEntryPath(proposed, options.entryPath);
  const base = await readSourceEntry(options.dir, proposed.name, proposed.kind);
  const baseVersions = new Map((base?.versions ?? []).map((v) => [v.version, v]));
  const added = proposed.versions.filter((v) => !baseVersions.has(v.version));
  for (const [version, old] of baseVersions) {
    const now = proposed.versions.find((v) => v.version === version);
    if (!now) problems.push(`${proposed.name}@${version} was removed; removal is a status change, never a delete.`);
    else if (canonicalJson(now) !== canonicalJson(old)) problems.push(`${proposed.name}@${version} was changed; published versions are immutable.`);
  }
  if (added.length !== 1) problems.push(`A pull request adds exactly one version; this one adds ${added.length}.`);
  if (problems.length || added.length !== 1) return { ok: false, problems, name: proposed.name };

  const version = added[0]!;
  const repo = /^https:\/\/[^/]+\/([^/]+)\/([^/]+?)(?:\.git)?\/?$/.exec(version.provenance.repository ?? '');
  const source = repo && version.provenance.tag ? `github:${repo[1]}/${repo[2]}@${version.provenance.tag}` : version.artifacts[0]!.url;
  if (!source.startsWith('github:') && !source.startsWith('https://')) {
    return { ok: false, problems: [`${proposed.name}@${version.version} has no GitHub release or https source to verify (${source}).`], name: proposed.name, version: version.version };
  }
  const add = await addToIndex({ ...options, source, dryRun: true, now: new Date(version.publishedAt) });
  for (const r of add.reasons) problems.push(`${r.code}: ${r.message}`);
  if (add.reasons.length === 0 && add.entryText !== sourceEntryText(proposed)) {
    problems.push(`The proposed entry differs from what \`mpak index add ${source}\` produces; regenerate it with that command (same mpak version).`);
  }
  return { ok: problems.length === 0, problems, name: proposed.name, version: version.version, source, add };
}
