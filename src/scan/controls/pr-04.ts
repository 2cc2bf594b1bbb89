import { posix } from 'node:path';
import type { RawFinding } from '../types.js';
import { defineControl, finding, manifestLine, manifestPrerequisite, mtfBlock } from './helpers.js';
import { sourceCheckout } from './source-repo.js';

const SOURCE_EXT = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs', '.py', '.coffee'];

/** PR-04 Commit Linkage: the named commit exists and its tree holds the bundle's source files. */
export const pr04 = defineControl('PR-04', async (ctx) => {
  const pre = manifestPrerequisite(ctx, 'PR-04');
  if (pre) return pre;
  const source = mtfBlock(ctx.manifest)?.source;
  const findings: RawFinding[] = [];
  const loc = { file: 'manifest.json', line: manifestLine(ctx, '"source"') };
  const commit = source?.commit;
  if (typeof commit !== 'string' || !/^(?:[a-f0-9]{40}|[a-f0-9]{64})$/.test(commit)) {
    findings.push(finding('PR-04', commit === undefined ? 'missing-commit' : 'malformed-commit', 'HIGH', commit === undefined ? 'No source commit' : 'Source commit is not a full SHA', commit === undefined ? '_meta["org.mpaktrust"].source.commit is missing: the bundle cannot be linked to its source.' : `"${String(commit).slice(0, 80)}" is not 40 lowercase hex characters.`, 'Record the full commit SHA the bundle was built from in _meta["org.mpaktrust"].source.commit.', loc));
    return { status: 'fail', reason: 'no usable source commit', findings };
  }
  const attested = (await ctx.resultOf('PR-03'))?.data?.commit;
  if (typeof attested === 'string' && attested !== commit) {
    findings.push(finding('PR-04', 'attestation-mismatch', 'HIGH', 'Commit differs from the attestation', `The manifest names ${commit}, the build attestation ${attested}.`, 'Rebuild from one commit and regenerate the attestation.', loc));
  }
  if (source.signed !== true) findings.push(finding('PR-04', 'unsigned-commit', 'LOW', 'Source commit not declared signed', 'source.signed is false or absent.', 'Sign release commits or tags.', loc));
  const checkout = await sourceCheckout(ctx);
  if (!checkout) {
    if (findings.some((f) => f.severity === 'HIGH')) return { status: 'fail', reason: 'commit linkage broken', findings };
    return { status: 'unverified', reason: `commit ${commit.slice(0, 12)} named; no checkout to compare`, requires: ['--source'], findings };
  }
  const { repo } = checkout;
  const data = { source_head: checkout.head ?? null };
  const obj = await repo.tryRead(commit);
  if (!obj || obj.type !== 'commit') {
    findings.push(finding('PR-04', 'commit-not-found', 'HIGH', 'Commit absent from the checkout', `${commit} is not a commit of the --source repository.`, 'Fetch the full history (git fetch --unshallow) or fix source.commit.', loc));
    return { status: 'fail', reason: 'commit not in checkout', findings, data };
  }
  const info = await repo.commit(commit);
  if (source.signed === true && !info.gpgsig) findings.push(finding('PR-04', 'signature-missing', 'MEDIUM', 'Commit declared signed has no signature', `source.signed is true, but ${commit} has no gpgsig header.`, 'Sign the commit, or set signed to false.', loc));
  if (typeof source.tag === 'string' && source.tag) {
    const tagged = await repo.resolve(`refs/tags/${source.tag}`);
    if (tagged !== commit) findings.push(finding('PR-04', 'tag-mismatch', 'MEDIUM', `Tag ${source.tag} does not point at the commit`, tagged ? `${source.tag} points at ${tagged}.` : `${source.tag} is not in the checkout.`, 'Tag the release commit, or fix source.tag.', loc));
  }
  const tree = await repo.files(commit);
  const entry = typeof ctx.manifest!.server?.entry_point === 'string' ? ctx.manifest!.server.entry_point.replace(/^\.\//, '') : '';
  // The single common sub-directory: where the entry point sits in the tree when not at the same path.
  let prefix = '';
  const entryFile = entry ? ctx.file(entry) : undefined;
  if (entryFile && tree.get(entry) !== repo.blobId(await entryFile.bytes())) {
    const id = repo.blobId(await entryFile.bytes());
    const hits = [...tree].filter(([p, b]) => b === id && p.endsWith(`/${entry}`));
    if (hits.length === 1) prefix = hits[0]![0].slice(0, -entry.length);
  }
  let traced = 0;
  let candidates = 0;
  for (const f of ctx.files) {
    if (f.inDependencyDir || f.path === 'manifest.json' || f.path.endsWith('.sig') || f.path.startsWith('.sigstore/')) continue;
    candidates++;
    const id = repo.blobId(await f.bytes());
    const inTree = tree.get(f.path) ?? tree.get(prefix + f.path);
    if (inTree === id) {
      traced++;
      continue;
    }
    if (inTree) {
      findings.push(finding('PR-04', 'file-differs', 'HIGH', 'File differs from the source commit', `${f.path} does not match ${prefix + f.path} at ${commit.slice(0, 12)}.`, 'Rebuild the bundle from the named commit.', { file: f.path }));
      continue;
    }
    const stem = f.path.slice(0, f.path.length - f.ext.length);
    const stems = [stem, prefix + stem, stem.replace(/^(dist|build|lib|out)\//, 'src/'), prefix + stem.replace(/^(dist|build|lib|out)\//, 'src/')];
    if (f.ext && stems.some((s) => SOURCE_EXT.some((e) => e !== f.ext && tree.has(s + e)))) {
      traced++;
      continue;
    }
    findings.push(finding('PR-04', 'not-traceable', 'LOW', 'File not traceable to the source', `${f.path} is neither in the tree at ${commit.slice(0, 12)} nor built from a source with the same stem.`, 'Commit the file or build it in CI from committed sources.', { file: f.path }));
  }
  if (candidates > 0 && traced === 0) {
    findings.push(finding('PR-04', 'nothing-traceable', 'HIGH', 'No bundle file is traceable to the commit', `None of ${candidates} bundle source files matches the tree at ${commit.slice(0, 12)}.`, 'Scan with the checkout of the repository the bundle was built from.', loc));
  }
  return { status: 'pass', reason: `${traced}/${candidates} bundle files traced to ${commit.slice(0, 12)}${prefix ? ` under ${posix.dirname(prefix + 'x')}/` : ''}`, findings, data };
});
