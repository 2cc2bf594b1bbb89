import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { RawFinding } from '../types.js';
import { bundleFile } from './bundle-file.js';
import { normaliseRemote } from './pr-01.js';
import { defineControl, finding, mtfBlock } from './helpers.js';

export const TRUSTED_BUILDER_PREFIXES = [
  'https://github.com/slsa-framework/slsa-github-generator/.github/workflows/',
  'https://github.com/actions/runner/github-hosted',
  'https://github.com/mpak-dev/mpak/.github/workflows/release.yml',
];

async function exists(p: string): Promise<boolean> {
  return stat(p).then((s) => s.isFile(), () => false);
}

/** Candidate attestation files, in the order of §PR-03 "Locations". */
async function locate(bundlePath: string, explicit: string | undefined, isDirectory: boolean): Promise<string[]> {
  if (explicit) return [explicit];
  const out: string[] = [];
  const beside = `${bundlePath.replace(/\/+$/, '')}.intoto.jsonl`;
  if (await exists(beside)) out.push(beside);
  const dir = isDirectory ? dirname(bundlePath.replace(/\/+$/, '')) : dirname(bundlePath);
  const attDir = join(dir, '.attestations');
  const names = await readdir(attDir).catch(() => [] as string[]);
  for (const n of names.sort()) if (n.endsWith('.intoto.jsonl')) out.push(join(attDir, n));
  return out;
}

/** The in-toto statement of a DSSE envelope or of a Sigstore bundle's dsseEnvelope. */
function statementOf(line: string): { envelope?: any; statement?: any; error?: string } {
  let doc: any;
  try {
    doc = JSON.parse(line);
  } catch {
    return { error: 'not JSON' };
  }
  const envelope = doc?.dsseEnvelope ?? doc;
  if (envelope?.payloadType !== 'application/vnd.in-toto+json') return { envelope, error: `payloadType is ${envelope?.payloadType}, not application/vnd.in-toto+json` };
  try {
    return { envelope, statement: JSON.parse(Buffer.from(String(envelope.payload), 'base64').toString('utf8')) };
  } catch {
    return { envelope, error: 'the payload is not JSON' };
  }
}

