/**
 * CQ-01 secret rules: JavaScript translations of the gitleaks defaults (mtf-controls CQ-01),
 * with the entropy gate, placeholder filter, GitHub CRC32 checksum and redaction. A secret value
 * never leaves this module: hits carry only the redacted excerpt and a 12-hex SHA-256 prefix.
 */
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import type { Severity } from '../../types.js';
import { shannonEntropy } from '../source.js';

export interface SecretRule {
  id: string;
  title: string;
  regex: RegExp;
  /** Capture group holding the secret (default 1; 0 = the whole match). */
  group?: number;
  /** Entropy must be strictly greater than this; undefined = no gate. */
  entropy?: number;
  /** The literal prefix kept in the excerpt. */
  prefix?: (secret: string) => string;
  kind: 'provider' | 'private-key' | 'connection' | 'generic';
}

const END = `(?:[\\x60'"\\s;]|\\\\[nr]|$)`;
const lit = (p: string) => () => p;
const leading = (re: RegExp) => (s: string) => re.exec(s)?.[0] ?? '';

export const SECRET_RULES: SecretRule[] = [
  { id: 'aws-access-token', title: 'AWS access key id', regex: /\b((?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})\b/g, entropy: 3, prefix: leading(/^(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)/), kind: 'provider' },
  { id: 'github-pat', title: 'GitHub personal access token', regex: /\b(ghp_[0-9a-zA-Z]{36})\b/g, entropy: 3, prefix: lit('ghp_'), kind: 'provider' },
  { id: 'github-oauth', title: 'GitHub OAuth access token', regex: /\b(gho_[0-9a-zA-Z]{36})\b/g, entropy: 3, prefix: lit('gho_'), kind: 'provider' },
  { id: 'github-app', title: 'GitHub app token', regex: /\b((?:ghu|ghs)_[0-9a-zA-Z]{36})\b/g, entropy: 3, prefix: leading(/^gh[us]_/), kind: 'provider' },
  { id: 'github-refresh', title: 'GitHub refresh token', regex: /\b(ghr_[0-9a-zA-Z]{36})\b/g, entropy: 3, prefix: lit('ghr_'), kind: 'provider' },
  { id: 'github-fine-grained-pat', title: 'GitHub fine-grained personal access token', regex: /\b(github_pat_\w{82})\b/g, entropy: 3, prefix: lit('github_pat_'), kind: 'provider' },
  { id: 'gitlab-pat', title: 'GitLab personal access token', regex: /\b(glpat-[\w-]{20})(?![\w-])/g, entropy: 3, prefix: lit('glpat-'), kind: 'provider' },
  { id: 'slack-bot', title: 'Slack bot token', regex: /\b(xoxb-[0-9]{10,13}-[0-9]{10,13}[a-zA-Z0-9-]*)/g, entropy: 3, prefix: lit('xoxb-'), kind: 'provider' },
  { id: 'slack-user', title: 'Slack user token', regex: /\b(xox[pe](?:-[0-9]{10,13}){3}-[a-zA-Z0-9-]{28,34})/g, entropy: 2, prefix: leading(/^xox[pe]-/), kind: 'provider' },
  { id: 'slack-app', title: 'Slack app token', regex: /\b(xapp-\d-[A-Z0-9]+-\d+-[a-z0-9]+)/gi, entropy: 2, prefix: lit('xapp-'), kind: 'provider' },
  { id: 'slack-webhook-url', title: 'Slack webhook URL', regex: /(?:https?:\/\/)?hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9+/]{43,56}/g, group: 0, prefix: leading(/^(?:https?:\/\/)?hooks\.slack\.com\/\w+\//), kind: 'provider' },
  { id: 'stripe-access-token', title: 'Stripe API key', regex: new RegExp(`\\b((?:sk|rk)_(?:test|live|prod)_[a-zA-Z0-9]{10,99})${END}`, 'g'), entropy: 2, prefix: leading(/^(?:sk|rk)_(?:test|live|prod)_/), kind: 'provider' },
  {
    id: 'openai-api-key',
    title: 'OpenAI API key',
    regex: new RegExp(`\\b(sk-(?:proj|svcacct|admin)-(?:[A-Za-z0-9_-]{74}|[A-Za-z0-9_-]{58})T3BlbkFJ(?:[A-Za-z0-9_-]{74}|[A-Za-z0-9_-]{58})\\b|sk-[a-zA-Z0-9]{20}T3BlbkFJ[a-zA-Z0-9]{20})${END}`, 'g'),
    entropy: 3,
    prefix: leading(/^sk-(?:proj-|svcacct-|admin-)?/),
    kind: 'provider',
  },
  { id: 'anthropic-api-key', title: 'Anthropic API key', regex: new RegExp(`\\b(sk-ant-api03-[a-zA-Z0-9_\\-]{93}AA)${END}`, 'g'), prefix: lit('sk-ant-api03-'), kind: 'provider' },
  { id: 'anthropic-admin-api-key', title: 'Anthropic admin API key', regex: new RegExp(`\\b(sk-ant-admin01-[a-zA-Z0-9_\\-]{93}AA)${END}`, 'g'), prefix: lit('sk-ant-admin01-'), kind: 'provider' },
  { id: 'gcp-api-key', title: 'Google Cloud API key', regex: new RegExp(`\\b(AIza[\\w-]{35})${END}`, 'g'), entropy: 4, prefix: lit('AIza'), kind: 'provider' },
  { id: 'google-oauth', title: 'Google OAuth client secret', regex: /\b(GOCSPX-[A-Za-z0-9_-]{28})(?![A-Za-z0-9_-])/g, entropy: 3, prefix: lit('GOCSPX-'), kind: 'provider' },
  { id: 'google-oauth', title: 'Google OAuth access token', regex: /\b(ya29\.[0-9A-Za-z_-]{20,})/g, entropy: 3, prefix: lit('ya29.'), kind: 'provider' },
  {
    id: 'private-key',
    title: 'Private key',
    regex: /-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----[\s\S-]{64,}?KEY(?: BLOCK)?-----/gi,
    group: 0,
    prefix: leading(/^-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----/i),
    kind: 'private-key',
  },
  { id: 'npm-access-token', title: 'npm access token', regex: new RegExp(`\\b(npm_[a-z0-9]{36})${END}`, 'gi'), entropy: 2, prefix: lit('npm_'), kind: 'provider' },
  { id: 'pypi-upload-token', title: 'PyPI upload token', regex: /\b(pypi-AgEIcHlwaS5vcmc[\w-]{50,1000})/g, entropy: 3, prefix: lit('pypi-AgEIcHlwaS5vcmc'), kind: 'provider' },
  { id: 'huggingface-access-token', title: 'Hugging Face access token', regex: new RegExp(`\\b(hf_[a-zA-Z]{34})${END}`, 'g'), entropy: 2, prefix: lit('hf_'), kind: 'provider' },
  { id: 'sendgrid-api-token', title: 'SendGrid API token', regex: new RegExp(`\\b(SG\\.[a-zA-Z0-9=_\\-.]{66})${END}`, 'g'), entropy: 2, prefix: lit('SG.'), kind: 'provider' },
  {
    id: 'connection-string',
    title: 'Database or broker connection string with a password',
    regex: /\b((?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|redis|rediss|amqps?):\/\/[^\s:@/'"]+:([^\s@/'"]+)@[^\s'"]+)/gi,
    group: 2,
    entropy: 3,
    kind: 'connection',
  },
  {
    id: 'generic-api-key',
    title: 'Generic API key or secret assignment',
    regex: new RegExp(
      `[\\w.-]{0,50}?(?:access|auth|api|credential|creds|key|passw(?:or)?d|secret|token)(?:[ \\t\\w.-]{0,20})[\\s'"]{0,3}(?:=|>|:{1,3}=|\\|\\||:|=>|\\?=|,)[\\x60'"\\s=]{0,5}([\\w.=-]{10,150}|[a-z0-9][a-z0-9+/]{11,}={0,3})${END}`,
      'gi',
    ),
    entropy: 3.5,
    kind: 'generic',
  },
];

const PLACEHOLDER = /your[_-]?(?:api[_-]?)?(?:key|token|secret)|replace[_-]?(?:me|with)|insert[_-]?(?:key|token)|changeme|placeholder|dummy|redacted|<[^>]+>/i;
const VARIABLE_REF = /\$\{[^}]*\}|\$[A-Z_][A-Z0-9_]*|\{\{[\s\S]*?\}\}|%[A-Z_][A-Z0-9_]*%|process\.env\.|os\.environ/;
const IDENTIFIER_KEYS = /(?:api[_-]?version|public[_-]?key|primary[_-]?key|foreign[_-]?key|key[_-]?id|keyid|key[_-]?name|key[_-]?path|key[_-]?file|token[_-]?type|token[_-]?url|token[_-]?endpoint|auth[_-]?url|auth[_-]?type|secret[_-]?name|access[_-]?type|passwordless|keyboard|keycode|keyof|monkey|turkey)/i;

