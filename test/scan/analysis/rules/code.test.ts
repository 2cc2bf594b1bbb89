import { describe, expect, it } from 'vitest';
import { execHits, shellHits } from '../../../../src/scan/analysis/rules/exec.js';
import { staticHits } from '../../../../src/scan/analysis/rules/static.js';
import { verify } from './harness.js';

const CQ03_JS = String.raw`
import path from 'node:path';
import fs from 'node:fs';
import { spawn, execSync } from 'node:child_process';
const server = { tool() {} };
server.tool('read', 'Reads a file', { p: z.string() }, async ({ p }) => {
  const resolved = path.resolve(allowedRoot, p);
  // ruleid: CQ-03/path-prefix-containment
  if (!resolved.startsWith(allowedRoot)) throw new Error('outside');
  const real = fs.realpathSync(resolved);
  // ok: CQ-03/path-prefix-containment
  if (!real.startsWith(allowedRoot + path.sep)) throw new Error('outside');
  return fs.readFileSync(real, 'utf8');
});
server.tool('log', 'git log', { ref: z.string() }, async ({ ref }) => {
  // ruleid: CQ-03/cli-argument-injection
  spawn('git', ['log', ref]);
  // ok: CQ-03/cli-argument-injection
  spawn('git', ['log', '--', ref]);
  // ruleid: CQ-03/cli-argument-injection
  execSync(` + "`kubectl get pods ${ref}`" + String.raw`);
});
server.tool('fetch', 'Fetch', { url: z.string() }, async ({ url }) => {
  // ruleid: CQ-03/ssrf-tool-url
  const r = await fetch(url);
  // ruleid: CQ-03/regex-from-input
  const re = new RegExp(url);
});
// ruleid: CQ-03/tls-verification-disabled
const agent = new https.Agent({ rejectUnauthorized: false });
// ok: CQ-03/tls-verification-disabled
const agent2 = new https.Agent({ rejectUnauthorized: true });
function check(token, expected) {
  // ruleid: CQ-03/timing-unsafe-compare
  return token === expectedToken;
}
// ruleid: CQ-03/insecure-temp
fs.writeFileSync('/tmp/mpak-state.json', '{}');
`;

const CQ03_PY = String.raw`
import requests, tempfile, hashlib, os
from mcp.server.fastmcp import FastMCP
mcp = FastMCP("x")
# ruleid: CQ-03/tls-verification-disabled
requests.get("https://api.example.com", verify=False)
# ok: CQ-03/tls-verification-disabled
requests.get("https://api.example.com", verify=True)
# ruleid: CQ-03/insecure-temp
name = tempfile.mktemp()
@mcp.tool()
def read(path: str) -> str:
    full = os.path.realpath(os.path.join(ROOT, path))
    # ruleid: CQ-03/path-prefix-containment
    if not full.startswith(ROOT_DIR):
        raise ValueError("outside")
    # ok: CQ-03/path-prefix-containment
    if not full.startswith(ROOT_DIR + os.sep):
        raise ValueError("outside")
    return open(full).read()
# ruleid: CQ-03/weak-hash
token_digest = hashlib.md5(token.encode()).hexdigest()
`;

