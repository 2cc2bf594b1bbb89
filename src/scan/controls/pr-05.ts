import { posix } from 'node:path';
import type { RawFinding } from '../types.js';
import { defineControl, finding, mtfBlock } from './helpers.js';
import { sourceCheckout } from './source-repo.js';

const PINNED_USES = /^\s*-?\s*uses:\s*[^\s@#]+@[0-9a-f]{40}\b/;
const LICENSE_MARKERS = /MIT License|Permission is hereby granted, free of charge|Apache License|BSD \d-Clause|Redistribution and use in source and binary forms|GNU (?:AFFERO |LESSER )?GENERAL PUBLIC LICENSE|Mozilla Public License|ISC License|Permission to use, copy, modify, and\/or distribute|The Unlicense|SPDX-License-Identifier:/i;

/** PR-05 Repository Health: a Scorecard-lite over the --source checkout at the named commit. */
export const pr05 = defineControl('PR-05', async (ctx) => {
  const mtf = mtfBlock(ctx.manifest);
  const findings: RawFinding[] = [];
  if (mtf?.scorecard) findings.push(finding('PR-05', 'declared-scorecard', 'INFO', 'Scorecard declared by the bundle', `The manifest claims ${JSON.stringify(mtf.scorecard).slice(0, 150)}; it is recorded, not trusted.`, 'Nothing to do.', { file: 'manifest.json' }));
  const checkout = await sourceCheckout(ctx);
  if (!checkout) return { status: 'unverified', reason: 'repository health needs the source checkout', requires: ['--source'], findings };
  const { repo, commit } = checkout;
  const data = { source_head: checkout.head ?? null, commit: commit ?? null };
  if (!commit) return { status: 'error', reason: 'the checkout has no HEAD commit', findings, errors: ['PR-05: no HEAD commit'], data };
  const tree = await repo.files(commit);
  const paths = [...tree.keys()];
  const text = (p: string) => repo.blobText(tree.get(p)!);
  const { parse } = await import('yaml');
  const workflows = paths.filter((p) => /^\.github\/workflows\/[^/]+\.ya?ml$/.test(p));
  let pinnedAll = true;
  for (const wf of workflows) {
    const src = await text(wf);
    let doc: any;
    try {
      doc = parse(src);
    } catch (err) {
      findings.push(finding('PR-05', 'workflow-unparseable', 'MEDIUM', 'Workflow does not parse', `${wf}: ${(err as Error).message.split('\n')[0]}`, 'Fix the YAML.', { details: { workflow: wf } }));
      continue;
    }
    const on = doc?.on ?? doc?.true;
    const triggers = typeof on === 'string' ? [on] : Array.isArray(on) ? on : on && typeof on === 'object' ? Object.keys(on) : [];
    if (triggers.some((t: string) => t === 'pull_request_target' || t === 'workflow_run') && /^\s*ref:\s*.*(github\.event\.pull_request\.head|refs\/pull\/|head_sha)/m.test(src)) {
      findings.push(finding('PR-05', 'dangerous-workflow', 'HIGH', 'Dangerous workflow: privileged trigger checks out untrusted code', `${wf} runs on ${triggers.join('/')} and checks out the pull request head.`, 'Do not check out PR code in pull_request_target/workflow_run workflows (use pull_request).', { details: { workflow: wf } }));
    }
    const jobs = doc?.jobs && typeof doc.jobs === 'object' ? Object.values<any>(doc.jobs) : [];
    const writeAll = /\bpermissions:\s*write-all\b/.test(src);
    const declared = doc?.permissions !== undefined || (jobs.length > 0 && jobs.every((j) => j?.permissions !== undefined));
    if (writeAll || !declared) {
      findings.push(finding('PR-05', 'token-permissions', 'HIGH', writeAll ? 'Workflow grants write-all' : 'Workflow token permissions not declared', `${wf} ${writeAll ? 'uses permissions: write-all' : 'declares no permissions: at the top or for every job, so the token gets the repository default'}.`, 'Add a top-level "permissions: contents: read" and widen per job only where needed.', { details: { workflow: wf } }));
    }
    for (const line of src.split('\n')) {
      if (!/^\s*-?\s*uses:/.test(line)) continue;
      const target = line.replace(/^\s*-?\s*uses:\s*/, '').trim().replace(/^['"]|['"]$/g, '');
      if (target.startsWith('./') || /^docker:\/\/.*@sha256:/.test(target)) continue;
      if (!PINNED_USES.test(line)) pinnedAll = false;
    }
  }
  const version = String(ctx.manifest?.version ?? '');
  const tags = await repo.tags();
  const commitInfo = await repo.commit(commit);
  let signedTag = false;
  for (const id of tags.values()) {
    const o = await repo.tryRead(id);
    if (o?.type === 'tag' && /-----BEGIN (PGP|SSH) SIGNATURE-----/.test(o.data.toString())) signedTag = true;
  }
  let newest = commitInfo.committerTime;
  const headInfo = checkout.head ? await repo.commit(checkout.head) : commitInfo;
  newest = Math.max(newest, headInfo.committerTime);
  const licence = paths.find((p) => /^(LICEN[CS]E|COPYING)[^/]*$/i.test(p));
  const readme = paths.find((p) => /^README[^/]*$/i.test(p));
  const name = String(ctx.manifest?.name ?? '');
  const checks: [string, boolean][] = [
    ['licence file with a recognisable licence', !!licence && LICENSE_MARKERS.test(await text(licence))],
    ['SECURITY.md', paths.some((p) => /^(?:\.github\/|docs\/)?SECURITY\.md$/i.test(p))],
    ['CI workflows', workflows.length > 0 || paths.includes('.gitlab-ci.yml')],
    ['actions pinned to full SHAs', workflows.length > 0 && pinnedAll],
    [`release tag v${version}`, !!version && (tags.has(`v${version}`) || tags.has(version))],
    ['commit within 90 days', ctx.options.now.getTime() / 1000 - newest <= 90 * 86_400],
    ['signed commit or release tag', commitInfo.gpgsig || signedTag],
    ['dependency-update configuration', paths.some((p) => /^\.github\/dependabot\.ya?ml$/.test(p) || /^(?:\.github\/)?renovate\.json5?$/.test(p) || p === '.renovaterc' || p === '.renovaterc.json')],
    ['tests', paths.some((p) => /(^|\/)(test|tests|__tests__)\//.test(p) || /\.test\.[^/]+$/.test(p) || /(^|\/)test_[^/]*\.py$/.test(p))],
    ['README names the bundle', !!readme && !!name && ((await text(readme)).includes(name) || (await text(readme)).includes(posix.basename(name)))],
  ];
  const score = checks.filter(([, ok]) => ok).length;
  const missing = checks.filter(([, ok]) => !ok).map(([n]) => n);
  const details = { score, max: 10, checks: Object.fromEntries(checks), commit };
  if (score < 5) findings.push(finding('PR-05', 'low-score', 'HIGH', `Repository health ${score}/10`, `Missing: ${missing.join(', ')}.`, 'Add the missing practices (licence, SECURITY.md, CI with pinned actions, release tags, tests...).', { details }));
  else if (score < 7) findings.push(finding('PR-05', 'moderate-score', 'LOW', `Repository health ${score}/10`, `Missing: ${missing.join(', ')}. MTF recommends 7 for L4.`, 'Add the missing practices.', { details }));
  return { status: 'pass', reason: `Scorecard-lite ${score}/10 at ${commit.slice(0, 12)}`, findings, data: { ...data, score } };
});
