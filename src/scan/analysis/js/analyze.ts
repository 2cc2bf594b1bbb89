/**
 * JS/TS analyser: parses a file once with oxc-parser (ESTree/TS-ESTree AST) and extracts the
 * language-neutral `CodeFacts` of §5: module aliases (require, `node:` prefix, destructuring,
 * ESM named/namespace imports, createRequire), folded and decoded constants, calls with
 * resolved callees, single-function tool-input taint, and the tools/prompts/resources and
 * descriptions the code registers at run time.
 */
import { emptyFacts, type CodeFacts, type FunctionFact, type ToolRegistration, type ValueFact } from '../facts.js';
import { DEPENDENCY_ASSIGNMENT, DEPENDENCY_CALL } from '../rules/sinks.js';
import { foldArray, foldExpr, propertyName, unwrap, type FoldScope, type Folded } from './fold.js';

type Node = any;

let oxc: typeof import('oxc-parser') | undefined;

let raw: boolean | undefined;

async function parser(): Promise<typeof import('oxc-parser')> {
  oxc ??= await import('oxc-parser');
  return oxc;
}

/** Raw transfer needs Node 22+ on a 64-bit little-endian platform; elsewhere the JSON path is used. */
function rawTransfer(): boolean {
  raw ??= (() => {
    try {
      return (oxc as any).rawTransferSupported() === true;
    } catch {
      return false;
    }
  })();
  return raw;
}

/**
 * An upper bound on the parser's recursion depth: bracket depth plus the longest run of
 * right-recursive tokens (`?`, `=`, `=>`, prefix operators and keywords) between separators.
 * oxc's native parser overflows the thread stack (SIGSEGV, not an exception) at a few thousand
 * levels, so hostile nesting must be refused before parsing.
 */
export function nestingDepth(text: string): number {
  let depth = 0;
  let run = 0;
  let max = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    // Most characters are none of the tracked ones: one table lookup, no branches below.
    const kind = c < 128 ? NESTING_CLASS[c] : 0;
    if (kind === 0) continue;
    switch (kind) {
      case OPEN:
        depth++;
        run = 0;
        break;
      case CLOSE:
        if (depth > 0) depth--;
        run = 0;
        break;
      case SEPARATOR:
        run = 0;
        break;
      case PREFIX:
        run++;
        break;
      case EQUALS: {
        // = (not ==, <=, >=, !=)
        const prev = text.charCodeAt(i - 1);
        if (text.charCodeAt(i + 1) !== 61 && prev !== 61 && prev !== 60 && prev !== 62 && prev !== 33) run++;
        break;
      }
      default: {
        // The first letter of exactly one prefix keyword (`typeof`, `void`, `await`, `new`, `delete`, `yield`).
        if (isWordCode(text.charCodeAt(i - 1))) break;
        const kw = KEYWORD_BY_LETTER[c] as string;
        if (text.startsWith(kw, i) && !isWordCode(text.charCodeAt(i + kw.length))) {
          run++;
          i += kw.length - 1;
        }
      }
    }
    if (depth + run > max) max = depth + run;
  }
  return max;
}

const OPEN = 1;
const CLOSE = 2;
const SEPARATOR = 3;
const PREFIX = 4;
const EQUALS = 5;
const KEYWORD = 6;
const PREFIX_KEYWORDS = ['typeof', 'void', 'await', 'new', 'delete', 'yield'];
const KEYWORD_BY_LETTER: Record<number, string> = Object.fromEntries(PREFIX_KEYWORDS.map((k) => [k.charCodeAt(0), k]));
const NESTING_CLASS = (() => {
  const t = new Uint8Array(128);
  for (const ch of '([{') t[ch.charCodeAt(0)] = OPEN;
  for (const ch of ')]}') t[ch.charCodeAt(0)] = CLOSE;
  for (const ch of ';,') t[ch.charCodeAt(0)] = SEPARATOR;
  // `?`, `!`, `~` and prefix runs such as `- - - 1`.
  for (const ch of '?!~+-') t[ch.charCodeAt(0)] = PREFIX;
  t[61] = EQUALS;
  for (const k of PREFIX_KEYWORDS) t[k.charCodeAt(0)] = KEYWORD;
  return t;
})();

function isWordCode(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36;
}

/** Above this, a file is not parsed (fail closed); legitimate code stays far below. */
export const MAX_NESTING = 1500;

