/**
 * Python analyser: tokenizer + small tree → the language-neutral `CodeFacts`. Resolves
 * `import x as y` / `from x import a as b` aliases, folds `%`, `.format`, f-strings, `chr()`
 * joins and `[::-1]` reversals, decodes base64/hex/rot13/zlib constants (depth 3), tracks
 * tool-input taint inside `@…tool()` handlers, and extracts the tools, prompts, resources and
 * descriptions the code registers.
 */
import { bytesToText, decodeBase64, decodeHex, MAX_DECODE_DEPTH, rot13, zlibDecompress } from '../decode.js';
import { emptyFacts, type CodeFacts, type FunctionFact, type ToolRegistration, type ValueFact } from '../facts.js';
import { parsePython, type PyExpr, type PyStmt } from './parse.js';
import { PythonSyntaxError, stringParts, tokenize, unescapePython } from './tokenize.js';

type Scalar = string | number | boolean | null;
interface Folded {
  value: Scalar;
  depth: number;
}

const DECODERS = /^(?:base64\.(?:b64decode|urlsafe_b64decode|standard_b64decode|b32decode|b16decode|a85decode|b85decode|decodebytes)|bytes\.fromhex|binascii\.(?:unhexlify|a2b_hex|a2b_base64)|codecs\.decode|zlib\.decompress|gzip\.decompress|bz2\.decompress|lzma\.decompress|marshal\.loads|chr)$/;
const VALIDATORS = /(?:model_validate|model_validate_json|parse_obj|parse_raw|validate_python|validate_json|jsonschema\.validate|Draft\d+Validator|validate)$/;
const PATH_FUNCS = /^(?:os\.path\.(?:join|abspath|normpath|realpath|expanduser)|pathlib\.Path|Path|str|os\.fspath|urllib\.parse\.urljoin|shlex\.join)$/;

export function analyzePython(_path: string, text: string): CodeFacts {
  let module;
  try {
    module = parsePython(text);
  } catch (err) {
    const e = err as PythonSyntaxError;
    const where = typeof e.offset === 'number' ? ` at offset ${e.offset}` : '';
    return { ...emptyFacts('python'), parseError: `${e.message}${where}` };
  }
  try {
    return new PyAnalyzer(text).run(module.body);
  } catch (err) {
    return { ...emptyFacts('python'), parseError: `analysis failed: ${(err as Error).message}` };
  }
}

interface FnCtx {
  id: number;
  tainted: Set<string>;
}

class PyAnalyzer {
  private readonly facts = emptyFacts('python');
  private readonly aliases = new Map<string, string>();
  private readonly constants = new Map<string, Folded>();
  private readonly constLists = new Map<string, Folded[]>();
  private readonly decoderVars = new Set<string>();
  private readonly fnStack: FnCtx[] = [];

  constructor(private readonly text: string) {}

  run(body: PyStmt[]): CodeFacts {
    this.collect(body);
    this.walkBody(body);
    return this.facts;
  }

  private get fnId(): number {
    return this.fnStack[this.fnStack.length - 1]?.id ?? -1;
  }

  // ---- pass 1: aliases and constants (module-wide, in order) --------------------------------

  private collect(body: PyStmt[]): void {
    for (const s of body) {
      if (s.t === 'import') {
        for (const n of s.names) {
          if (n.asname) this.aliases.set(n.asname, n.module);
          else this.aliases.set(n.module.split('.')[0] as string, n.module.split('.')[0] as string);
        }
      } else if (s.t === 'from') {
        for (const n of s.names) if (n.name !== '*') this.aliases.set(n.asname ?? n.name, s.module ? `${s.module}.${n.name}` : n.name);
      } else if (s.t === 'assign' && s.op === '=') {
        for (const target of s.targets) {
          if (target.t !== 'name') continue;
          const resolved = this.resolveCallable(s.value);
          if (resolved) this.aliases.set(target.id, resolved);
          const f = this.fold(s.value);
          if (f) this.constants.set(target.id, f);
          const list = this.foldList(s.value);
          if (list) this.constLists.set(target.id, list);
          if (this.containsDecoder(s.value)) this.decoderVars.add(target.id);
        }
      } else if (s.t === 'def' || s.t === 'class') {
        this.collect(s.body);
      } else if (s.t === 'expr' && s.body) {
        this.collect(s.body);
      }
    }
  }