export interface SecretMatch {
  rule: SecretRule;
  /** Offsets of the secret within the text. */
  start: number;
  end: number;
  secret: string;
  placeholder: boolean;
}

/** After its known prefix: one repeated character, or all x, * or 0. */
function trivialBody(rule: SecretRule, secret: string): boolean {
  const p = rule.prefix?.(secret) ?? '';
  const body = secret.slice(p.length).replace(/[-_.]/g, '');
  if (body.length === 0) return true;
  return /^(.)\1*$/.test(body) || /^[xX*0]+$/.test(body);
}

export function isPlaceholder(rule: SecretRule, secret: string, context: string): boolean {
  if (/example/i.test(secret)) return true;
  if (trivialBody(rule, secret)) return true;
  if (PLACEHOLDER.test(secret)) return true;
  if (VARIABLE_REF.test(secret) || /^\$\{\{\s*secrets\./.test(context)) return true;
  return false;
}

const KEYWORD = /access|auth|api|credential|creds|key|passw(?:or)?d|secret|token/gi;

/**
 * Matches of one rule. The generic rule's lazy prefix makes a whole-file scan quadratic on long
 * lines, so it runs on a window around each keyword occurrence instead; results are identical
 * because the pattern spans at most 50 + keyword + 20 + 8 + 150 characters.
 */
function* ruleMatches(rule: SecretRule, text: string): Generator<RegExpExecArray> {
  if (rule.kind !== 'generic') {
    rule.regex.lastIndex = 0;
    for (let m = rule.regex.exec(text); m; m = rule.regex.exec(text)) {
      if (m[0].length === 0) {
        rule.regex.lastIndex++;
        continue;
      }
      yield m;
    }
    return;
  }
  // Anchor at each keyword: the lazy `[\w.-]{0,50}?` prefix only absorbs the identifier before it.
  const anchored = new RegExp(rule.regex.source.replace(/^\[\\w\.-\]\{0,50\}\?/, ''), 'iy');
  KEYWORD.lastIndex = 0;
  for (let k = KEYWORD.exec(text); k; k = KEYWORD.exec(text)) {
    anchored.lastIndex = k.index;
    const m = anchored.exec(text);
    if (!m) continue;
    let prefixStart = k.index;
    while (prefixStart > 0 && k.index - prefixStart < 50 && /[\w.-]/.test(text[prefixStart - 1] as string)) prefixStart--;
    const full = [text.slice(prefixStart, k.index) + m[0], ...m.slice(1)] as unknown as RegExpExecArray;
    full.index = prefixStart;
    KEYWORD.lastIndex = k.index + m[0].length;
    yield full;
  }
}

/** All matches of the CQ-01 rules in `text`; `providerOnly` for lockfiles and RECORD files. */
export function findSecrets(text: string, options: { providerOnly?: boolean } = {}): SecretMatch[] {
  const out: SecretMatch[] = [];
  const taken: [number, number][] = [];
  for (const rule of SECRET_RULES) {
    if (options.providerOnly && rule.kind === 'generic') continue;
    if (rule.kind === 'private-key' && !text.includes('PRIVATE KEY')) continue;
    for (const m of ruleMatches(rule, text)) {
      const g = rule.group ?? 1;
      const secret = m[g];
      if (!secret) continue;
      const offsetInMatch = g === 0 ? 0 : m[0].indexOf(secret, g === 2 ? m[0].indexOf(':', m[0].indexOf('://') + 3) : 0);
      const start = m.index + Math.max(0, offsetInMatch);
      const end = start + secret.length;
      if (rule.entropy !== undefined && !(shannonEntropy(secret) > rule.entropy)) continue;
      if (rule.kind === 'generic') {
        if (/^[a-zA-Z_.-]+$/.test(secret)) continue;
        const keyPart = m[0].slice(0, m[0].length - secret.length);
        if (IDENTIFIER_KEYS.test(keyPart)) continue;
        // A provider rule already covers this span.
        if (taken.some(([a, b]) => start < b && end > a)) continue;
        // Code, not a literal: `token = getToken(...)`, `key: this.secretKey`.
        if (/^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$/.test(secret) && !/\d/.test(secret)) continue;
      }
      const lineStart = text.lastIndexOf('\n', m.index) + 1;
      const context = text.slice(lineStart, Math.min(text.length, end + 20));
      out.push({ rule, start, end, secret, placeholder: isPlaceholder(rule, secret, context) });
      taken.push([start, end]);
    }
  }
  return out;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export function base62(n: number, width: number): string {
  let s = '';
  let v = n >>> 0;
  while (v > 0) {
    s = BASE62[v % 62] + s;
    v = Math.floor(v / 62);
  }
  return s.padStart(width, '0');
}

/** GitHub classic tokens end in a base62 CRC32 of their 30 random characters. */
export function githubChecksumValid(token: string): boolean {
  const m = /^gh[pousr]_([0-9a-zA-Z]{30})([0-9a-zA-Z]{6})$/.exec(token);
  if (!m) return false;
  return base62(crc32(m[1] as string), 6) === m[2];
}

/** SHA-256 (first 12 hex) of a secret, for correlation without disclosure. */
export function secretDigest(secret: string): string {
  return createHash('sha256').update(secret).digest('hex').slice(0, 12);
}

/** `ghp_a1B2…[REDACTED len=40]`: the literal prefix, at most 4 more characters, the length. */
export function redact(match: SecretMatch): string {
  const { rule, secret } = match;
  if (rule.kind === 'private-key') return `${rule.prefix?.(secret) ?? '-----BEGIN PRIVATE KEY-----'}…[REDACTED len=${secret.length}]`;
  if (rule.kind === 'generic' || rule.kind === 'connection') return `…[REDACTED len=${secret.length}]`;
  const prefix = rule.prefix?.(secret) ?? '';
  const keep = Math.min(4, Math.max(0, secret.length - prefix.length - 8));
  return `${secret.slice(0, prefix.length + keep)}…[REDACTED len=${secret.length}]`;
}

/** Replaces every secret span inside a line with its redacted form. */
export function redactLine(lineText: string, lineStart: number, matches: SecretMatch[]): string {
  let out = lineText;
  const inLine = matches
    .filter((m) => m.start < lineStart + lineText.length && m.end > lineStart)
    .sort((a, b) => b.start - a.start);
  for (const m of inLine) {
    const a = Math.max(0, m.start - lineStart);
    const b = Math.min(lineText.length, m.end - lineStart);
    out = out.slice(0, a) + redact(m) + out.slice(b);
  }
  return out;
}

/** Hashes of publicly known test private keys (SHA-256 of the base64 body, whitespace removed). */
export const KNOWN_TEST_KEYS = new Set<string>([]);

export function privateKeyBodyHash(block: string): string {
  const body = block
    .replace(/-----BEGIN[^-]*-----/, '')
    .replace(/-----END[^-]*-----/, '')
    .split('\n')
    .filter((l) => !/^[A-Za-z-]+:\s/.test(l))
    .join('')
    .replace(/\s+/g, '');
  return createHash('sha256').update(body).digest('hex');
}

export function baseSeverity(match: SecretMatch): Severity {
  if (match.rule.kind === 'private-key') return 'CRITICAL';
  if (/^github-(?:pat|oauth|app|refresh)$/.test(match.rule.id)) return githubChecksumValid(match.secret) ? 'CRITICAL' : 'HIGH';
  if (match.rule.kind === 'generic') return 'MEDIUM';
  return 'HIGH';
}