/** Parse and analyse one JS/TS file. Parse failures are reported in `parseError`, never thrown. */
export async function analyzeJs(path: string, text: string, options: { dependency?: boolean } = {}): Promise<CodeFacts> {
  const { parseSync } = await parser();
  const nesting = nestingDepth(text);
  if (nesting > MAX_NESTING) return { ...emptyFacts('js'), parseError: `nesting depth ${nesting} exceeds ${MAX_NESTING}; not parsed (hostile input guard)` };
  let result;
  try {
    const lang = /\.(?:ts|mts|cts)$/i.test(path) ? 'ts' : /\.tsx$/i.test(path) ? 'tsx' : /\.jsx$/i.test(path) ? 'jsx' : 'js';
    // Raw transfer hands the AST over as a buffer instead of a JSON string: the same ESTree (checked
    // node for node on the reference servers' 2,000 files), without the JSON serialise + parse.
    result = parseSync(path, text, { lang, preserveParens: false, sourceType: 'unambiguous', ...(rawTransfer() ? { experimentalRawTransfer: true } : {}) } as any);
  } catch (err) {
    return { ...emptyFacts('js'), parseError: `parser crashed: ${(err as Error).message}` };
  }
  const fatal = result.errors.filter((e: any) => e.severity === 'Error' || e.severity === undefined);
  if (fatal.length > 0 && (!result.program || result.program.body.length === 0)) {
    return { ...emptyFacts('js'), parseError: fatal.map((e: any) => e.message).join('; ') };
  }
  let facts: CodeFacts;
  try {
    facts = new JsAnalyzer(text, (oxc as any).visitorKeys ?? {}, options.dependency ?? false).run(result.program);
  } catch (err) {
    // Hostile nesting can exhaust the stack: fail closed for this file, never crash the scan.
    return { ...emptyFacts('js'), parseError: `analysis failed: ${(err as Error).message}` };
  }
  if (fatal.length > 0) facts.parseError = fatal.map((e: any) => e.message).join('; ');
  return facts;
}

const DECODER_CALLEES = /^(?:atob|window\.atob|globalThis\.atob|String\.fromCharCode|String\.fromCodePoint|decodeURIComponent|unescape|zlib\.\w+Sync)$/;
const VALIDATORS = /(?:^|\.)(?:parse|safeParse|parseAsync|safeParseAsync|validate|compile|Check|Decode|decode|assert|is)$/;
const PATH_FUNCS = /^(?:path|path\/posix|path\/win32|path\.posix|path\.win32)\.(?:join|resolve|normalize|format|relative|dirname|basename)$|^util\.format$|^String$|^URL$|^new URL$/;
const TAINT_METHODS = new Set(['toString', 'trim', 'toLowerCase', 'toUpperCase', 'replace', 'replaceAll', 'slice', 'substring', 'concat', 'split', 'join', 'normalize', 'parse', 'safeParse', 'parseAsync']);

interface FnContext {
  id: number;
  tainted: Set<string>;
}

class JsAnalyzer implements FoldScope {
  private readonly facts: CodeFacts = emptyFacts('js');
  private readonly aliases = new Map<string, string>();
  private readonly constants = new Map<string, Folded>();
  private readonly constArrays = new Map<string, Folded[]>();
  private readonly declInits = new Map<string, Node>();
  private readonly decoderVars = new Set<string>();
  private readonly handlerNodes = new Set<Node>();
  private readonly handlerNames = new Set<string>();
  private readonly listHandlerNodes = new Set<Node>();
  private readonly pendingHandlers = new Map<Node, ToolRegistration>();
  private readonly chainMap = new Map<Node, string[]>();
  private fnStack: FnContext[] = [];

  constructor(
    private readonly text: string,
    private readonly keys: Record<string, string[]>,
    /** Dependency code: keep only the facts the dependency rules read (see DEPENDENCY_CALL in rules/sinks.ts). */
    private readonly dependency = false,
  ) {}

  /** Child-bearing keys of a node (oxc's visitorKeys; all object keys for unknown types). */
  private childKeys(node: Node): string[] {
    return this.keys[node.type] ?? Object.keys(node);
  }

  run(program: Node): CodeFacts {
    this.collectDeclarations(program);
    this.walking = true;
    this.mayTaint = this.handlerNodes.size > 0 || this.handlerNames.size > 0 || this.text.includes('arguments');
    this.walk(program, false);
    return this.facts;
  }

  // ---- FoldScope ---------------------------------------------------------------------------

  constant(name: string): Folded | undefined {
    return this.constants.get(name);
  }

  constantArray(name: string): Folded[] | undefined {
    return this.constArrays.get(name);
  }

  /** Resolves an expression to an alias-free qualified name: `child_process.exec`, `fs.readFileSync`. */
  resolve(node: Node, depth = 0): string | undefined {
    const n = unwrap(node);
    if (!n || depth > 20) return undefined;
    switch (n.type) {
      case 'Identifier': {
        const a = this.aliases.get(n.name);
        return a ?? n.name;
      }
      case 'ThisExpression':
        return 'this';
      case 'MetaProperty':
        return `${n.meta.name}.${n.property.name}`;
      case 'MemberExpression': {
        const obj = this.resolve(n.object, depth + 1);
        const prop = propertyName(n, this);
        if (obj === undefined || prop === undefined) return undefined;
        const full = `${obj}.${prop}`;
        return full.replace(/^(?:globalThis|global|window|self)\./, '');
      }
      case 'CallExpression': {
        const callee = this.resolve(n.callee, depth + 1);
        if (callee === 'require' || callee === 'module.require' || callee === 'process.mainModule.require') {
          const m = n.arguments[0] && foldExpr(n.arguments[0], this);
          return m && typeof m.value === 'string' ? normaliseModule(m.value) : undefined;
        }
        if (callee === 'module.createRequire' || callee === 'createRequire') return 'require';
        if (callee === 'util.promisify' || callee === 'promisify') return n.arguments[0] ? this.resolve(n.arguments[0], depth + 1) : undefined;
        if (callee && /\.bind$/.test(callee)) return callee.slice(0, -5);
        return undefined;
      }
      case 'ImportExpression': {
        const m = foldExpr(n.source, this);
        return m && typeof m.value === 'string' ? normaliseModule(m.value) : undefined;
      }
      case 'LogicalExpression':
        return this.resolve(n.left, depth + 1);
      default:
        return undefined;
    }
  }

