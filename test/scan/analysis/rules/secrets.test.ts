import { randomBytes, randomInt } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { analyseSource } from '../../../../src/scan/analysis/bundle.js';
import { base62, findSecrets, githubChecksumValid } from '../../../../src/scan/analysis/rules/secrets.js';
import { secretHits } from '../../../../src/scan/controls/cq-01.js';

// Fake secrets are generated here, at test time, from each rule's shape; none is committed.
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const rand = (n: number, alphabet = ALNUM) => Array.from({ length: n }, () => alphabet[randomInt(alphabet.length)]).join('');
const upper = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function githubToken(prefix: string): string {
  const body = rand(30);
  return `${prefix}_${body}${base62(crc32(body), 6)}`;
}

const GENERATORS: Record<string, () => string> = {
  'aws-access-token': () => `AKIA${rand(16, upper)}`,
  'github-pat': () => githubToken('ghp'),
  'github-oauth': () => githubToken('gho'),
  'github-app': () => githubToken('ghs'),
  'github-refresh': () => githubToken('ghr'),
  'github-fine-grained-pat': () => `github_pat_${rand(82)}`,
  'gitlab-pat': () => `glpat-${rand(20)}`,
  'slack-bot': () => `xoxb-${rand(11, '0123456789')}-${rand(12, '0123456789')}-${rand(24)}`,
  'stripe-access-token': () => `sk_live_${rand(24)}`,
  'anthropic-api-key': () => `sk-ant-api03-${rand(93)}AA`,
  'gcp-api-key': () => `AIza${rand(35)}`,
  'npm-access-token': () => `npm_${rand(36, 'abcdefghijklmnopqrstuvwxyz0123456789')}`,
  'huggingface-access-token': () => `hf_${rand(34, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ')}`,
  'sendgrid-api-token': () => `SG.${rand(66)}`,
  'connection-string': () => `postgres://app:${rand(16)}@db.internal.example:5432/app`,
  // Secrets made only of letters are dropped by the rule (identifier-like), so include digits.
  'generic-api-key': () => `${rand(28)}${randomInt(1000, 10000)}`,
};

function renderings(secret: string, rule: string): { path: string; text: string }[] {
  const name = rule === 'generic-api-key' ? 'api_secret' : 'TOKEN_VALUE';
  return [
    { path: 'config.json', text: `{\n  "${name}": "${secret}"\n}\n` },
    { path: 'config.yaml', text: `service:\n  ${name}: "${secret}"\n` },
    { path: '.env', text: `${name.toUpperCase()}=${secret}\n` },
    { path: 'server/a.js', text: `const ${name} = "${secret}";\n` },
    { path: 'server/a.py', text: `${name} = "${secret}"\n` },
    { path: 'scripts/run.sh', text: `export ${name.toUpperCase()}="${secret}"\n` },
    { path: 'README.md', text: '```\n' + `${name}: ${secret}\n` + '```\n' },
  ];
}

describe('CQ-01 secret rules: generated positives in every rendering', () => {
  for (const [rule, gen] of Object.entries(GENERATORS)) {
    it(`${rule} fires and is redacted`, async () => {
      const value = gen();
      // The part never allowed out: everything after the literal prefix and 4 more characters.
      const secret = rule === 'connection-string' ? /:([^:@/]+)@/.exec(value)![1]! : value;
      const hidden = secret.slice(rule === 'connection-string' || rule === 'generic-api-key' ? 0 : -Math.min(20, secret.length - 8));
      for (const { path, text } of renderings(value, rule)) {
        const file = await analyseSource({ path, text });
        const { hits } = secretHits(file);
        const hit = hits.find((h) => h.rule === rule);
        expect(hit, `${rule} in ${path}: ${JSON.stringify(hits.map((h) => h.rule))}`).toBeDefined();
        expect(JSON.stringify(hits)).not.toContain(hidden);
        expect(hit!.excerpt).toMatch(/\[REDACTED len=\d+\]/);
      }
    });
  }

  it('a GitHub token with a valid CRC32 is CRITICAL, a bad checksum is HIGH', async () => {
    const good = githubToken('ghp');
    expect(githubChecksumValid(good)).toBe(true);
    const bad = good.slice(0, -1) + (good.endsWith('A') ? 'B' : 'A');
    const sev = async (t: string) => secretHits(await analyseSource({ path: 'server/a.js', text: `const t = "${t}";\n` })).hits[0]?.severity;
    expect(await sev(good)).toBe('CRITICAL');
    expect(await sev(bad)).toBe('HIGH');
  });

  it('a private key is CRITICAL in server code and keeps HIGH in dependencies; header alone does not match', async () => {
    const body = randomBytes(600).toString('base64').replace(/(.{64})/g, '$1\n');
    const pem = `-----BEGIN RSA PRIVATE KEY-----\n${body}\n-----END RSA PRIVATE KEY-----\n`;
    const hits = secretHits(await analyseSource({ path: 'server/key.pem', text: pem })).hits;
    expect(hits.map((h) => [h.rule, h.severity, h.dependencyCap])).toEqual([['private-key', 'CRITICAL', 'HIGH']]);
    expect(hits[0]!.excerpt).toMatch(/^-----BEGIN RSA PRIVATE KEY-----…\[REDACTED len=\d+\]$/);
    expect(findSecrets('-----BEGIN PRIVATE KEY-----\n')).toEqual([]);
  });

  it('decoded payloads are re-scanned and keep the encoded literal location', async () => {
    const token = GENERATORS['aws-access-token']!();
    const text = `\nconst k = atob("${Buffer.from(token).toString('base64')}");\n`;
    const hits = secretHits(await analyseSource({ path: 'server/d.js', text })).hits;
    expect(hits.find((h) => h.rule === 'aws-access-token')?.excerpt).toMatch(/^\[decoded\] AKIA/);
    expect(JSON.stringify(hits)).not.toContain(token.slice(4));
  });

  it('.env.example matches are MEDIUM', async () => {
    const hits = secretHits(await analyseSource({ path: '.env.example', text: `STRIPE=${GENERATORS['stripe-access-token']!()}\n` })).hits;
    expect(hits.map((h) => h.severity)).toEqual(['MEDIUM']);
  });
});

describe('CQ-01 negatives (must not fire)', () => {
  const negatives: [string, string][] = [
    ['server/a.js', 'const id = "AKIAIOSFODNN7EXAMPLE";'],
    ['server/a.js', 'const k = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";'],
    ['server/a.js', `const t = "ghp_${'x'.repeat(36)}";`],
    ['server/a.js', 'const apiKey = "YOUR_API_KEY";'],
    ['.env.example', 'OPENAI_API_KEY=your-api-key-here\nTOKEN=<token>\n'],
    ['server/a.js', '-----BEGIN PRIVATE KEY-----'],
    ['server/a.py', 'api_version = "2024-01-01"'],
    ['server/a.js', 'const token = process.env.GITHUB_TOKEN;'],
    ['config.yaml', 'password: ${DB_PASSWORD}\ntoken: "{{ secrets.TOKEN }}"\n'],
    ['server/a.js', 'const publicKey = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE";'],
    ['server/a.js', 'headers: { authorization: `Bearer ${token}` }'],
  ];
  for (const [path, text] of negatives) {
    it(`${path}: ${text.slice(0, 50)}`, async () => {
      expect(secretHits(await analyseSource({ path, text })).hits.map((h) => h.rule)).toEqual([]);
    });
  }
});