const CQ05_JS = String.raw`
const { exec: run, execSync, spawn } = require('node:child_process');
const vm = require('vm');
server.registerTool('x', { inputSchema: { cmd: z.string() } }, async ({ cmd }) => {
  // ruleid: CQ-05/child-process-exec
  run('ls ' + cmd);
  // ruleid: CQ-05/child-process-exec
  execSync('ls -la');
  // ruleid: CQ-05/spawn-shell
  spawn('ls', [cmd], { shell: true });
  // ruleid: CQ-05/spawn-shell
  spawn('sh', ['-c', cmd]);
  // ok: CQ-05/spawn-shell
  spawn('ls', ['-la', '--', cmd]);
  // ruleid: CQ-05/eval-tainted
  eval(cmd);
  // ruleid: CQ-05/eval-tainted
  vm.runInNewContext(cmd);
  // ruleid: CQ-05/sql-template
  db.query(` + "`SELECT * FROM users WHERE name = '${cmd}'`" + String.raw`);
  // ok: CQ-05/sql-template
  db.query('SELECT * FROM users WHERE name = $1', [cmd]);
  // ruleid: CQ-05/open-url-from-input
  open(cmd);
});
// ruleid: CQ-05/eval-dynamic
eval(someCode);
// ok: CQ-05/eval-dynamic
eval('1 + 1');
// ruleid: CQ-05/new-function
const f = new Function(body);
// ruleid: CQ-05/string-timer
setTimeout('doThing()', 10);
// ok: CQ-05/string-timer
setTimeout(() => doThing(), 10);
// ruleid: CQ-05/dynamic-require
const plugin = require(name);
// ok: CQ-05/dynamic-require
const fs = require('fs');
// ruleid: CQ-05/inner-html
el.innerHTML = html;
`;

const CQ05_PY = String.raw`
import subprocess as sp, os, pickle, yaml, sqlite3
from jinja2 import Environment
from mcp.server.fastmcp import FastMCP
mcp = FastMCP("x")
@mcp.tool()
def run(cmd: str) -> str:
    # ruleid: CQ-05/subprocess-shell
    sp.run(cmd, shell=True)
    # ok: CQ-05/subprocess-shell
    sp.run(["ls", "-la"])
    # ruleid: CQ-05/os-system
    os.system("ls " + cmd)
    # ruleid: CQ-05/eval-tainted
    eval(cmd)
    # ruleid: CQ-05/sql-string-build
    cur.execute(f"SELECT * FROM t WHERE name = '{cmd}'")
    # ok: CQ-05/sql-string-build
    cur.execute("SELECT * FROM t WHERE name = ?", (cmd,))
    return ""
# ruleid: CQ-05/unsafe-deserialization
obj = pickle.loads(blob)
# ruleid: CQ-05/yaml-unsafe-load
cfg = yaml.load(text)
# ok: CQ-05/yaml-unsafe-load
cfg = yaml.load(text, Loader=yaml.SafeLoader)
# ruleid: CQ-05/jinja-autoescape-off
env = Environment(autoescape=False)
# ruleid: CQ-05/eval-dynamic
exec(code_string)
`;

describe('CQ-03 static analysis rules (annotated fixtures)', () => {
  for (const [name, path, text] of [
    ['js', 'server/index.ts', CQ03_JS],
    ['python', 'server/main.py', CQ03_PY],
  ] as const) {
    it(name, async () => {
      const v = await verify(path, text, 'CQ-03', staticHits);
      expect(v.checked).toBeGreaterThan(3);
      expect(v.missed).toEqual([]);
      expect(v.falsePositives).toEqual([]);
    });
  }

  it('unauthenticated listener: HIGH with a spawn route and no token check, MEDIUM otherwise', async () => {
    const { analyseSource } = await import('../../../../src/scan/analysis/bundle.js');
    const risky = "const express = require('express'); const { spawn } = require('child_process'); const app = express(); app.post('/run', (q, r) => spawn(q.body.cmd)); app.listen(3000);";
    expect(staticHits(await analyseSource({ path: 'server/a.js', text: risky })).find((h) => h.rule === 'unauthenticated-listener')?.severity).toBe('HIGH');
    const plain = "const express = require('express'); const app = express(); app.get('/', (q, r) => r.send('ok')); app.listen(3000, '0.0.0.0');";
    expect(staticHits(await analyseSource({ path: 'server/a.js', text: plain })).find((h) => h.rule === 'unauthenticated-listener')?.severity).toBe('MEDIUM');
    const local = "const express = require('express'); const app = express(); app.listen(3000, '127.0.0.1');";
    expect(staticHits(await analyseSource({ path: 'server/a.js', text: local })).filter((h) => h.rule === 'unauthenticated-listener')).toEqual([]);
  });
});

