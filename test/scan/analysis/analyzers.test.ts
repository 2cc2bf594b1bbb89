import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { analyzeJs } from '../../../src/scan/analysis/js/analyze.js';
import { analyzePython } from '../../../src/scan/analysis/python/analyze.js';
import { tokenize } from '../../../src/scan/analysis/python/tokenize.js';

describe('JS/TS analyser', () => {
  it('resolves aliases: destructured, renamed, node: prefix, ESM named/namespace/default, createRequire, promisify', async () => {
    const f = await analyzeJs(
      'a.ts',
      `import * as cp from 'node:child_process';
import { execFile as ef } from 'child_process';
import fsDefault from 'fs';
import { createRequire } from 'node:module';
import { promisify } from 'util';
const { exec: run } = require('node:child_process');
const req = createRequire(import.meta.url);
const cp2 = req('child_process');
const execP = promisify(cp2.exec);
cp.spawn('a'); ef('b'); run('c'); cp2.execSync('d'); execP('e'); fsDefault.readFileSync('f');
const x: number = (cp as any).fork('g');`,
    );
    const callees = f.calls.map((c) => c.callee);
    for (const c of ['child_process.spawn', 'child_process.execFile', 'child_process.exec', 'child_process.execSync', 'fs.readFileSync', 'child_process.fork']) expect(callees).toContain(c);
    expect(f.calls.filter((c) => c.callee === 'child_process.exec')).toHaveLength(2);
  });

  it('folds constants and decodes to depth 3, not beyond', async () => {
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const f = await analyzeJs(
      'a.js',
      `const A = 'web' + 'hook';
const B = \`\${A}.site\`;
const C = ['a', 'b'].join('-');
const D = String.fromCharCode(0x68, 0x69);
const E = 'olleh'.split('').reverse().join('');
const F = atob('${b64(b64(b64('deep')))}');
const G = atob(atob(atob('${b64(b64(b64('deep')))}')));
const H = atob(atob(atob(atob('${b64(b64(b64(b64('too deep'))))}'))));
const I = Buffer.from('6869', 'hex').toString();`,
    );
    const values = f.strings.filter((s) => s.origin !== 'literal').map((s) => s.value);
    expect(values).toEqual(expect.arrayContaining(['webhook', 'webhook.site', 'a-b', 'hi', 'hello', 'deep']));
    expect(values).not.toContain('too deep');
  });

  it('tracks tool-input taint inside handlers only, through templates and path.join', async () => {
    const f = await analyzeJs(
      'a.js',
      `const path = require('path');
server.registerTool('x', { inputSchema: { p: z.string() } }, async ({ p }, extra) => {
  const full = path.join(root, p);
  const msg = \`file \${full}\`;
  use(msg, constant);
});
function other(p) { use(p); }
server.server.setRequestHandler(CallToolRequestSchema, async (request) => {
  const { name, arguments: args } = request.params;
  use(request.params.arguments.q);
});`,
    );
    const uses = f.calls.filter((c) => c.callee === 'use');
    expect(uses.map((u) => u.args[0]?.tainted ?? false)).toEqual([true, false, true]);
    expect(f.registrations.map((r) => [r.kind, r.name ?? null, r.validation])).toEqual([
      ['tool', 'x', 'sdk'],
      ['tool', null, 'none'],
    ]);
  });

  it('extracts registered descriptions: .tool, registerTool, describe, tools/list literals, instructions', async () => {
    const f = await analyzeJs(
      'a.ts',
      `const server = new McpServer({ name: 's' }, { instructions: 'Use wisely.' });
server.tool('add', 'Adds ' + 'numbers', { a: z.number().describe('first') }, async ({ a }) => a);
server.registerTool('echo', { description: \`Echo\`, inputSchema: { t: z.string() } }, async ({ t }) => t);
const TOOLS = [{ name: 'lit', description: 'Literal tool', inputSchema: { type: 'object', properties: { q: { type: 'string', description: 'query' } } } }];
s.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: TOOLS }));
server.tool('dyn', makeDescription(), async () => 1);`,
    );
    const byName = Object.fromEntries(f.registrations.filter((r) => r.name).map((r) => [r.name, r]));
    expect(byName.add?.description).toBe('Adds numbers');
    expect(byName.add?.inputProperties).toEqual({ a: { description: 'first', constrained: true } });
    expect(byName.echo?.description).toBe('Echo');
    expect(byName.lit?.inputProperties).toEqual({ q: { description: 'query' } });
    expect(byName.dyn?.descriptionSource).toBe('dynamic');
    expect(f.registrations.find((r) => r.kind === 'instructions')?.description).toBe('Use wisely.');
  });

  it('reports parse errors instead of throwing', async () => {
    const f = await analyzeJs('a.js', 'function (');
    expect(f.parseError).toBeTruthy();
  });
});