  /** An assignment value that is a module or function reference (`run = subprocess.run`, `m = __import__('os')`). */
  private resolveCallable(e: PyExpr): string | undefined {
    if (e.t === 'name' && this.aliases.has(e.id)) return this.aliases.get(e.id);
    if (e.t === 'attr') {
      const r = this.resolve(e);
      if (r && this.aliases.has(r.split('.')[0] as string)) return r;
      const root = rootName(e);
      if (root && this.aliases.has(root)) return r;
    }
    if (e.t === 'call') {
      const f = this.resolve(e.func);
      if ((f === '__import__' || f === 'importlib.import_module') && e.args[0]) {
        const m = this.fold(e.args[0]);
        if (m && typeof m.value === 'string') return m.value;
      }
      if (f === 'getattr' && e.args[0] && e.args[1]) {
        const base = this.resolve(e.args[0]);
        const attr = this.fold(e.args[1]);
        if (base && attr && typeof attr.value === 'string') return `${base}.${attr.value}`;
      }
    }
    return undefined;
  }

  resolve(e: PyExpr): string | undefined {
    switch (e.t) {
      case 'name':
        return this.aliases.get(e.id) ?? e.id;
      case 'attr': {
        const base = this.resolve(e.obj);
        return base === undefined ? undefined : `${base}.${e.attr}`;
      }
      case 'call': {
        const f = this.resolveCallable(e);
        if (f) return f;
        const callee = this.resolve(e.func);
        // `@mcp.tool()` resolves to the decorator's callee.
        return callee === undefined ? undefined : `${callee}()`;
      }
      default:
        return undefined;
    }
  }

  // ---- folding --------------------------------------------------------------------------------

  fold(e: PyExpr, budget = { n: 2000 }): Folded | undefined {
    if (--budget.n < 0) return undefined;
    switch (e.t) {
      case 'str':
        return this.foldString(e, budget);
      case 'num':
        return { value: e.value, depth: 0 };
      case 'const':
        return { value: e.value, depth: 0 };
      case 'name':
        return this.constants.get(e.id);
      case 'bin': {
        if (e.op !== '+' && e.op !== '%' && e.op !== '*' && e.op !== '^' && e.op !== '-') return undefined;
        const l = this.fold(e.left, budget);
        if (!l) return undefined;
        const depth = l.depth;
        if (e.op === '%' && typeof l.value === 'string') {
          const args = e.right.t === 'tuple' ? e.right.items.map((i) => this.fold(i, budget)) : [this.fold(e.right, budget)];
          if (args.some((a) => !a)) return undefined;
          let k = 0;
          const out = l.value.replace(/%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?([sdirxXfc%])/g, (m, conv) => {
            if (conv === '%') return '%';
            const a = args[k++];
            return a ? (conv === 'c' && typeof a.value === 'number' ? String.fromCharCode(a.value) : String(a.value)) : m;
          });
          return { value: out, depth };
        }
        const r = this.fold(e.right, budget);
        if (!r) return undefined;
        const a = l.value as any;
        const b = r.value as any;
        if (e.op === '+') return { value: typeof a === 'string' || typeof b === 'string' ? String(a) + String(b) : a + b, depth: Math.max(depth, r.depth) };
        if (e.op === '*' && typeof a === 'string' && typeof b === 'number' && b < 10000) return { value: a.repeat(Math.max(0, b)), depth };
        if (typeof a === 'number' && typeof b === 'number') return { value: e.op === '^' ? a ^ b : e.op === '-' ? a - b : a * b, depth };
        return undefined;
      }
      case 'sub': {
        if (!e.slice) return undefined;
        const base = this.fold(e.obj, budget);
        if (!base || typeof base.value !== 'string') return undefined;
        return { value: [...base.value].reverse().join(''), depth: base.depth + 1 };
      }
      case 'call':
        return this.foldCall(e, budget);
      default:
        return undefined;
    }
  }

  private foldString(e: PyExpr & { t: 'str' }, budget: { n: number }): Folded | undefined {
    let out = '';
    for (const tok of e.tokens) {
      const p = stringParts(tok);
      if (!p.fstring) {
        out += p.raw ? p.body : unescapePython(p.body, p.bytes);
        continue;
      }
      const v = this.foldFString(p.body, p.raw, p.bodyStart, budget);
      if (v === undefined) return undefined;
      out += v;
    }
    return { value: out, depth: 0 };
  }