  // ---- pass 1: declarations, aliases, constants, handlers ----------------------------------

  private collectDeclarations(program: Node): void {
    const visit = (node: Node): void => {
      if (!node || typeof node !== 'object') return;
      if (Array.isArray(node)) {
        for (const c of node) visit(c);
        return;
      }
      if (typeof node.type !== 'string') return;
      switch (node.type) {
        case 'ImportDeclaration': {
          const mod = normaliseModule(String(node.source.value));
          for (const s of node.specifiers) {
            if (s.type === 'ImportSpecifier') {
              const imported = s.imported.name ?? s.imported.value;
              this.aliases.set(s.local.name, imported === 'default' ? mod : `${mod}.${imported}`);
            } else this.aliases.set(s.local.name, mod);
          }
          break;
        }
        case 'VariableDeclarator':
          if (node.init) this.bindPattern(node.id, node.init, node);
          break;
        case 'AssignmentExpression':
          if (node.operator === '=' && node.left.type === 'Identifier') this.bindPattern(node.left, node.right, node);
          break;
        case 'FunctionDeclaration':
          if (node.id) this.declInits.set(node.id.name, node);
          break;
        case 'CallExpression':
          this.markHandlers(node);
          break;
      }
      for (const key of this.childKeys(node)) {
        const v = node[key];
        if (v && typeof v === 'object') visit(v);
      }
    };
    visit(program);
  }

  private bindPattern(id: Node, init: Node, _decl: Node): void {
    const value = unwrap(init);
    if (id.type === 'Identifier') {
      this.declInits.set(id.name, value);
      const resolved = this.resolve(value);
      if (resolved && (value.type !== 'Identifier' || this.aliases.has(value.name) || isModuleLike(resolved))) {
        if (value.type === 'CallExpression' || value.type === 'ImportExpression' || value.type === 'MemberExpression' || value.type === 'Identifier') {
          this.aliases.set(id.name, resolved);
        }
      }
      const f = foldExpr(value, this);
      if (f) this.constants.set(id.name, f);
      const arr = foldArray(value, this);
      if (arr) this.constArrays.set(id.name, arr);
      if (this.containsDecoder(value)) this.decoderVars.add(id.name);
      return;
    }
    if (id.type === 'ObjectPattern') {
      const base = this.resolve(value);
      for (const p of id.properties) {
        if (p.type !== 'Property') continue;
        const key = p.computed ? undefined : (p.key.name ?? p.key.value);
        let target = p.value;
        if (target?.type === 'AssignmentPattern') target = target.left;
        if (base && key && target?.type === 'Identifier') this.aliases.set(target.name, `${base}.${key}`);
        else if (base && key && target?.type === 'ObjectPattern') this.bindPattern(target, { type: 'Identifier', name: `__alias_${key}` }, _decl);
      }
    }
  }

  /** Marks the function arguments of tool registrations so pass 2 knows their params are tainted. */
  private markHandlers(call: Node): void {
    const callee = unwrap(call.callee);
    if (callee?.type !== 'MemberExpression') return;
    const method = propertyName(callee, this);
    const args: Node[] = call.arguments;
    const mark = (n: Node | undefined) => {
      const u = unwrap(n);
      if (!u) return;
      if (isFunctionNode(u)) this.handlerNodes.add(u);
      else if (u.type === 'Identifier') this.handlerNames.add(u.name);
    };
    if (method === 'tool' || method === 'registerTool') mark(args[args.length - 1]);
    if (method === 'setRequestHandler' && args.length >= 2) {
      const schema = this.resolve(args[0]) ?? '';
      if (/CallToolRequestSchema$/.test(schema)) mark(args[1]);
      if (/ListToolsRequestSchema$/.test(schema) || /ListPromptsRequestSchema$/.test(schema)) {
        const h = unwrap(args[1]);
        if (h) this.listHandlerNodes.add(h);
      }
    }
  }

  private readonly decoderMemo = new WeakMap<object, boolean>();

  private containsDecoder(node: Node): boolean {
    if (node && typeof node === 'object') {
      const memo = this.decoderMemo.get(node);
      if (memo !== undefined) return memo;
      const r = this.computeContainsDecoder(node);
      // Pass 1 is still adding decoder variables: only memoise once pass 2 runs.
      if (this.fnStack !== undefined && this.walking) this.decoderMemo.set(node, r);
      return r;
    }
    return false;
  }

  private walking = false;