/** PR-03 Build Attestation: SLSA provenance for this exact bundle, from a trusted builder. */
export const pr03 = defineControl('PR-03', async (ctx) => {
  const { verifyAttestation } = await import('../../sign/index.js');
  const findings: RawFinding[] = [];
  for (const f of ctx.files) {
    if (f.path.endsWith('.intoto.jsonl')) findings.push(finding('PR-03', 'attestation-inside-bundle', 'INFO', 'Attestation inside the archive ignored', `${f.path} cannot name the digest of the archive that contains it.`, 'Publish the attestation beside the bundle (<bundle>.intoto.jsonl).', { file: f.path }));
  }
  const candidates = await locate(ctx.bundle.path, ctx.options.attestation, ctx.bundle.isDirectory);
  const noAttestation = () => {
    findings.push(finding('PR-03', 'no-attestation', 'HIGH', 'No build attestation', `No provenance was found (--attestation, ${basename(ctx.bundle.path)}.intoto.jsonl, .attestations/).`, 'Build in CI and publish provenance: mpak bundle attest <bundle> --key <key>, or the SLSA GitHub generator.'));
    return { status: 'fail' as const, reason: 'no attestation', findings };
  };
  if (!candidates.length) return noAttestation();
  const digests = [ctx.bundle.sha256, ctx.bundle.unsigned_sha256];
  const repoUrl = typeof ctx.manifest?.repository?.url === 'string' ? ctx.manifest.repository.url : undefined;
  const sourceCommit = mtfBlock(ctx.manifest)?.source?.commit;
  const builders = [...TRUSTED_BUILDER_PREFIXES, ...ctx.options.trustedBuilders];
  const problems: string[] = [];
  let best: { status: 'pass' | 'unverified'; reason: string; commit?: string } | undefined;
  for (const path of candidates) {
    const lines = (await readFile(path, 'utf8')).split('\n').filter((l) => l.trim());
    for (const line of lines) {
      const bad = (rule: string, why: string) => {
        problems.push(`${basename(path)}: ${why}`);
        findings.push(finding('PR-03', rule, 'HIGH', 'Attestation rejected', `${basename(path)}: ${why}.`, 'Regenerate the provenance for this exact bundle from a trusted builder.'));
      };
      const { statement, error } = statementOf(line);
      if (error || !statement) {
        bad('malformed-envelope', error ?? 'unreadable');
        continue;
      }
      if (statement._type !== 'https://in-toto.io/Statement/v1') {
        bad('wrong-statement-type', `_type is ${statement._type}`);
        continue;
      }
      if (statement.predicateType !== 'https://slsa.dev/provenance/v1') {
        bad('wrong-predicate-type', `predicateType is ${statement.predicateType}`);
        continue;
      }
      const subjects: any[] = Array.isArray(statement.subject) ? statement.subject : [];
      if (!subjects.some((s) => digests.includes(String(s?.digest?.sha256 ?? '').toLowerCase()))) {
        bad('subject-mismatch', 'no subject digest equals the bundle sha256');
        continue;
      }
      const pred = statement.predicate ?? {};
      const builder = pred.runDetails?.builder?.id;
      if (typeof builder !== 'string' || !builders.some((b) => builder.startsWith(b))) {
        bad('untrusted-builder', `builder ${builder ?? '(none)'} is not trusted (add it with --trusted-builder)`);
        continue;
      }
      const buildType = pred.buildDefinition?.buildType;
      if (typeof buildType !== 'string' || !/^[a-z][a-z0-9+.-]*:[^\s]+$/i.test(buildType)) {
        bad('bad-build-type', 'buildDefinition.buildType is not an absolute URI');
        continue;
      }
      const deps: any[] = Array.isArray(pred.buildDefinition?.resolvedDependencies) ? pred.buildDefinition.resolvedDependencies : [];
      const git = deps.find((d) => typeof d?.uri === 'string' && d.uri.startsWith('git+'));
      const commit = git?.digest?.gitCommit;
      if (git && repoUrl) {
        const repoOfDep = git.uri.replace(/^git\+/, '').replace(/@[^@]*$/, '');
        if (normaliseRemote(repoOfDep) !== normaliseRemote(repoUrl)) {
          bad('repository-mismatch', `source ${repoOfDep} is not manifest.repository ${repoUrl}`);
          continue;
        }
      }
      const wfRepo = pred.buildDefinition?.externalParameters?.workflow?.repository;
      if (typeof wfRepo === 'string' && repoUrl && normaliseRemote(wfRepo) !== normaliseRemote(repoUrl)) {
        bad('repository-mismatch', `workflow repository ${wfRepo} is not ${repoUrl}`);
        continue;
      }
      if (typeof sourceCommit === 'string' && typeof commit === 'string' && commit !== sourceCommit) {
        bad('commit-mismatch', `attested commit ${commit} is not _meta source.commit ${sourceCommit}`);
        continue;
      }
      if (typeof commit !== 'string' || !/^[0-9a-f]{40}$/.test(commit)) {
        findings.push(finding('PR-03', 'no-git-commit', 'MEDIUM', 'Attestation names no git commit', `${basename(path)} has no resolvedDependencies git+… entry with a 40-hex gitCommit.`, 'Record the source commit in the provenance.'));
      }
      // Signature: the sign module verifies the DSSE envelope (PAE) against --trust keys.
      let verdict;
      try {
        verdict = await verifyAttestation({ file: await bundleFile(ctx), attestation: path, trust: ctx.options.trust });
      } catch (err) {
        return { status: 'error', reason: `attestation check failed: ${(err as Error).message}`, findings, errors: [`PR-03: ${(err as Error).message}`] };
      }
      if (verdict.state === 'invalid' && verdict.subjectMatches) {
        bad('bad-signature', verdict.reason);
        continue;
      }
      if (verdict.state === 'verified') best = { status: 'pass', reason: `attested by ${builder}`, ...(commit ? { commit } : {}) };
      else if (!best) best = { status: 'unverified', reason: verdict.state === 'unverified' ? 'attestation structure valid; no --trust key to verify its signature' : `attestation signature not checked: ${verdict.reason}`, ...(commit ? { commit } : {}) };
      break; // verifyAttestation reads the first envelope of a file
    }
  }
  if (best?.status === 'pass') {
    // A good attestation wins over rejected alternatives; keep their findings visible but non-blocking.
    return { status: 'pass', reason: best.reason, findings: findings.map((f) => (f.severity === 'HIGH' ? { ...f, severity: 'LOW' as const } : f)), data: { commit: best.commit } };
  }
  if (best && !findings.some((f) => f.severity === 'HIGH')) return { status: 'unverified', reason: best.reason, requires: ['--trust'], findings, data: { commit: best.commit } };
  if (!best && !problems.length) return noAttestation();
  return { status: 'fail', reason: problems.join('; ') || 'attestation rejected', findings, ...(best?.commit ? { data: { commit: best.commit } } : {}) };
});