  /** The text of an f-string when every replacement field folds to a constant. */
  private foldFString(body: string, raw: boolean, _offset: number, budget: { n: number }): string | undefined {
    let out = '';
    let i = 0;
    while (i < body.length) {
      const c = body[i];
      if (c === '{' && body[i + 1] === '{') {
        out += '{';
        i += 2;
        continue;
      }
      if (c === '}' && body[i + 1] === '}') {
        out += '}';
        i += 2;
        continue;
      }
      if (c === '{') {
        let depth = 1;
        let j = i + 1;
        while (j < body.length && depth > 0) {
          if (body[j] === '{') depth++;
          else if (body[j] === '}') depth--;
          if (depth > 0) j++;
        }
        const field = body.slice(i + 1, j).replace(/(?:![rsa])?(?::[^{}]*)?$/, '').replace(/=$/, '');
        const e = parseFieldExpr(field);
        const v = e ? this.fold(e, budget) : undefined;
        if (!v) return undefined;
        out += String(v.value);
        i = j + 1;
        continue;
      }
      let k = i;
      while (k < body.length && body[k] !== '{' && body[k] !== '}') k++;
      if (k === i) k++;
      const chunk = body.slice(i, k);
      out += raw ? chunk : unescapePython(chunk, false);
      i = k;
    }
    return out;
  }

  foldList(e: PyExpr, budget = { n: 2000 }): Folded[] | undefined {
    if (e.t === 'list' || e.t === 'tuple') {
      const out: Folded[] = [];
      for (const item of e.items) {
        const f = this.fold(item, budget);
        if (!f) return undefined;
        out.push(f);
      }
      return out;
    }
    if (e.t === 'name') return this.constLists.get(e.id);
    if (e.t === 'comp') {
      // `chr(x) for x in [..]` and `chr(x ^ k) for x in data`
      const iter = this.foldList(e.iter, budget) ?? stringChars(this.fold(e.iter, budget));
      if (!iter || e.target.t !== 'name') return undefined;
      const name = e.target.id;
      const saved = this.constants.get(name);
      const out: Folded[] = [];
      try {
        for (const item of iter) {
          this.constants.set(name, item);
          const f = this.fold(e.elt, budget);
          if (!f) return undefined;
          out.push(f);
        }
      } finally {
        if (saved) this.constants.set(name, saved);
        else this.constants.delete(name);
      }
      return out;
    }
    if (e.t === 'call') {
      const f = this.resolve(e.func);
      if (f === 'map' && e.args.length === 2) {
        const fn = this.resolve(e.args[0] as PyExpr);
        const items = this.foldList(e.args[1] as PyExpr, budget);
        if (!items) return undefined;
        if (fn === 'chr') return items.map((i) => ({ value: typeof i.value === 'number' ? String.fromCharCode(i.value) : '', depth: i.depth + 1 }));
        if (fn === 'str') return items.map((i) => ({ value: String(i.value), depth: i.depth }));
        return undefined;
      }
      if ((f === 'reversed' || f === 'list') && e.args[0]) {
        const items = this.foldList(e.args[0], budget) ?? stringChars(this.fold(e.args[0], budget));
        return items && f === 'reversed' ? [...items].reverse().map((i) => ({ ...i, depth: i.depth + 1 })) : items;
      }
      if (e.func.t === 'attr' && e.func.attr === 'split') {
        const base = this.fold(e.func.obj, budget);
        const sep = e.args[0] ? this.fold(e.args[0], budget) : undefined;
        if (!base || typeof base.value !== 'string') return undefined;
        const parts = sep && typeof sep.value === 'string' ? base.value.split(sep.value) : base.value.trim().split(/\s+/);
        return parts.map((v) => ({ value: v, depth: base.depth }));
      }
    }
    return undefined;
  }