  private computeContainsDecoder(node: Node): boolean {
    let found = false;
    const visit = (n: Node): void => {
      if (found || !n || typeof n !== 'object') return;
      if (Array.isArray(n)) return n.forEach(visit);
      if (n.type === 'CallExpression') {
        const name = this.resolve(n.callee) ?? '';
        if (DECODER_CALLEES.test(name)) found = true;
        if (name === 'Buffer.from' && n.arguments[1]) {
          const enc = foldExpr(n.arguments[1], this);
          if (enc && /^(?:base64|base64url|hex)$/.test(String(enc.value))) found = true;
        }
        const c = unwrap(n.callee);
        if (c?.type === 'MemberExpression' && propertyName(c, this) === 'reverse') found = true;
      }
      if (n.type === 'Identifier' && this.decoderVars.has(n.name)) found = true;
      if (isFunctionNode(n)) return;
      for (const k of this.childKeys(n)) visit(n[k]);
    };
    visit(node);
    return found;
  }

  // ---- pass 2: facts -----------------------------------------------------------------------

  private get fn(): FnContext | undefined {
    return this.fnStack[this.fnStack.length - 1];
  }

  private get fnId(): number {
    return this.fn?.id ?? -1;
  }

  private enterFunction(node: Node): void {
    const name = node.id?.name as string | undefined;
    const isHandler = this.handlerNodes.has(node) || (name !== undefined && this.handlerNames.has(name)) || (this.handlerNames.size > 0 && this.isNamedHandler(node));
    const params: string[] = [];
    for (const p of node.params ?? []) collectNames(p, params);
    const tainted = new Set<string>(isHandler ? params : []);
    const fact: FunctionFact = { name, params, isToolHandler: isHandler, tainted: [], start: node.start, end: node.end };
    this.facts.functions.push(fact);
    const reg = this.pendingHandlers.get(node);
    if (reg) reg.handlerFn = this.facts.functions.length - 1;
    this.fnStack.push({ id: this.facts.functions.length - 1, tainted });
  }

  private isNamedHandler(node: Node): boolean {
    for (const name of this.handlerNames) if (this.declInits.get(name) === node) return true;
    return false;
  }

  private exitFunction(): void {
    const ctx = this.fnStack.pop();
    if (ctx) (this.facts.functions[ctx.id] as FunctionFact).tainted = [...ctx.tainted];
  }

  private mayTaint = true;

  isTainted(node: Node, depth = 0): boolean {
    // No handler and no `params.arguments` in the file: nothing can be tainted.
    if (!this.mayTaint) return false;
    const n = unwrap(node);
    if (!n || depth > 30) return false;
    const ctx = this.fn;
    switch (n.type) {
      case 'Identifier':
        return ctx?.tainted.has(n.name) ?? false;
      case 'MemberExpression': {
        const name = this.resolve(n);
        if (name && /(?:^|\.)params\.arguments(?:\.|$)/.test(name)) return true;
        return this.isTainted(n.object, depth + 1);
      }
      case 'TemplateLiteral':
        return n.expressions.some((e: Node) => this.isTainted(e, depth + 1));
      case 'BinaryExpression':
      case 'LogicalExpression':
        return this.isTainted(n.left, depth + 1) || this.isTainted(n.right, depth + 1);
      case 'ConditionalExpression':
        return this.isTainted(n.consequent, depth + 1) || this.isTainted(n.alternate, depth + 1);
      case 'ArrayExpression':
        return n.elements.some((e: Node) => e && this.isTainted(e.type === 'SpreadElement' ? e.argument : e, depth + 1));
      case 'ObjectExpression':
        return n.properties.some((p: Node) => this.isTainted(p.type === 'SpreadElement' ? p.argument : p.value, depth + 1));
      case 'NewExpression':
      case 'CallExpression': {
        const name = this.resolve(n.callee) ?? '';
        const callee = unwrap(n.callee);
        if (PATH_FUNCS.test(name) || (n.type === 'NewExpression' && name === 'URL')) {
          return n.arguments.some((a: Node) => this.isTainted(a, depth + 1));
        }
        if (callee?.type === 'MemberExpression' && TAINT_METHODS.has(propertyName(callee, this) ?? '')) {
          return this.isTainted(callee.object, depth + 1) || n.arguments.some((a: Node) => this.isTainted(a, depth + 1));
        }
        return false;
      }
      default:
        return false;
    }
  }

  private taintPattern(id: Node, init: Node): void {
    const ctx = this.fn;
    if (!ctx || !init) return;
    if (!this.isTainted(init)) return;
    const names: string[] = [];
    collectNames(id, names);
    for (const n of names) ctx.tainted.add(n);
  }

  valueOf(node: Node): ValueFact {
    const n = unwrap(node) ?? node;
    const f = foldExpr(n, this);
    const v: ValueFact = { start: n.start, end: n.end, kind: kindOf(n) };
    if (f) {
      v.constant = f.value;
      if (f.depth > 0) v.decoded = true;
    }
    if (this.containsDecoder(n)) v.viaDecoder = true;
    if (this.isTainted(n)) v.tainted = true;
    if (n.type === 'Identifier' || n.type === 'MemberExpression') v.ref = this.resolve(n);
    if (n.type === 'CallExpression' || n.type === 'NewExpression') v.call = this.resolve(n.callee);
    if (isFunctionNode(n)) v.isFunction = true;
    if (n.type === 'ObjectExpression') {
      v.props = {};
      for (const p of n.properties) {
        if (p.type === 'SpreadElement') {
          const ref = this.resolve(p.argument);
          if (ref) v.props[`...${ref}`] = { start: p.start, end: p.end, kind: 'spread', ref };
          continue;
        }
        const key = p.computed ? foldExpr(p.key, this)?.value : (p.key.name ?? p.key.value);
        if (key === undefined || key === null) continue;
        v.props[String(key)] = p.value.type === 'ObjectExpression' ? this.valueOf(p.value) : this.shallowValue(p.value);
      }
    }
    if (n.type === 'ArrayExpression') {
      v.elements = n.elements.filter((e: Node) => e && e.type !== 'SpreadElement').map((e: Node) => this.shallowValue(e));
    }
    return v;
  }

