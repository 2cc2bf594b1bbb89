import { bundleAnalysis } from '../analysis/bundle.js';
import type { RawFinding, Severity } from '../types.js';
import { defineControl, finding, manifestLine, manifestPrerequisite, mtfBlock } from './helpers.js';

const OAUTH_ENDPOINT = /accounts\.google\.com\/o\/oauth2|oauth2\.googleapis\.com|github\.com\/login\/oauth|login\.microsoftonline\.com|slack\.com\/oauth/i;
const OAUTH_LIB = /^(?:google-auth-oauthlib|google_auth_oauthlib(?:\.\w+)*|authlib(?:\.\w+)*|requests-oauthlib|requests_oauthlib|simple-oauth2|openid-client|@octokit\/auth-oauth-[\w-]+)$/;
const SCOPE_LITERAL = /[?&]scope=([^&"'\s`]+)|\bscopes?\s*[:=]\s*\[?\s*["'`]([^"'`]+)["'`]/g;

/** The MTF scope tier of one OAuth scope (§CD-04). */
export function scopeTier(scope: string): Severity {
  const s = scope.trim().toLowerCase();
  const last = s.replace(/^https:\/\/www\.googleapis\.com\/auth\//, '');
  if (/^admin|[./:]admin/.test(last) || s === 'https://mail.google.com/' || /\.full_control$/.test(last)) return 'CRITICAL';
  if (/\.readonly$|^read:|\.read$(?<!mail\.read)/.test(last) && last !== 'mail.read') return 'LOW';
  if (['mail.read', 'repo', 'gmail.modify', 'drive', 'mail.readwrite', 'mail.send', 'files.readwrite.all', 'user'].includes(last)) return 'HIGH';
  return 'MEDIUM';
}

const NARROWER: Record<string, string> = { 'https://mail.google.com/': 'gmail.send or gmail.readonly', repo: 'public_repo' };

/** CD-04 Credential Scope and Token Lifetime: declared OAuth credentials against code. */
export const cd04 = defineControl('CD-04', async (ctx) => {
  const pre = manifestPrerequisite(ctx, 'CD-04');
  if (pre) return pre;
  const creds: any[] = Array.isArray(mtfBlock(ctx.manifest)?.credentials) ? mtfBlock(ctx.manifest)!.credentials : [];
  const analysis = await bundleAnalysis(ctx);
  const findings: RawFinding[] = [];
  const at = { file: 'manifest.json', line: manifestLine(ctx, '"credentials"') };
  const codeScopes = new Map<string, { file: string; line: number }>();
  let oauth: { file: string; line: number; what: string } | undefined;
  const persists: { file: string; line: number }[] = [];
  for (const f of analysis.files) {
    if (f.isDependency || f.isTest || f.language === 'text' || f.language === 'shell') continue;
    const text = f.text;
    const pos = (i: number) => f.lines.position(i).line;
    const ep = OAUTH_ENDPOINT.exec(text);
    if (ep && !oauth) oauth = { file: f.path, line: pos(ep.index), what: ep[0] };
    for (const i of f.facts?.imports ?? []) if (OAUTH_LIB.test(i.module) && !oauth) oauth = { file: f.path, line: pos(i.start), what: i.module };
    for (const m of text.matchAll(SCOPE_LITERAL)) {
      for (const s of decodeURIComponent((m[1] ?? m[2] ?? '').replace(/\+/g, ' ')).split(/[\s,]+/).filter(Boolean)) if (!codeScopes.has(s)) codeScopes.set(s, { file: f.path, line: pos(m.index ?? 0) });
    }
    for (const c of f.facts?.calls ?? []) {
      if (!/(?:writeFile|writeFileSync|appendFile|appendFileSync|open|write_text|dump)$/.test(c.callee)) continue;
      const args = text.slice(c.start, c.end);
      if (/token|credential/i.test(args.slice(args.indexOf('(') + 1))) persists.push({ file: f.path, line: pos(c.start) });
    }
  }
  if (!creds.length && !oauth && !codeScopes.size) return { status: 'skip', reason: 'no credentials declared and no OAuth use found', findings };
  if (oauth && !creds.length) findings.push(finding('CD-04', 'undeclared-oauth', 'HIGH', 'OAuth used without a credential declaration', `${oauth.what} in ${oauth.file} but _meta["org.mpaktrust"].credentials is empty.`, 'Declare each provider with its scopes, justification and token handling.', { file: oauth.file, line: oauth.line }));
  const declaredScopes = new Set<string>();
  for (const [i, c] of creds.entries()) {
    const scopes: string[] = Array.isArray(c?.scopes) ? c.scopes.map(String) : [];
    const justification = typeof c?.justification === 'string' ? c.justification.trim() : '';
    const th = c?.token_handling ?? {};
    const storage = th.storage ?? 'memory';
    const lifetime = th.max_lifetime_seconds;
    for (const s of scopes) {
      declaredScopes.add(s);
      const tier = scopeTier(s);
      if (tier === 'CRITICAL' && justification.length < 20) findings.push(finding('CD-04', 'unjustified-critical-scope', 'CRITICAL', `Admin-level scope ${s} without justification`, `credentials[${i}] (${c?.provider ?? '?'}) requests ${s} with a justification of ${justification.length} characters.`, 'Justify the scope in at least 20 characters, or request a narrower one.', at));
      else if (tier === 'HIGH' && justification.length < 20) findings.push(finding('CD-04', 'unjustified-high-scope', 'MEDIUM', `Sensitive scope ${s} weakly justified`, `credentials[${i}] requests ${s} with a short justification.`, 'Explain in at least 20 characters why the scope is needed.', at));
      if (NARROWER[s]) findings.push(finding('CD-04', 'over-broad-scope', 'MEDIUM', `Over-broad scope ${s}`, `${s} has a narrower alternative: ${NARROWER[s]}.`, `Request ${NARROWER[s]} instead.`, at));
    }
    if (storage === 'disk' && (lifetime === undefined || lifetime === 0)) findings.push(finding('CD-04', 'indefinite-disk-token', 'HIGH', 'Tokens stored on disk without a lifetime', `credentials[${i}] stores tokens on disk with no max_lifetime_seconds.`, 'Set token_handling.max_lifetime_seconds (≤ 86400) or keep tokens in memory/keychain.', at));
    else if (storage === 'disk') findings.push(finding('CD-04', 'disk-storage', 'MEDIUM', 'Tokens stored on disk', `credentials[${i}] persists tokens to disk.`, 'Prefer the OS keychain.', at));
    if (typeof lifetime === 'number' && lifetime > 86_400) findings.push(finding('CD-04', 'long-lifetime', 'MEDIUM', 'Token lifetime over a day', `max_lifetime_seconds is ${lifetime}.`, 'Limit token lifetime to 86400 s or less.', at));
    else if ((lifetime === undefined || lifetime === 0) && storage !== 'disk') findings.push(finding('CD-04', 'indefinite-lifetime', 'MEDIUM', 'Indefinite token lifetime', `credentials[${i}] sets no max_lifetime_seconds.`, 'Set token_handling.max_lifetime_seconds.', at));
    if (storage !== 'disk' && persists.length) findings.push(finding('CD-04', 'undeclared-token-persistence', 'HIGH', 'Code writes tokens to files', `${persists[0]!.file}:${persists[0]!.line} writes a token or credential to a file, but storage is "${storage}".`, 'Declare storage "disk" with a lifetime, or keep tokens in memory.', persists[0]!));
  }
  for (const [s, where] of codeScopes) {
    if (!declaredScopes.has(s) && /[.:/]/.test(s)) findings.push(finding('CD-04', 'undeclared-scope', 'HIGH', `Scope ${s} requested but not declared`, `${where.file} requests ${s}, which no credentials[] entry declares.`, 'Declare the scope with a justification.', where));
  }
  if (codeScopes.size) for (const s of declaredScopes) if (!codeScopes.has(s)) findings.push(finding('CD-04', 'unused-scope', 'LOW', `Declared scope ${s} not seen in code`, `No tool appears to request ${s}.`, 'Drop scopes the server does not use.', at));
  return { status: 'pass', reason: `${creds.length} credential declaration(s), ${codeScopes.size} scope literal(s) in code`, findings };
});