  private foldCall(e: PyExpr & { t: 'call' }, budget: { n: number }): Folded | undefined {
    const f = this.resolve(e.func);
    const arg = (i: number) => (e.args[i] ? this.fold(e.args[i] as PyExpr, budget) : undefined);
    const kw = (name: string) => {
      const k = e.kwargs.find((x) => x.name === name);
      return k ? this.fold(k.value, budget) : undefined;
    };
    const decodedOf = (s: string | undefined, depth: number): Folded | undefined =>
      s === undefined || depth > MAX_DECODE_DEPTH ? undefined : { value: bytesToText(s), depth };
    if (f === 'chr' || f === 'unichr') {
      const a = arg(0);
      if (!a || typeof a.value !== 'number') return undefined;
      try {
        return { value: String.fromCodePoint(a.value), depth: a.depth + 1 };
      } catch {
        return undefined;
      }
    }
    if (f && /^base64\.(?:b64decode|urlsafe_b64decode|standard_b64decode|decodebytes)$|^binascii\.a2b_base64$/.test(f)) {
      const a = arg(0);
      if (!a || typeof a.value !== 'string') return undefined;
      return decodedOf(decodeBase64(a.value), a.depth + 1);
    }
    if (f === 'bytes.fromhex' || f === 'binascii.unhexlify' || f === 'binascii.a2b_hex' || f === 'base64.b16decode') {
      const a = arg(0);
      if (!a || typeof a.value !== 'string') return undefined;
      return decodedOf(decodeHex(a.value), a.depth + 1);
    }
    if (f === 'codecs.decode' || f === 'codecs.encode') {
      const a = arg(0);
      const enc = arg(1) ?? kw('encoding');
      if (!a || typeof a.value !== 'string' || !enc || typeof enc.value !== 'string') return undefined;
      const encName = enc.value.toLowerCase().replace(/[-_]/g, '');
      if (encName === 'rot13') return { value: rot13(a.value), depth: a.depth + 1 };
      if (encName === 'hex' || encName === 'hexcodec') return decodedOf(decodeHex(a.value), a.depth + 1);
      if (encName === 'base64' || encName === 'base64codec') return decodedOf(decodeBase64(a.value), a.depth + 1);
      if (encName === 'zlib' || encName === 'zlibcodec') return decodedOf(zlibDecompress(a.value), a.depth + 1);
      return undefined;
    }
    if (f && /^(?:zlib|gzip)\.decompress$/.test(f)) {
      const a = arg(0);
      if (!a || typeof a.value !== 'string') return undefined;
      return decodedOf(zlibDecompress(a.value), a.depth + 1);
    }
    if (f === 'str' || f === 'bytes' || f === 'bytearray') {
      const a = arg(0);
      return a && typeof a.value === 'string' ? a : undefined;
    }
    if (e.func.t === 'attr') {
      const method = e.func.attr;
      if (method === 'join') {
        const sep = this.fold(e.func.obj, budget);
        const items = e.args[0] ? this.foldList(e.args[0], budget) ?? stringChars(this.fold(e.args[0], budget)) : undefined;
        if (!sep || typeof sep.value !== 'string' || !items) return undefined;
        return { value: items.map((i) => String(i.value)).join(sep.value), depth: items.reduce((m, i) => Math.max(m, i.depth), 0) };
      }
      const base = this.fold(e.func.obj, budget);
      if (!base || typeof base.value !== 'string') return undefined;
      switch (method) {
        case 'decode':
        case 'encode':
          return base;
        case 'format': {
          let k = 0;
          const out = base.value.replace(/\{\{|\}\}|\{([^{}!:]*)(?:![rsa])?(?::[^{}]*)?\}/g, (m, key: string | undefined) => {
            if (m === '{{') return '{';
            if (m === '}}') return '}';
            const v = key === '' || key === undefined ? arg(k++) : /^\d+$/.test(key) ? arg(Number(key)) : kw(key);
            return v ? String(v.value) : '\u0000';
          });
          return out.includes('\u0000') ? undefined : { value: out, depth: base.depth };
        }
        case 'replace': {
          const a = arg(0);
          const b = arg(1);
          if (!a || !b || typeof a.value !== 'string' || typeof b.value !== 'string') return undefined;
          return { value: base.value.split(a.value).join(b.value), depth: base.depth };
        }
        case 'strip':
        case 'lower':
        case 'upper':
          return { value: method === 'strip' ? base.value.trim() : method === 'lower' ? base.value.toLowerCase() : base.value.toUpperCase(), depth: base.depth };
        default:
          return undefined;
      }
    }
    return undefined;
  }

