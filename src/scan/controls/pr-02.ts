import type { RawFinding } from '../types.js';
import { decided, defineControl, finding, manifestLine, manifestPrerequisite } from './helpers.js';

const EMAIL = /^(?!\.)(?!.*\.\.)[A-Z0-9_'+\-.]*[A-Z0-9_+-]@(?:[A-Z0-9][A-Z0-9-]*\.)+[A-Z]{2,}$/i;
const FREE_MAIL = new Set(['gmail.com', 'googlemail.com', 'outlook.com', 'hotmail.com', 'live.com', 'yahoo.com', 'icloud.com', 'me.com', 'proton.me', 'protonmail.com', 'gmx.com', 'gmx.de', 'aol.com', 'mail.com', 'yandex.com', 'qq.com', '163.com']);

/** PR-02 Author Identity: what the bundle asserts about its publisher. */
export const pr02 = defineControl('PR-02', async (ctx) => {
  const pre = manifestPrerequisite(ctx, 'PR-02');
  if (pre) return pre;
  const m = ctx.manifest!;
  const findings: RawFinding[] = [];
  const email = m.author?.email;
  const loc = { file: 'manifest.json', line: manifestLine(ctx, '"author"') };
  if (typeof email !== 'string' || !EMAIL.test(email)) {
    findings.push(finding('PR-02', email === undefined ? 'missing-email' : 'invalid-email', 'HIGH', email === undefined ? 'Author e-mail missing' : 'Author e-mail invalid', email === undefined ? 'manifest.author.email is missing: there is no contact for security reports.' : `"${String(email).slice(0, 80)}" is not an e-mail address.`, 'Set "author": {"name": "...", "email": "security@your-domain.example"}.', loc));
  } else {
    const domain = email.split('@')[1]!.toLowerCase();
    if (FREE_MAIL.has(domain)) findings.push(finding('PR-02', 'free-mail', 'INFO', 'Author uses a free-mail domain', `${domain} does not tie the author to an organisation.`, 'Nothing required; an organisational address is stronger.', loc));
  }
  if (typeof m.name !== 'string' || !/^@[a-z0-9][\w.-]*\/[\w.-]+$/i.test(m.name)) {
    findings.push(finding('PR-02', 'unscoped-name', 'HIGH', 'Name is not scoped', `"${String(m.name)}" lacks the @scope/ publisher namespace.`, 'Rename the bundle @<scope>/<name>.', { file: 'manifest.json', line: manifestLine(ctx, '"name"') }));
  }
  const sig = await ctx.resultOf('AI-03');
  const signerEmail = sig?.data?.signer_email as string | undefined;
  if (signerEmail && typeof email === 'string' && sig?.status === 'pass' && signerEmail.toLowerCase() !== email.toLowerCase()) {
    findings.push(finding('PR-02', 'signer-mismatch', 'MEDIUM', 'Signer e-mail differs from the author', `The signing certificate names ${signerEmail}, the manifest ${email}.`, 'Sign with the author identity, or fix author.email.', loc));
  }
  findings.push(finding('PR-02', 'registry-identity', 'INFO', 'Identity tiers are registry checks', 'OIDC identity, account age and multiple owners are verified by registries, not offline.', 'Nothing to do.'));
  return decided(findings, `author ${typeof email === 'string' ? email : '(none)'}`);
});