describe('CQ-05 safe execution rules (annotated fixtures)', () => {
  for (const [name, path, text] of [
    ['js', 'server/index.js', CQ05_JS],
    ['python', 'server/main.py', CQ05_PY],
  ] as const) {
    it(name, async () => {
      const v = await verify(path, text, 'CQ-05', execHits);
      expect(v.checked).toBeGreaterThan(5);
      expect(v.missed).toEqual([]);
      expect(v.falsePositives).toEqual([]);
    });
  }

  it('constant exec is MEDIUM, non-constant is HIGH', async () => {
    const { analyseSource } = await import('../../../../src/scan/analysis/bundle.js');
    const hits = execHits(await analyseSource({ path: 'server/a.js', text: "const cp = require('child_process'); cp.exec('ls'); cp.exec(process.argv[2]);" }));
    expect(hits.map((h) => h.severity)).toEqual(['MEDIUM', 'HIGH']);
  });

  it('shell command substitution with variables', () => {
    expect(shellHits('run.sh', 'echo $(cat ${FILE})\n# $(ls $X)\necho `id $USER`\n').map((h) => h.rule)).toEqual(['shell-command-substitution', 'shell-command-substitution']);
    expect(shellHits('run.sh', 'echo "$(date)"\n')).toEqual([]);
  });
});

const CQ03_NEGATIVES = String.raw`
import crypto from 'node:crypto';
import fs from 'node:fs';
server.registerTool('q', { inputSchema: { url: z.string() } }, async ({ url }) => {
  // ok: CQ-03/ssrf-tool-url
  const r = await fetch('https://api.example.com/v1/items');
  // ok: CQ-03/regex-from-input
  const re = new RegExp('^[a-z]+$');
});
// ok: CQ-03/insecure-temp
const dir = fs.mkdtempSync('/tmp/mpak-');
// ok: CQ-03/timing-unsafe-compare
if (token === undefined) throw new Error('missing');
// ok: CQ-03/weak-hash
const etag = crypto.createHash('md5').update(body).digest('hex');
`;

const CQ05_NEGATIVES = String.raw`
const { execFile } = require('node:child_process');
server.registerTool('x', { inputSchema: { cmd: z.string() } }, async ({ cmd }) => {
  // ok: CQ-05/child-process-exec
  execFile('git', ['status', '--', cmd]);
  // ok: CQ-05/eval-tainted
  const n = JSON.parse(cmd);
  // ok: CQ-05/open-url-from-input
  const u = new URL(cmd);
});
// ok: CQ-05/new-function
const f = new Function('return 1');
// ok: CQ-05/inner-html
el.innerHTML = '<b>static</b>';
`;

const CQ05_PY_NEGATIVES = String.raw`
import subprocess, json, yaml
# ok: CQ-05/os-system
subprocess.run(["ls", "-la"], check=True)
# ok: CQ-05/unsafe-deserialization
data = json.loads(blob)
# ok: CQ-05/yaml-unsafe-load
cfg = yaml.safe_load(text)
# ok: CQ-05/eval-dynamic
value = eval("1 + 1")
`;

describe('CQ-03/CQ-05 negatives (benign look-alikes)', () => {
  it('CQ-03', async () => {
    const v = await verify('server/ok.ts', CQ03_NEGATIVES, 'CQ-03', staticHits);
    expect(v.checked).toBeGreaterThan(4);
    expect(v.falsePositives).toEqual([]);
  });
  it('CQ-05 js', async () => {
    const v = await verify('server/ok.js', CQ05_NEGATIVES, 'CQ-05', execHits);
    expect(v.checked).toBeGreaterThan(4);
    expect(v.falsePositives).toEqual([]);
  });
  it('CQ-05 python', async () => {
    const v = await verify('server/ok.py', CQ05_PY_NEGATIVES, 'CQ-05', execHits);
    expect(v.checked).toBe(4);
    expect(v.falsePositives).toEqual([]);
  });
});