  private containsDecoder(e: PyExpr): boolean {
    let found = false;
    visitExpr(e, (x) => {
      if (x.t === 'call') {
        const f = this.resolve(x.func) ?? '';
        if (DECODERS.test(f) || (f === 'reversed')) found = true;
      }
      if (x.t === 'sub' && x.slice) found = true;
      if (x.t === 'name' && this.decoderVars.has(x.id)) found = true;
    });
    return found;
  }

  // ---- taint ----------------------------------------------------------------------------------

  private isTainted(e: PyExpr): boolean {
    const ctx = this.fnStack[this.fnStack.length - 1];
    if (!ctx) return false;
    let hit = false;
    const check = (x: PyExpr): void => {
      if (hit) return;
      switch (x.t) {
        case 'name':
          if (ctx.tainted.has(x.id)) hit = true;
          return;
        case 'attr':
        case 'sub':
          return check(x.obj);
        case 'bin':
          check(x.left);
          check(x.right);
          return;
        case 'str':
          for (const tok of x.tokens) {
            const p = stringParts(tok);
            if (!p.fstring) continue;
            for (const m of p.body.matchAll(/\{([^{}]+)\}/g)) {
              const fe = parseFieldExpr((m[1] as string).replace(/(?:![rsa])?(?::[^{}]*)?$/, ''));
              if (fe) check(fe);
            }
          }
          return;
        case 'call': {
          const f = this.resolve(x.func) ?? '';
          if (PATH_FUNCS.test(f) || /\.format$/.test(f) || (x.func.t === 'attr' && /^(?:format|strip|lower|upper|replace|join|get|split)$/.test(x.func.attr))) {
            if (x.func.t === 'attr') check(x.func.obj);
            x.args.forEach(check);
            x.kwargs.forEach((k) => check(k.value));
          }
          return;
        }
        case 'list':
        case 'tuple':
        case 'set':
          x.items.forEach(check);
          return;
        case 'ifexp':
          check(x.body);
          check(x.orelse);
          return;
        case 'star':
          return check(x.arg);
        default:
          return;
      }
    };
    check(e);
    return hit;
  }

  // ---- pass 2: facts --------------------------------------------------------------------------

  private value(e: PyExpr): ValueFact {
    const f = this.fold(e);
    const v: ValueFact = { start: e.start, end: e.end, kind: kindOf(e) };
    if (f) {
      v.constant = f.value;
      if (f.depth > 0) v.decoded = true;
    }
    if (this.containsDecoder(e)) v.viaDecoder = true;
    if (this.isTainted(e)) v.tainted = true;
    if (e.t === 'name' || e.t === 'attr') v.ref = this.resolve(e);
    if (e.t === 'call') v.call = this.resolve(e.func);
    if (e.t === 'lambda') v.isFunction = true;
    if (e.t === 'dict') {
      v.props = {};
      e.keys.forEach((k, i) => {
        const key = k ? this.fold(k) : undefined;
        if (key && typeof key.value === 'string') v.props![key.value] = this.value(e.values[i] as PyExpr);
      });
    }
    if (e.t === 'list' || e.t === 'tuple') v.elements = e.items.map((i) => this.value(i));
    return v;
  }

  private walkBody(body: PyStmt[]): void {
    for (const s of body) this.walkStmt(s);
  }

  private walkStmt(s: PyStmt): void {
    switch (s.t) {
      case 'import':
        for (const n of s.names) this.facts.imports.push({ module: n.module, names: [n.asname ?? n.module], start: s.start, end: s.end, fn: this.fnId });
        return;
      case 'from':
        this.facts.imports.push({ module: s.module, names: s.names.map((n) => n.asname ?? n.name), start: s.start, end: s.end, fn: this.fnId });
        return;
      case 'assign': {
        this.walkExpr(s.value, false);
        const tainted = this.isTainted(s.value);
        for (const t of s.targets) {
          if (t.t === 'name' || t.t === 'tuple' || t.t === 'list') {
            const ctx = this.fnStack[this.fnStack.length - 1];
            if (ctx && tainted) for (const n of targetNames(t)) ctx.tainted.add(n);
          }
          if (t.t === 'attr' || t.t === 'sub') {
            this.walkExpr(t, false);
            let name: string | undefined;
            if (t.t === 'attr') name = this.resolve(t) ?? t.attr;
            else {
              const key = this.fold(t.index);
              const base = this.resolve(t.obj);
              name = typeof key?.value === 'string' ? (base === 'os.environ' ? `os.environ.${key.value}` : key.value) : undefined;
            }
            if (name) this.facts.assignments.push({ name, value: this.value(s.value), fn: this.fnId, start: s.start, end: s.end });
          }
        }
        return;
      }
      case 'expr':
        for (const e of s.exprs) this.walkExpr(e, false);
        if (s.body) this.walkBody(s.body);
        return;
      case 'class':
        for (const d of s.decorators) this.walkExpr(d, false);
        for (const b of s.bases) this.walkExpr(b, false);
        this.walkBody(s.body);
        return;
      case 'def':
        this.walkDef(s);
        return;
    }
  }