describe('Python tokenizer and analyser', () => {
  it('tokenizes prefixes, triple quotes, f-strings, comments, continuations and indentation', () => {
    const src = "x = rb'\\x00' + Rf\"{a}\" + u'''multi\nline''' # c\nif x \\\n  and y:\n    pass\n";
    const toks = tokenize(src).filter((t) => t.type !== 'NEWLINE');
    expect(toks.filter((t) => t.type === 'STRING').map((t) => t.text)).toEqual(["rb'\\x00'", 'Rf"{a}"', "u'''multi\nline'''"]);
    expect(toks.filter((t) => t.type === 'COMMENT')).toHaveLength(1);
    expect(toks.map((t) => t.type)).toContain('INDENT');
    expect(toks.map((t) => t.type)).toContain('DEDENT');
  });

  it('resolves import aliases and folds %, .format, f-strings, chr joins and [::-1]', () => {
    const f = analyzePython(
      'a.py',
      `import subprocess as sp
from os import system as s
H = 'attacker'
a = 'curl %s.example' % H
b = '{}-{x}'.format('p', x='q')
c = f"{H}.example"
d = ''.join(chr(x) for x in [104, 105])
e = ''.join(map(chr, [111, 107]))
g = 'olleh'[::-1]
sp.run(['ls']); s('id')
`,
    );
    expect(f.calls.map((c) => c.callee)).toEqual(expect.arrayContaining(['subprocess.run', 'os.system']));
    const values = f.strings.filter((x) => x.origin !== 'literal').map((x) => x.value);
    expect(values).toEqual(expect.arrayContaining(['curl attacker.example', 'p-q', 'attacker.example', 'hi', 'ok', 'hello']));
  });

  it('decodes base64, hex, rot13 and zlib constants', () => {
    const z = deflateSync(Buffer.from('zipped')).toString('latin1');
    const esc = [...z].map((c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join('');
    const f = analyzePython(
      'a.py',
      `import base64, codecs, zlib
a = base64.b64decode("${Buffer.from('b64text').toString('base64')}")
b = bytes.fromhex("${Buffer.from('hextext').toString('hex')}")
c = codecs.decode("ebg13grkg", "rot13")
d = zlib.decompress(b"${esc}")
`,
    );
    const decoded = f.strings.filter((x) => x.origin === 'decoded').map((x) => x.value);
    expect(decoded).toEqual(expect.arrayContaining(['b64text', 'hextext', 'rot13text', 'zipped']));
  });

  it('finds decorated tools with docstrings, annotations and taint; low-level call_tool handlers', () => {
    const f = analyzePython(
      'a.py',
      `from mcp.server.fastmcp import FastMCP
mcp = FastMCP("demo", instructions="Be brief.")

@mcp.tool()
async def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b

@mcp.tool(name="raw", description="Raw input")
def raw(data, ctx: Context) -> str:
    cmd = f"echo {data}"
    return cmd

@server.call_tool()
async def handle(name, arguments):
    return arguments
`,
    );
    const regs = f.registrations.map((r) => [r.kind, r.name ?? null, r.description ?? null, r.validation]);
    expect(regs).toEqual([
      ['instructions', null, 'Be brief.', 'unknown'],
      ['tool', 'add', 'Add two numbers.', 'sdk'],
      ['tool', 'raw', 'Raw input', 'partial'],
      ['tool', null, null, 'none'],
    ]);
    expect(f.functions.find((x) => x.name === 'raw')?.tainted).toEqual(expect.arrayContaining(['data', 'cmd']));
  });

  it('reports syntax errors instead of throwing', () => {
    expect(analyzePython('a.py', 'def f(:\n  pass\n').parseError).toBeTruthy();
    expect(analyzePython('a.py', 'x = "unterminated\n').parseError).toMatch(/unterminated/);
  });
  it('terminates on every truncation of a real module (no parser hang or throw)', () => {
    const src = 'import os\nclass A(B, metaclass=M):\n    """doc"""\n    @property\n    def f(self, *a, k=1, **kw) -> dict:\n        return {k: [x for x in a if x], **kw}\nprint(f"{A().f(1):>{w}}", lambda q: q[1:2])\n';
    for (let i = 0; i <= src.length; i++) {
      const f = analyzePython('t.py', src.slice(0, i));
      expect(f.language).toBe('python');
    }
    expect(analyzePython('t.py', src).parseError).toBeUndefined();
  });

  it('deep nesting fails closed instead of crashing', () => {
    const deep = '('.repeat(20000) + '1' + ')'.repeat(20000);
    expect(analyzePython('d.py', deep).parseError).toBeTruthy();
  });
});

describe('hostile nesting guard (oxc overflows the native stack on deep input)', () => {
  const shapes: [string, string][] = [
    ['brackets', `x = ${'['.repeat(20000)}${']'.repeat(20000)};`],
    ['parens', `x = ${'('.repeat(20000)}1${')'.repeat(20000)};`],
    ['unary', `x = ${'!'.repeat(50000)}1;`],
    ['ternary', `x = ${'a?b:'.repeat(50000)}c;`],
    ['arrows', `x = ${'a=>'.repeat(50000)}1;`],
    ['typeof', `x = ${'typeof '.repeat(50000)}1;`],
    ['assignments', `x = ${'a='.repeat(50000)}1;`],
  ];
  for (const [name, text] of shapes) {
    it(`${name}: refused before parsing, reported as a parse error`, async () => {
      const f = await analyzeJs('d.js', text);
      expect(f.parseError).toMatch(/nesting depth/);
    });
  }
  it('ordinary minified code stays far below the limit', async () => {
    const { readFileSync } = await import('node:fs');
    const { createRequire } = await import('node:module');
    const zod = readFileSync(createRequire(import.meta.url).resolve('zod'), 'utf8');
    expect((await analyzeJs('zod.js', zod)).parseError).toBeUndefined();
  });
});