  private shallowValue(node: Node): ValueFact {
    const n = unwrap(node) ?? node;
    const f = foldExpr(n, this);
    const v: ValueFact = { start: n.start, end: n.end, kind: kindOf(n) };
    if (f) {
      v.constant = f.value;
      if (f.depth > 0) v.decoded = true;
    }
    if (this.isTainted(n)) v.tainted = true;
    if (n.type === 'Identifier' || n.type === 'MemberExpression') v.ref = this.resolve(n);
    if (n.type === 'CallExpression' || n.type === 'NewExpression') v.call = this.resolve(n.callee);
    if (isFunctionNode(n)) v.isFunction = true;
    if (n.type === 'ArrayExpression') {
      v.elements = n.elements.filter((e: Node) => e && e.type !== 'SpreadElement').map((e: Node) => this.shallowValue(e));
    }
    return v;
  }

  private walk(node: Node, insideFold: boolean): void {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const c of node) this.walk(c, insideFold);
      return;
    }
    if (typeof node.type !== 'string') return;

    let childFold = insideFold;
    switch (node.type) {
      case 'Literal':
        if (typeof node.value === 'string') {
          this.facts.strings.push({ value: node.value, origin: 'literal', depth: 0, start: node.start, end: node.end, fn: this.fnId });
        }
        return;
      case 'TemplateLiteral':
      case 'BinaryExpression':
      case 'CallExpression': {
        if (!insideFold) {
          const f = foldExpr(node, this);
          if (f && typeof f.value === 'string' && !(node.type === 'TemplateLiteral' && node.expressions.length === 0 && f.depth === 0)) {
            this.facts.strings.push({ value: f.value, origin: f.depth > 0 ? 'decoded' : 'folded', depth: f.depth, start: node.start, end: node.end, fn: this.fnId });
            childFold = true;
          } else if (node.type === 'TemplateLiteral') {
            for (const q of node.quasis) {
              const s = q.value.cooked ?? q.value.raw;
              if (s) this.facts.strings.push({ value: s, origin: 'literal', depth: 0, start: q.start, end: q.end, fn: this.fnId });
            }
          }
        }
        if (node.type === 'BinaryExpression' && /^[!=]==?$/.test(node.operator)) {
          const l = nameOf(node.left);
          const r = nameOf(node.right);
          // Comparisons feed CQ-03 only, which never reads dependency code.
          if ((l || r) && !this.dependency) this.facts.comparisons.push({ left: l ?? '', right: r ?? '', op: node.operator, start: node.start, end: node.end, fn: this.fnId });
        }
        break;
      }
      case 'MemberExpression': {
        const name = this.resolve(node);
        if (name && /^(?:process\.env|process\.argv)(?:\.|$)|(?:^|\.)params\.arguments$/.test(name)) {
          this.facts.references.push({ name, start: node.start, end: node.end, fn: this.fnId });
        }
        break;
      }
      case 'SpreadElement': {
        const name = this.resolve(node.argument);
        if (name === 'process.env') this.facts.references.push({ name: 'spread:process.env', start: node.start, end: node.end, fn: this.fnId });
        break;
      }
      case 'ImportDeclaration': {
        const names = node.specifiers.map((s: Node) => s.local.name);
        this.facts.imports.push({ module: normaliseModule(String(node.source.value)), names, start: node.start, end: node.end, fn: this.fnId });
        return;
      }
      case 'VariableDeclarator':
        if (node.init) this.taintPattern(node.id, node.init);
        break;
      case 'AssignmentExpression':
        if (node.operator === '=' || node.operator === '+=') {
          if (node.left.type === 'Identifier') this.taintPattern(node.left, node.right);
          const target = unwrap(node.left);
          if (target?.type === 'MemberExpression') {
            const name = this.resolve(target) ?? propertyName(target, this);
            if (name && this.keepsAssignment(name)) this.facts.assignments.push({ name, value: this.shallowValue(node.right), fn: this.fnId, start: node.start, end: node.end });
          }
        }
        break;
      case 'Property':
        if (node.kind === 'init' && !node.computed && node.value && node.value.type !== 'ObjectPattern') {
          const key = node.key.name ?? node.key.value;
          const vt = unwrap(node.value)?.type;
          if (key !== undefined && vt !== 'FunctionExpression' && vt !== 'ArrowFunctionExpression' && this.keepsAssignment(String(key))) {
            this.facts.assignments.push({ name: String(key), value: this.shallowValue(node.value), fn: this.fnId, start: node.start, end: node.end });
          }
        }
        break;
      case 'NewExpression':
        this.recordCall(node, true);
        break;
    }

    if (node.type === 'CallExpression') {
      this.recordCall(node, false);
      const callee = unwrap(node.callee);
      // An IIFE at module level runs at import time: keep its body at module level.
      if (isFunctionNode(callee) && this.fnStack.length === 0 && !this.handlerNodes.has(callee)) {
        this.walkFunctionBody(callee, childFold);
        this.walk(node.arguments, childFold);
        return;
      }
    }

    if (isFunctionNode(node)) {
      this.enterFunction(node);
      this.walkFunctionBody(node, childFold);
      this.exitFunction();
      return;
    }

    for (const key of this.childKeys(node)) {
      const v = node[key];
      if (v && typeof v === 'object') this.walk(v, childFold);
    }
  }

  private walkFunctionBody(fn: Node, insideFold: boolean): void {
    for (const p of fn.params ?? []) this.walk(p, insideFold);
    this.walk(fn.body, insideFold);
  }

  private keepsAssignment(name: string): boolean {
    return !this.dependency || DEPENDENCY_ASSIGNMENT.test(name);
  }

  private recordCall(node: Node, isNew: boolean): void {
    const calleeNode = unwrap(node.callee);
    const callee = this.resolve(calleeNode) ?? (calleeNode?.type === 'MemberExpression' ? `?.${propertyName(calleeNode, this) ?? '?'}` : '?');
    if (this.dependency) {
      // Chains are linked for every call (`spawn(…).unref()` marks the spawn); the fact itself
      // only when a dependency rule can read it. Registrations are read in server code only.
      const chained = this.chainedMethods(node);
      const name = isNew ? `new ${callee}` : callee;
      if (!DEPENDENCY_CALL.test(name) && !chained.includes('unref')) return;
      const args = (node.arguments as Node[]).map((a) => (a.type === 'SpreadElement' ? { ...this.valueOf(a.argument), kind: 'spread' } : this.valueOf(a)));
      this.facts.calls.push({ callee: name, written: this.text.slice(calleeNode?.start ?? node.start, calleeNode?.end ?? node.start).slice(0, 120), args, kwargs: {}, fn: this.fnId, start: node.start, end: node.end, isNew, chained });
      return;
    }
    const written = this.text.slice(calleeNode?.start ?? node.start, calleeNode?.end ?? node.start).slice(0, 120);
    const args = (node.arguments as Node[]).map((a) => (a.type === 'SpreadElement' ? { ...this.valueOf(a.argument), kind: 'spread' } : this.valueOf(a)));
    this.facts.calls.push({ callee: isNew ? `new ${callee}` : callee, written, args, kwargs: {}, fn: this.fnId, start: node.start, end: node.end, isNew, chained: this.chainedMethods(node) });
    if (!isNew) this.recordRegistration(node, callee);
    if (isNew && /(?:^|\.)(?:McpServer|Server)$/.test(callee)) {
      for (const a of args) {
        const instr = a.props?.instructions;
        if (instr) this.pushDescription('instructions', undefined, instr, node, 'new ' + callee);
      }
    }
  }

  /** Method names called on the result of a call: `spawn(...).unref()` → ['unref']. */
  private chainedMethods(node: Node): string[] {
    const callee = unwrap(node.callee);
    if (callee?.type === 'MemberExpression') {
      const inner = unwrap(callee.object);
      if (inner?.type === 'CallExpression') this.chainMap.set(inner, [propertyName(callee, this) ?? '?', ...(this.chainMap.get(node) ?? [])]);
    }
    return this.chainMap.get(node) ?? [];
  }

  private linkHandler(reg: ToolRegistration, handler: Node): void {
    const h = unwrap(handler);
    if (!h) return;
    if (isFunctionNode(h)) this.pendingHandlers.set(h, reg);
    else if (h.type === 'Identifier') {
      const decl = this.declInits.get(h.name);
      if (decl && isFunctionNode(decl)) this.pendingHandlers.set(decl, reg);
    }
  }

  private pushDescription(kind: ToolRegistration['kind'], name: string | undefined, desc: ValueFact | undefined, node: Node, via: string, extra: Partial<ToolRegistration> = {}): ToolRegistration {
    const reg: ToolRegistration = {
      kind,
      name,
      descriptionSource: 'none',
      validation: 'unknown',
      via,
      start: node.start,
      end: node.end,
      ...extra,
    };
    if (desc) {
      reg.descriptionSpan = { start: desc.start, end: desc.end };
      if (typeof desc.constant === 'string') {
        reg.description = desc.constant;
        reg.descriptionSource = 'constant';
      } else {
        reg.descriptionSource = /^(?:fs\.|fs\/promises\.|fetch|axios|http|https|got|undici|process\.env)/.test(desc.call ?? desc.ref ?? '') ? 'external' : 'dynamic';
      }
    }
    this.facts.registrations.push(reg);
    return reg;
  }

  private recordRegistration(node: Node, _callee: string): void {
    const calleeNode = unwrap(node.callee);
    if (calleeNode?.type !== 'MemberExpression') return;
    const method = propertyName(calleeNode, this);
    const args: Node[] = node.arguments;
    if (!method || args.length === 0) return;
    const nameV = foldExpr(args[0], this);
    const name = typeof nameV?.value === 'string' ? nameV.value : undefined;

    if (method === 'describe' && args.length === 1) {
      this.pushDescription('field', undefined, this.valueOf(args[0]), node, 'describe');
      return;
    }
    if (method === 'tool' || method === 'prompt') {
      if (args.length < 2) return;
      const handler = unwrap(args[args.length - 1]);
      const rest = args.slice(1, -1).map((a) => unwrap(a));
      let desc: Node | undefined;
      if (rest[0] && rest[0].type !== 'ObjectExpression' && !isFunctionNode(rest[0])) {
        const f = foldExpr(rest[0], this);
        if (f && typeof f.value === 'string') desc = rest.shift();
        else if (rest[0].type !== 'Identifier' || rest.length >= 2) desc = rest.shift();
      }
      const schema = rest[0];
      const reg = this.pushDescription(method, name, desc ? this.valueOf(desc) : undefined, node, `.${method}()`);
      // Without a schema the SDK calls the handler with `extra` only: no arguments to validate.
      reg.validation = schema ? this.zodValidation(schema) : 'sdk';
      reg.inputProperties = schema ? this.schemaProperties(schema) : undefined;
      this.linkHandler(reg, handler);
      return;
    }
    if (method === 'registerTool' || method === 'registerPrompt') {
      let cfg = unwrap(args[1]);
      if (cfg?.type === 'Identifier' && this.declInits.get(cfg.name)?.type === 'ObjectExpression') cfg = this.declInits.get(cfg.name);
      const cfgV = cfg ? this.valueOf(cfg) : undefined;
      const reg = this.pushDescription(method === 'registerTool' ? 'tool' : 'prompt', name, cfgV?.props?.description, node, `.${method}()`);
      const schemaNode = cfg?.type === 'ObjectExpression' ? propNode(cfg, method === 'registerTool' ? 'inputSchema' : 'argsSchema') : undefined;
      const handler = unwrap(args[args.length - 1]);
      // Without an inputSchema the SDK passes no arguments, so there is nothing to validate.
      reg.validation = schemaNode ? this.zodValidation(schemaNode) : cfg?.type === 'ObjectExpression' ? 'sdk' : 'unknown';
      reg.inputProperties = schemaNode ? this.schemaProperties(schemaNode) : undefined;
      this.linkHandler(reg, handler);
      return;
    }
    if (method === 'resource' || method === 'registerResource') {
      const meta = args.slice(2).map((a) => unwrap(a)).find((a) => a?.type === 'ObjectExpression');
      const v = meta ? this.valueOf(meta) : undefined;
      this.pushDescription('resource', name, v?.props?.description, node, `.${method}()`);
      return;
    }
    if (method === 'setRequestHandler' && args.length >= 2) {
      const schema = this.resolve(args[0]) ?? '';
      if (/CallToolRequestSchema$/.test(schema)) {
        const handler = unwrap(args[1]);
        const reg = this.pushDescription('tool', undefined, undefined, node, 'setRequestHandler(CallToolRequestSchema)');
        reg.validation = handler && this.bodyValidates(handler) ? 'explicit' : 'none';
        this.linkHandler(reg, args[1]);
      }
      if (/ListToolsRequestSchema$/.test(schema) || /ListPromptsRequestSchema$/.test(schema)) {
        const handler = unwrap(args[1]);
        const kind = /ListTools/.test(schema) ? 'tool' : 'prompt';
        for (const obj of this.literalDefinitions(handler)) {
          const v = this.valueOf(obj);
          const nm = v.props?.name?.constant;
          const reg = this.pushDescription(kind, typeof nm === 'string' ? nm : undefined, v.props?.description, obj, `${kind}s/list literal`);
          reg.validation = 'unknown';
          const inputSchema = propNode(obj, 'inputSchema');
          if (inputSchema) reg.inputProperties = this.jsonSchemaProperties(inputSchema);
        }
      }
    }
  }

  /** Object literals with a constant `name` and a `description`, inside a tools/list handler or the arrays it returns. */
  private literalDefinitions(handler: Node): Node[] {
    const out: Node[] = [];
    const seen = new Set<Node>();
    const visit = (n: Node, depth: number): void => {
      if (!n || typeof n !== 'object' || depth > 40 || seen.has(n)) return;
      seen.add(n);
      if (Array.isArray(n)) return n.forEach((c) => visit(c, depth + 1));
      if (n.type === 'ObjectExpression' && propNode(n, 'name') && propNode(n, 'description')) {
        out.push(n);
        return;
      }
      if (n.type === 'Identifier' && depth > 0) {
        const init = this.declInits.get(n.name);
        if (init && (init.type === 'ArrayExpression' || init.type === 'ObjectExpression')) visit(init, depth + 1);
        return;
      }
      for (const k of this.childKeys(n)) visit(n[k], depth + 1);
    };
    visit(handler, 0);
    return out;
  }

  private zodValidation(schema: Node): ToolRegistration['validation'] {
    const text = this.text.slice(schema.start, schema.end);
    if (/\bz\s*\.\s*(?:any|unknown)\s*\(/.test(text)) return 'partial';
    return 'sdk';
  }

  private schemaProperties(schema: Node): Record<string, { description?: string; constrained?: boolean }> | undefined {
    let obj = unwrap(schema);
    if (obj?.type === 'Identifier') obj = this.declInits.get(obj.name);
    if (obj?.type === 'CallExpression' && unwrap(obj.arguments[0])?.type === 'ObjectExpression') obj = unwrap(obj.arguments[0]);
    if (obj?.type !== 'ObjectExpression') return undefined;
    const out: Record<string, { description?: string; constrained?: boolean }> = {};
    for (const p of obj.properties) {
      if (p.type !== 'Property') continue;
      const key = p.key.name ?? p.key.value;
      if (key === undefined) continue;
      const valueText = this.text.slice(p.value.start, p.value.end);
      const m = /\.describe\(\s*(['"`])([\s\S]*?)\1\s*\)/.exec(valueText);
      const constrained = /\.(?:max|length|regex|url|email|uuid|ip|datetime|startsWith|endsWith|refine|superRefine)\s*\(|\bz\s*\.\s*(?:enum|literal|nativeEnum|number|boolean|union)\b/.test(valueText);
      out[String(key)] = m ? { description: m[2], constrained } : { constrained };
    }
    return out;
  }

  private jsonSchemaProperties(schema: Node): Record<string, { description?: string }> | undefined {
    const s = unwrap(schema);
    if (s?.type !== 'ObjectExpression') return undefined;
    const props = unwrap(propNode(s, 'properties'));
    if (props?.type !== 'ObjectExpression') return undefined;
    const out: Record<string, { description?: string }> = {};
    for (const p of props.properties) {
      if (p.type !== 'Property') continue;
      const key = p.key.name ?? p.key.value;
      const v = unwrap(p.value);
      const d = v?.type === 'ObjectExpression' ? propNode(v, 'description') : undefined;
      const f = d ? foldExpr(d, this) : undefined;
      out[String(key)] = typeof f?.value === 'string' ? { description: f.value } : {};
    }
    return out;
  }

  private bodyValidates(handler: Node): boolean {
    let found = false;
    const visit = (n: Node): void => {
      if (found || !n || typeof n !== 'object') return;
      if (Array.isArray(n)) return n.forEach(visit);
      if (n.type === 'CallExpression') {
        const c = unwrap(n.callee);
        const name = this.resolve(c) ?? (c?.type === 'MemberExpression' ? `.${propertyName(c, this)}` : '');
        if (VALIDATORS.test(name) && !/^JSON\.parse$/.test(name)) found = true;
      }
      for (const k of this.childKeys(n)) visit(n[k]);
    };
    visit(handler);
    return found;
  }
}

function propNode(obj: Node, key: string): Node | undefined {
  for (const p of obj.properties ?? []) {
    if (p.type === 'Property' && !p.computed && (p.key.name ?? p.key.value) === key) return p.value;
  }
  return undefined;
}

export function normaliseModule(m: string): string {
  return m.replace(/^node:/, '');
}

function isModuleLike(name: string): boolean {
  return /^(?:child_process|fs|fs\/promises|net|http|https|vm|os|path|dns|dgram|tls|crypto|zlib|module|require|process|util)(?:\.|$)/.test(name);
}

function isFunctionNode(n: Node): boolean {
  return !!n && (n.type === 'FunctionExpression' || n.type === 'ArrowFunctionExpression' || n.type === 'FunctionDeclaration');
}

function collectNames(p: Node, out: string[]): void {
  if (!p) return;
  switch (p.type) {
    case 'Identifier':
      out.push(p.name);
      break;
    case 'ObjectPattern':
      for (const prop of p.properties) collectNames(prop.type === 'RestElement' ? prop.argument : prop.value, out);
      break;
    case 'ArrayPattern':
      for (const e of p.elements) collectNames(e, out);
      break;
    case 'AssignmentPattern':
      collectNames(p.left, out);
      break;
    case 'RestElement':
      collectNames(p.argument, out);
      break;
    case 'TSParameterProperty':
      collectNames(p.parameter, out);
      break;
  }
}

function nameOf(n: Node): string | undefined {
  const u = unwrap(n);
  if (!u) return undefined;
  if (u.type === 'Identifier') return u.name;
  if (u.type === 'MemberExpression' && !u.computed) return u.property.name;
  return undefined;
}

function kindOf(n: Node): string {
  switch (n.type) {
    case 'Literal':
      return 'literal';
    case 'TemplateLiteral':
      return n.expressions.length === 0 ? 'literal' : 'template';
    case 'CallExpression':
    case 'NewExpression':
      return 'call';
    case 'Identifier':
      return 'identifier';
    case 'MemberExpression':
      return 'member';
    case 'ObjectExpression':
      return 'object';
    case 'ArrayExpression':
      return 'array';
    case 'BinaryExpression':
      return 'binary';
    default:
      return isFunctionNode(n) ? 'function' : 'other';
  }
}