  private walkDef(s: PyStmt & { t: 'def' }): void {
    for (const d of s.decorators) this.walkExpr(d, false);
    const decorators = s.decorators.map((d) => this.resolve(d) ?? '');
    const toolDeco = s.decorators.findIndex((d, i) => /(?:^|\.)(?:tool|call_tool)(?:\(\))?$/.test(decorators[i] ?? '') && d.t !== 'unknown');
    const params = s.params.map((p) => p.name);
    const annotations: Record<string, string> = {};
    for (const p of s.params) annotations[p.name] = p.annotation ?? '';
    const isHandler = toolDeco >= 0;
    const inputParams = s.params.filter((p) => p.name !== 'self' && p.name !== 'cls' && !/\bContext\b/.test(p.annotation ?? '') && p.name !== 'ctx');
    const fact: FunctionFact = {
      name: s.name,
      params,
      isToolHandler: isHandler,
      tainted: [],
      decorators,
      annotations,
      docstring: s.docstring,
      start: s.start,
      end: s.end,
    };
    this.facts.functions.push(fact);
    const id = this.facts.functions.length - 1;
    const tainted = new Set<string>(isHandler ? inputParams.map((p) => p.name) : []);
    this.registerDecorated(s, decorators, inputParams, id);
    this.fnStack.push({ id, tainted });
    this.walkBody(s.body);
    this.fnStack.pop();
    fact.tainted = [...tainted];
  }

  private docText(s: PyStmt & { t: 'def' }): { text?: string; span?: { start: number; end: number } } {
    const first = s.body[0];
    if (first?.t === 'expr' && !first.keyword && first.exprs[0]?.t === 'str') {
      const f = this.fold(first.exprs[0]);
      return { text: typeof f?.value === 'string' ? f.value : s.docstring, span: { start: first.exprs[0].start, end: first.exprs[0].end } };
    }
    return {};
  }

  private registerDecorated(s: PyStmt & { t: 'def' }, decorators: string[], inputParams: { name: string; annotation?: string }[], id: number): void {
    s.decorators.forEach((d, i) => {
      const name = decorators[i] ?? '';
      const m = /(?:^|\.)(tool|prompt|resource|call_tool)(?:\(\))?$/.exec(name);
      if (!m) return;
      const kind = (m[1] === 'call_tool' ? 'tool' : m[1]) as ToolRegistration['kind'];
      const kwargs = d.t === 'call' ? d.kwargs : [];
      const nameKw = kwargs.find((k) => k.name === 'name');
      const descKw = kwargs.find((k) => k.name === 'description');
      const nameV = nameKw ? this.fold(nameKw.value) : undefined;
      const reg: ToolRegistration = {
        kind,
        name: m[1] === 'call_tool' ? undefined : typeof nameV?.value === 'string' ? nameV.value : s.name,
        descriptionSource: 'none',
        validation: 'unknown',
        via: `@${name}`,
        handlerFn: id,
        start: s.start,
        end: s.end,
      };
      if (descKw) {
        const v = this.value(descKw.value);
        reg.descriptionSpan = { start: v.start, end: v.end };
        if (typeof v.constant === 'string') {
          reg.description = v.constant;
          reg.descriptionSource = 'constant';
        } else reg.descriptionSource = /^(?:open|os\.environ|os\.getenv|requests|httpx|urllib)/.test(v.call ?? v.ref ?? '') ? 'external' : 'dynamic';
      } else if (m[1] !== 'call_tool') {
        const doc = this.docText(s);
        if (doc.text !== undefined) {
          reg.description = doc.text;
          reg.descriptionSource = 'constant';
          reg.descriptionSpan = doc.span;
        }
      }
      if (kind === 'tool') {
        if (m[1] === 'call_tool') reg.validation = this.bodyValidates(s.body) ? 'explicit' : 'none';
        else if (inputParams.some((p) => !p.annotation || /^(?:Any|dict|Dict|object|typing\.Any)(?:\[.*\])?$/.test(p.annotation.trim()))) reg.validation = 'partial';
        else reg.validation = 'sdk';
        reg.inputProperties = Object.fromEntries(inputParams.map((p) => [p.name, {}]));
      }
      this.facts.registrations.push(reg);
    });
  }

  private bodyValidates(body: PyStmt[]): boolean {
    let found = false;
    const visitS = (st: PyStmt): void => {
      if (st.t === 'assign') visitExpr(st.value, check);
      else if (st.t === 'expr') {
        st.exprs.forEach((e) => visitExpr(e, check));
        st.body?.forEach(visitS);
      } else if (st.t === 'def' || st.t === 'class') st.body.forEach(visitS);
    };
    const check = (x: PyExpr): void => {
      if (x.t === 'call' && VALIDATORS.test(this.resolve(x.func) ?? (x.func.t === 'attr' ? x.func.attr : ''))) found = true;
    };
    body.forEach(visitS);
    return found;
  }

  private walkExpr(e: PyExpr, insideFold: boolean): void {
    let childFold = insideFold;
    if (!insideFold && (e.t === 'str' || e.t === 'bin' || e.t === 'call' || e.t === 'sub')) {
      const f = this.fold(e);
      if (f && typeof f.value === 'string') {
        const origin = f.depth > 0 ? 'decoded' : e.t === 'str' && !e.tokens.some((t) => /^[a-zA-Z]*[fF]/.test(t.text)) && e.tokens.length === 1 ? 'literal' : 'folded';
        this.facts.strings.push({ value: f.value, origin, depth: f.depth, start: e.start, end: e.end, fn: this.fnId });
        childFold = true;
      } else if (e.t === 'str') {
        for (const tok of e.tokens) {
          const p = stringParts(tok);
          const body = p.raw ? p.body : unescapePython(p.body, p.bytes);
          this.facts.strings.push({ value: body, origin: 'literal', depth: 0, start: tok.start, end: tok.end, fn: this.fnId });
        }
      }
    }
    switch (e.t) {
      case 'call': {
        const callee = this.resolve(e.func) ?? (e.func.t === 'attr' ? `?.${e.func.attr}` : '?');
        const kwargs: Record<string, ValueFact> = {};
        for (const k of e.kwargs) if (k.name) kwargs[k.name] = this.value(k.value);
        const written = this.text.slice(e.func.start, e.func.end).slice(0, 120);
        this.facts.calls.push({ callee, written, args: e.args.map((a) => this.value(a)), kwargs, fn: this.fnId, start: e.start, end: e.end });
        this.registerCall(e, callee, kwargs);
        break;
      }
      case 'attr': {
        const name = this.resolve(e);
        if (name && /^os\.environ$|^os\.getenv$/.test(name)) this.facts.references.push({ name, start: e.start, end: e.end, fn: this.fnId });
        break;
      }
      case 'bin':
        if (e.op === '==' || e.op === '!=') {
          const l = nameOfPy(e.left);
          const r = nameOfPy(e.right);
          if (l || r) this.facts.comparisons.push({ left: l ?? '', right: r ?? '', op: e.op, start: e.start, end: e.end, fn: this.fnId });
        }
        break;
      case 'dict':
        e.keys.forEach((k, i) => {
          const key = k ? this.fold(k) : undefined;
          if (key && typeof key.value === 'string') this.facts.assignments.push({ name: key.value, value: this.value(e.values[i] as PyExpr), fn: this.fnId, start: k!.start, end: (e.values[i] as PyExpr).end });
        });
        break;
    }
    forEachChild(e, (c) => this.walkExpr(c, childFold));
  }

  private registerCall(e: PyExpr & { t: 'call' }, callee: string, kwargs: Record<string, ValueFact>): void {
    const push = (kind: ToolRegistration['kind'], name: string | undefined, desc: ValueFact | undefined, extra: Partial<ToolRegistration> = {}) => {
      const reg: ToolRegistration = { kind, name, descriptionSource: 'none', validation: 'unknown', via: `${callee}()`, start: e.start, end: e.end, ...extra };
      if (desc) {
        reg.descriptionSpan = { start: desc.start, end: desc.end };
        if (typeof desc.constant === 'string') {
          reg.description = desc.constant;
          reg.descriptionSource = 'constant';
        } else reg.descriptionSource = /^(?:open|os\.environ|os\.getenv|requests|httpx|urllib)/.test(desc.call ?? desc.ref ?? '') ? 'external' : 'dynamic';
      }
      this.facts.registrations.push(reg);
    };
    const last = callee.split('.').pop() ?? '';
    if ((last === 'Tool' || last === 'Prompt') && kwargs.name && kwargs.description) {
      const nm = kwargs.name.constant;
      const props: Record<string, { description?: string }> = {};
      const schema = kwargs.inputSchema?.props?.properties?.props;
      if (schema) for (const [k, v] of Object.entries(schema)) props[k] = typeof v.props?.description?.constant === 'string' ? { description: v.props.description.constant } : {};
      push(last === 'Tool' ? 'tool' : 'prompt', typeof nm === 'string' ? nm : undefined, kwargs.description, { inputProperties: schema ? props : undefined });
    } else if (last === 'Field' && kwargs.description) {
      push('field', undefined, kwargs.description);
    } else if ((last === 'FastMCP' || last === 'Server' || last === 'MCPServer') && kwargs.instructions) {
      push('instructions', undefined, kwargs.instructions);
    }
  }
}

function parseFieldExpr(src: string): PyExpr | undefined {
  try {
    const m = parsePython(`(${src})\n`);
    const s = m.body[0];
    return s?.t === 'expr' ? s.exprs[0] : undefined;
  } catch {
    return undefined;
  }
}

function stringChars(f: Folded | undefined): Folded[] | undefined {
  return f && typeof f.value === 'string' ? [...f.value].map((c) => ({ value: c, depth: f.depth })) : undefined;
}

function rootName(e: PyExpr): string | undefined {
  let x = e;
  while (x.t === 'attr') x = x.obj;
  return x.t === 'name' ? x.id : undefined;
}

function targetNames(e: PyExpr): string[] {
  if (e.t === 'name') return [e.id];
  if (e.t === 'tuple' || e.t === 'list') return e.items.flatMap(targetNames);
  if (e.t === 'star') return targetNames(e.arg);
  return [];
}

function nameOfPy(e: PyExpr): string | undefined {
  if (e.t === 'name') return e.id;
  if (e.t === 'attr') return e.attr;
  return undefined;
}

function kindOf(e: PyExpr): string {
  switch (e.t) {
    case 'str':
      return e.tokens.some((t) => /^[a-zA-Z]*[fF]/.test(t.text)) ? 'template' : 'literal';
    case 'num':
    case 'const':
      return 'literal';
    case 'call':
      return 'call';
    case 'name':
      return 'identifier';
    case 'attr':
    case 'sub':
      return 'member';
    case 'dict':
      return 'object';
    case 'list':
    case 'tuple':
      return 'array';
    case 'bin':
      return 'binary';
    case 'lambda':
      return 'function';
    default:
      return 'other';
  }
}

function forEachChild(e: PyExpr, fn: (c: PyExpr) => void): void {
  switch (e.t) {
    case 'attr':
      return fn(e.obj);
    case 'call':
      fn(e.func);
      e.args.forEach(fn);
      e.kwargs.forEach((k) => fn(k.value));
      return;
    case 'sub':
      fn(e.obj);
      fn(e.index);
      return;
    case 'bin':
      fn(e.left);
      fn(e.right);
      return;
    case 'unary':
    case 'star':
      return fn(e.arg);
    case 'list':
    case 'tuple':
    case 'set':
      return e.items.forEach(fn);
    case 'dict':
      e.keys.forEach((k) => k && fn(k));
      e.values.forEach(fn);
      return;
    case 'comp':
      fn(e.elt);
      fn(e.iter);
      return;
    case 'lambda':
      return fn(e.body);
    case 'ifexp':
      fn(e.body);
      fn(e.test);
      fn(e.orelse);
      return;
    default:
      return;
  }
}

function visitExpr(e: PyExpr, fn: (x: PyExpr) => void): void {
  fn(e);
  forEachChild(e, (c) => visitExpr(c, fn));
}

// Re-exported for tests of the tokenizer through the analyser module.
export { tokenize };
