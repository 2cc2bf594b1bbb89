/**
 * A small, tolerant Python statement/expression parser over the token stream: imports and
 * aliases, def/class scopes with decorators and docstrings, assignments, calls with keyword
 * arguments, and the expression forms constant folding needs. Statements it does not model are
 * kept as expression lists so calls inside them are still seen.
 */
import { PythonSyntaxError, type Token, tokenize } from './tokenize.js';

export type PyExpr =
  | { t: 'name'; id: string; start: number; end: number }
  | { t: 'str'; tokens: Token[]; start: number; end: number }
  | { t: 'num'; value: number; start: number; end: number }
  | { t: 'const'; value: boolean | null; start: number; end: number }
  | { t: 'attr'; obj: PyExpr; attr: string; start: number; end: number }
  | { t: 'call'; func: PyExpr; args: PyExpr[]; kwargs: { name: string | null; value: PyExpr }[]; start: number; end: number }
  | { t: 'sub'; obj: PyExpr; index: PyExpr; /** `[::-1]` */ slice: boolean; start: number; end: number }
  | { t: 'bin'; op: string; left: PyExpr; right: PyExpr; start: number; end: number }
  | { t: 'unary'; op: string; arg: PyExpr; start: number; end: number }
  | { t: 'list' | 'tuple' | 'set'; items: PyExpr[]; start: number; end: number }
  | { t: 'dict'; keys: (PyExpr | null)[]; values: PyExpr[]; start: number; end: number }
  | { t: 'comp'; elt: PyExpr; target: PyExpr; iter: PyExpr; start: number; end: number }
  | { t: 'lambda'; body: PyExpr; start: number; end: number }
  | { t: 'ifexp'; body: PyExpr; test: PyExpr; orelse: PyExpr; start: number; end: number }
  | { t: 'star'; arg: PyExpr; start: number; end: number }
  | { t: 'unknown'; start: number; end: number };

export interface PyParam {
  name: string;
  annotation?: string;
  hasDefault: boolean;
  kind: 'normal' | 'star' | 'dstar';
}

export type PyStmt =
  | { t: 'import'; names: { module: string; asname?: string }[]; start: number; end: number }
  | { t: 'from'; module: string; names: { name: string; asname?: string }[]; start: number; end: number }
  | { t: 'def'; name: string; params: PyParam[]; decorators: PyExpr[]; body: PyStmt[]; docstring?: string; async: boolean; start: number; end: number }
  | { t: 'class'; name: string; bases: PyExpr[]; decorators: PyExpr[]; body: PyStmt[]; docstring?: string; start: number; end: number }
  | { t: 'assign'; targets: PyExpr[]; value: PyExpr; op: string; start: number; end: number }
  | { t: 'expr'; exprs: PyExpr[]; keyword?: string; body?: PyStmt[]; start: number; end: number };

export interface PyModule {
  body: PyStmt[];
  docstring?: string;
  comments: Token[];
}

const COMPOUND = new Set(['if', 'elif', 'else', 'for', 'while', 'try', 'except', 'finally', 'with', 'match', 'case', 'async']);

export function parsePython(src: string): PyModule {
  const all = tokenize(src);
  const comments = all.filter((t) => t.type === 'COMMENT');
  const toks = all.filter((t) => t.type !== 'COMMENT');
  const p = new Parser(toks, src);
  const body = p.block(true);
  return { body, docstring: docstringOf(body, p), comments };
}

function docstringOf(body: PyStmt[], p: Parser): string | undefined {
  const first = body[0];
  if (first?.t === 'expr' && !first.keyword && first.exprs.length === 1 && first.exprs[0]!.t === 'str') {
    return p.stringValue(first.exprs[0] as PyExpr & { t: 'str' });
  }
  return undefined;
}

class Parser {
  pos = 0;
  constructor(
    private readonly toks: Token[],
    private readonly src: string,
  ) {}

  private peek(o = 0): Token {
    return this.toks[Math.min(this.pos + o, this.toks.length - 1)] as Token;
  }

  private next(): Token {
    const t = this.peek();
    if (this.pos < this.toks.length - 1) this.pos++;
    return t;
  }

  private isOp(text: string, o = 0): boolean {
    const t = this.peek(o);
    return t.type === 'OP' && t.text === text;
  }

  private isName(text: string, o = 0): boolean {
    const t = this.peek(o);
    return t.type === 'NAME' && t.text === text;
  }

  private expectOp(text: string): Token {
    if (!this.isOp(text)) throw new PythonSyntaxError(`expected '${text}' but found '${this.peek().text || this.peek().type}'`, this.peek().start);
    return this.next();
  }

  stringValue(e: PyExpr & { t: 'str' }): string {
    // Imported lazily by the evaluator for escapes; here only the docstring text is needed.
    return e.tokens
      .map((t) => {
        const m = /^([a-zA-Z]*)('''|"""|'|")/.exec(t.text)!;
        return t.text.slice(m[0].length, t.text.length - (m[2] as string).length);
      })
      .join('');
  }

  /** Parses statements until DEDENT (or END for the module). */
  block(top: boolean): PyStmt[] {
    const out: PyStmt[] = [];
    for (;;) {
      const t = this.peek();
      if (t.type === 'END') break;
      if (t.type === 'DEDENT') {
        if (top) {
          this.next();
          continue;
        }
        this.next();
        break;
      }
      if (t.type === 'NEWLINE' || t.type === 'INDENT') {
        this.next();
        continue;
      }
      const before = this.pos;
      out.push(...this.statement());
      if (this.pos === before) this.next();
    }
    return out;
  }

  /** The body after a ':' — either an indented block or a simple statement list on the same line. */
  private suite(): PyStmt[] {
    if (this.peek().type === 'NEWLINE') {
      this.next();
      while (this.peek().type === 'NEWLINE') this.next();
      if (this.peek().type !== 'INDENT') throw new PythonSyntaxError('expected an indented block', this.peek().start);
      this.next();
      return this.block(false);
    }
    return this.simpleStatements();
  }

  private statement(): PyStmt[] {
    const t = this.peek();
    if (t.type === 'OP' && t.text === '@') return [this.decorated()];
    if (t.type === 'NAME') {
      if (t.text === 'def' || (t.text === 'async' && this.isName('def', 1))) return [this.funcdef([])];
      if (t.text === 'class') return [this.classdef([])];
      if (COMPOUND.has(t.text) && this.looksCompound()) return [this.compound()];
    }
    return this.simpleStatements();
  }

  private looksCompound(): boolean {
    // `match`/`case` are soft keywords; a compound header ends with ':' at bracket depth 0 before NEWLINE.
    let depth = 0;
    for (let k = this.pos; k < this.toks.length; k++) {
      const t = this.toks[k] as Token;
      if (t.type === 'NEWLINE' || t.type === 'END') return false;
      if (t.type === 'OP') {
        if ('([{'.includes(t.text)) depth++;
        else if (')]}'.includes(t.text)) depth--;
        else if (t.text === ':' && depth === 0) return k > this.pos;
        else if (t.text === '=' && depth === 0) return false;
      }
    }
    return false;
  }

  private decorated(): PyStmt {
    const decorators: PyExpr[] = [];
    while (this.isOp('@')) {
      this.next();
      decorators.push(this.expr());
      while (this.peek().type === 'NEWLINE') this.next();
    }
    if (this.isName('class')) return this.classdef(decorators);
    return this.funcdef(decorators);
  }

  private funcdef(decorators: PyExpr[]): PyStmt {
    const start = decorators[0]?.start ?? this.peek().start;
    let isAsync = false;
    if (this.isName('async')) {
      this.next();
      isAsync = true;
    }
    this.next(); // def
    const name = this.next().text;
    this.expectOp('(');
    const params: PyParam[] = [];
    while (!this.isOp(')')) {
      if (this.peek().type === 'END') throw new PythonSyntaxError('unterminated parameter list', this.peek().start);
      let kind: PyParam['kind'] = 'normal';
      if (this.isOp('*')) {
        this.next();
        kind = 'star';
      } else if (this.isOp('**')) {
        this.next();
        kind = 'dstar';
      } else if (this.isOp('/')) {
        this.next();
        if (this.isOp(',')) this.next();
        continue;
      }
      if (this.peek().type !== 'NAME') {
        if (!this.isOp(',') || kind === 'normal') throw new PythonSyntaxError(`invalid syntax in parameters near '${this.peek().text}'`, this.peek().start);
        this.next();
        continue;
      }
      const pname = this.next().text;
      let annotation: string | undefined;
      let hasDefault = false;
      if (this.isOp(':')) {
        this.next();
        const a = this.expr();
        annotation = this.src.slice(a.start, a.end);
      }
      if (this.isOp('=')) {
        this.next();
        this.expr();
        hasDefault = true;
      }
      params.push({ name: pname, annotation, hasDefault, kind });
      if (this.isOp(',')) this.next();
      else if (!this.isOp(')')) throw new PythonSyntaxError(`unexpected '${this.peek().text}' in parameters`, this.peek().start);
    }
    this.expectOp(')');
    if (this.isOp('->')) {
      this.next();
      this.expr();
    }
    this.expectOp(':');
    const body = this.suite();
    const end = this.toks[Math.max(0, this.pos - 1)]!.end;
    return { t: 'def', name, params, decorators, body, docstring: docstringOf(body, this), async: isAsync, start, end };
  }

  private classdef(decorators: PyExpr[]): PyStmt {
    const start = decorators[0]?.start ?? this.peek().start;
    this.next();
    const name = this.next().text;
    let bases: PyExpr[] = [];
    if (this.isOp('(')) {
      const call = this.callArgs({ t: 'name', id: name, start, end: start });
      bases = call.args;
    }
    this.expectOp(':');
    const body = this.suite();
    const end = this.toks[Math.max(0, this.pos - 1)]!.end;
    return { t: 'class', name, bases, decorators, body, docstring: docstringOf(body, this), start, end };
  }

  private compound(): PyStmt {
    const start = this.peek().start;
    let keyword = this.next().text;
    if (keyword === 'async') keyword = this.next().text;
    const exprs: PyExpr[] = [];
    while (!this.isOp(':') && this.peek().type !== 'NEWLINE' && this.peek().type !== 'END') {
      if (this.isOp(',') || this.isName('as') || this.isName('in')) {
        this.next();
        continue;
      }
      const before = this.pos;
      exprs.push(this.expr());
      if (this.pos === before) this.next();
    }
    this.expectOp(':');
    const body = this.suite();
    return { t: 'expr', keyword, exprs, body, start, end: this.toks[Math.max(0, this.pos - 1)]!.end };
  }

  private simpleStatements(): PyStmt[] {
    const out: PyStmt[] = [];
    for (;;) {
      out.push(this.smallStatement());
      if (this.isOp(';')) {
        this.next();
        if (this.peek().type === 'NEWLINE') break;
        continue;
      }
      break;
    }
    if (this.peek().type === 'NEWLINE') this.next();
    else if (this.peek().type !== 'END' && this.peek().type !== 'DEDENT') {
      throw new PythonSyntaxError(`invalid syntax near '${this.peek().text}'`, this.peek().start);
    }
    return out;
  }

  private smallStatement(): PyStmt {
    const t = this.peek();
    const start = t.start;
    if (t.type === 'NAME' && t.text === 'import') {
      this.next();
      const names: { module: string; asname?: string }[] = [];
      for (;;) {
        const module = this.dottedName();
        let asname: string | undefined;
        if (this.isName('as')) {
          this.next();
          asname = this.next().text;
        }
        names.push({ module, asname });
        if (!this.isOp(',')) break;
        this.next();
      }
      return { t: 'import', names, start, end: this.toks[this.pos - 1]!.end };
    }
    if (t.type === 'NAME' && t.text === 'from' && !this.isOp('(', 1)) {
      this.next();
      let module = '';
      while (this.isOp('.') || this.isOp('...')) module += this.next().text;
      if (!this.isName('import')) module += this.dottedName();
      if (!this.isName('import')) throw new PythonSyntaxError("expected 'import'", this.peek().start);
      this.next();
      const paren = this.isOp('(');
      if (paren) this.next();
      const names: { name: string; asname?: string }[] = [];
      while (this.peek().type === 'NAME' || this.isOp('*')) {
        const name = this.next().text;
        let asname: string | undefined;
        if (this.isName('as')) {
          this.next();
          asname = this.next().text;
        }
        names.push({ name, asname });
        if (!this.isOp(',')) break;
        this.next();
      }
      if (paren) this.expectOp(')');
      return { t: 'from', module, names, start, end: this.toks[this.pos - 1]!.end };
    }
    let keyword: string | undefined;
    if (t.type === 'NAME' && /^(?:return|yield|raise|assert|del|global|nonlocal|pass|break|continue|await|print|exec)$/.test(t.text) && !this.isOp('=', 1) && !this.isOp('.', 1) && !this.isOp('(', 1)) {
      keyword = this.next().text;
      if (keyword === 'yield' && this.isName('from')) this.next();
    }
    const exprs: PyExpr[] = [];
    const readList = (): PyExpr[] => {
      const items: PyExpr[] = [];
      while (this.peek().type !== 'NEWLINE' && this.peek().type !== 'END' && !this.isOp(';') && !this.isOp('=') && !isAugOp(this.peek())) {
        if (this.isOp(',') || this.isName('from')) {
          this.next();
          continue;
        }
        if (this.isOp(':') && !keyword) {
          // Annotated assignment `x: T = v`: skip the annotation.
          this.next();
          this.expr();
          continue;
        }
        const before = this.pos;
        items.push(this.expr());
        if (this.pos === before) throw new PythonSyntaxError(`invalid syntax near '${this.peek().text}'`, this.peek().start);
      }
      return items;
    };
    let current = readList();
    const targets: PyExpr[] = [];
    let op = '';
    while (!keyword && (this.isOp('=') || isAugOp(this.peek()))) {
      op = this.next().text;
      targets.push(...current);
      current = readList();
    }
    exprs.push(...current);
    const end = this.toks[Math.max(0, this.pos - 1)]!.end;
    if (targets.length > 0) {
      const value: PyExpr = exprs.length === 1 ? (exprs[0] as PyExpr) : { t: 'tuple', items: exprs, start: exprs[0]?.start ?? start, end };
      return { t: 'assign', targets, value, op, start, end };
    }
    return { t: 'expr', exprs, keyword, start, end };
  }

  private dottedName(): string {
    let name = this.next().text;
    while (this.isOp('.')) {
      this.next();
      name += '.' + this.next().text;
    }
    return name;
  }

  // ---- expressions (precedence climbing) ----------------------------------------------------

  expr(): PyExpr {
    if (this.isName('lambda')) {
      const start = this.next().start;
      while (!this.isOp(':') && this.peek().type !== 'END') this.next();
      this.expectOp(':');
      const body = this.expr();
      return { t: 'lambda', body, start, end: body.end };
    }
    if (this.isOp('*') || this.isOp('**')) {
      const start = this.next().start;
      const arg = this.binary(0);
      return { t: 'star', arg, start, end: arg.end };
    }
    if (this.isName('yield')) {
      this.next();
      if (this.isName('from')) this.next();
      if (this.isOp(')') || this.peek().type === 'NEWLINE') return { t: 'const', value: null, start: this.peek().start, end: this.peek().start };
    }
    const body = this.binary(0);
    if (this.isOp(':=')) {
      this.next();
      return this.expr();
    }
    if (this.isName('if') && !this.inComprehensionIf) {
      this.next();
      const test = this.binary(0);
      if (!this.isName('else')) return { t: 'ifexp', body, test, orelse: body, start: body.start, end: test.end };
      this.next();
      const orelse = this.expr();
      return { t: 'ifexp', body, test, orelse, start: body.start, end: orelse.end };
    }
    return body;
  }

  private inComprehensionIf = false;

  private static readonly PREC: Record<string, number> = {
    or: 1, and: 2, in: 4, 'not in': 4, is: 4, 'is not': 4, '<': 4, '>': 4, '==': 4, '>=': 4, '<=': 4, '!=': 4,
    '|': 5, '^': 6, '&': 7, '<<': 8, '>>': 8, '+': 9, '-': 9, '*': 10, '/': 10, '//': 10, '%': 10, '@': 10, '**': 12,
  };

  private binaryOp(): string | undefined {
    const t = this.peek();
    if (t.type === 'OP' && Parser.PREC[t.text] !== undefined) return t.text;
    if (t.type === 'NAME') {
      if (t.text === 'not' && this.isName('in', 1)) return 'not in';
      if (t.text === 'is' && this.isName('not', 1)) return 'is not';
      if (t.text === 'or' || t.text === 'and' || t.text === 'in' || t.text === 'is') return t.text;
    }
    return undefined;
  }

  private binary(minPrec: number): PyExpr {
    let left = this.unary();
    for (;;) {
      const op = this.binaryOp();
      if (!op) break;
      const prec = Parser.PREC[op] as number;
      if (prec < minPrec) break;
      this.next();
      if (op === 'not in' || op === 'is not') this.next();
      const right = this.binary(op === '**' ? prec : prec + 1);
      left = { t: 'bin', op, left, right, start: left.start, end: right.end };
    }
    return left;
  }

  private unary(): PyExpr {
    const t = this.peek();
    if ((t.type === 'OP' && (t.text === '-' || t.text === '+' || t.text === '~')) || (t.type === 'NAME' && (t.text === 'not' || t.text === 'await'))) {
      this.next();
      const arg = this.unary();
      if (t.text === 'await') return arg;
      return { t: 'unary', op: t.text, arg, start: t.start, end: arg.end };
    }
    return this.postfix(this.atom());
  }

  private postfix(e: PyExpr): PyExpr {
    for (;;) {
      if (this.isOp('.')) {
        this.next();
        const name = this.next();
        e = { t: 'attr', obj: e, attr: name.text, start: e.start, end: name.end };
      } else if (this.isOp('(')) {
        e = this.callArgs(e);
      } else if (this.isOp('[')) {
        const open = this.next();
        const items: PyExpr[] = [];
        let slice = false;
        while (!this.isOp(']') && this.peek().type !== 'END') {
          if (this.isOp(':') || this.isOp(',')) {
            if (this.isOp(':')) slice = true;
            this.next();
            continue;
          }
          items.push(this.expr());
        }
        const close = this.expectOp(']');
        const end = close.end;
        const reverse = slice && /^\[\s*::\s*-\s*1\s*\]$/.test(this.src.slice(open.start, end));
        e = { t: 'sub', obj: e, index: items[items.length - 1] ?? { t: 'unknown', start: end, end }, slice: reverse, start: e.start, end };
      } else return e;
    }
  }

  private callArgs(func: PyExpr): PyExpr & { t: 'call' } {
    this.expectOp('(');
    const args: PyExpr[] = [];
    const kwargs: { name: string | null; value: PyExpr }[] = [];
    while (!this.isOp(')')) {
      if (this.peek().type === 'END') throw new PythonSyntaxError("'(' was never closed", func.start);
      if (this.peek().type === 'NAME' && this.isOp('=', 1)) {
        const name = this.next().text;
        this.next();
        kwargs.push({ name, value: this.expr() });
      } else if (this.isOp('**')) {
        this.next();
        kwargs.push({ name: null, value: this.expr() });
      } else {
        const a = this.expr();
        if (this.isName('for')) args.push(this.comprehension(a, a.start));
        else args.push(a);
      }
      if (this.isOp(',')) this.next();
      else if (!this.isOp(')')) throw new PythonSyntaxError(`unexpected '${this.peek().text}' in call`, this.peek().start);
    }
    const end = this.expectOp(')').end;
    return { t: 'call', func, args, kwargs, start: func.start, end };
  }

  private comprehension(elt: PyExpr, start: number): PyExpr {
    let target: PyExpr = { t: 'unknown', start, end: start };
    let iter: PyExpr = { t: 'unknown', start, end: start };
    while (this.isName('for') || this.isName('async')) {
      if (this.isName('async')) this.next();
      this.next();
      const targets: PyExpr[] = [];
      while (!this.isName('in') && this.peek().type !== 'END') {
        if (this.isOp(',')) {
          this.next();
          continue;
        }
        targets.push(this.binary(5));
      }
      target = targets[0] ?? target;
      this.next(); // in
      iter = this.binary(1);
      while (this.isName('if')) {
        this.next();
        this.inComprehensionIf = true;
        try {
          this.binary(1);
        } finally {
          this.inComprehensionIf = false;
        }
      }
    }
    return { t: 'comp', elt, target, iter, start, end: this.toks[this.pos - 1]!.end };
  }

  private atom(): PyExpr {
    const t = this.peek();
    if (t.type === 'NAME') {
      this.next();
      if (t.text === 'True' || t.text === 'False' || t.text === 'None') {
        return { t: 'const', value: t.text === 'None' ? null : t.text === 'True', start: t.start, end: t.end };
      }
      return { t: 'name', id: t.text, start: t.start, end: t.end };
    }
    if (t.type === 'NUMBER') {
      this.next();
      const v = Number(t.text.replace(/_/g, '').replace(/[jJ]$/, ''));
      return { t: 'num', value: Number.isNaN(v) ? parseInt(t.text.replace(/_/g, ''), /^0[oO]/.test(t.text) ? 8 : /^0[bB]/.test(t.text) ? 2 : 16) : v, start: t.start, end: t.end };
    }
    if (t.type === 'STRING') {
      const tokens: Token[] = [];
      while (this.peek().type === 'STRING') tokens.push(this.next());
      return { t: 'str', tokens, start: t.start, end: tokens[tokens.length - 1]!.end };
    }
    if (t.type === 'OP' && (t.text === '(' || t.text === '[' || t.text === '{')) {
      this.next();
      const close = t.text === '(' ? ')' : t.text === '[' ? ']' : '}';
      const items: PyExpr[] = [];
      const keys: (PyExpr | null)[] = [];
      const values: PyExpr[] = [];
      let isDict = false;
      let sawComma = false;
      while (!this.isOp(close)) {
        if (this.peek().type === 'END') throw new PythonSyntaxError(`'${t.text}' was never closed`, t.start);
        if (this.isOp('**') && close === '}') {
          this.next();
          isDict = true;
          keys.push(null);
          values.push(this.expr());
        } else {
          const e = this.expr();
          if (close === '}' && this.isOp(':')) {
            this.next();
            isDict = true;
            keys.push(e);
            values.push(this.expr());
          } else if (this.isName('for')) {
            items.push(this.comprehension(e, e.start));
          } else items.push(e);
        }
        if (this.isOp(',')) {
          this.next();
          sawComma = true;
        } else if (!this.isOp(close)) {
          if (isDict && this.isName('for')) {
            this.comprehension(values[values.length - 1]!, t.start);
            continue;
          }
          throw new PythonSyntaxError(`unexpected '${this.peek().text}'`, this.peek().start);
        }
      }
      const end = this.expectOp(close).end;
      if (isDict) return { t: 'dict', keys, values, start: t.start, end };
      if (close === ')') {
        if (items.length === 1 && !sawComma) return items[0] as PyExpr;
        return { t: 'tuple', items, start: t.start, end };
      }
      if (close === '}' && items.length === 0) return { t: 'dict', keys: [], values: [], start: t.start, end };
      return { t: close === ']' ? 'list' : 'set', items, start: t.start, end };
    }
    if (t.type === 'OP' && t.text === '...') {
      this.next();
      return { t: 'const', value: null, start: t.start, end: t.end };
    }
    throw new PythonSyntaxError(`invalid syntax near '${t.text || t.type}'`, t.start);
  }
}

function isAugOp(t: Token): boolean {
  return t.type === 'OP' && /^(?:\+=|-=|\*=|\/=|%=|&=|\|=|\^=|@=|\*\*=|\/\/=|>>=|<<=)$/.test(t.text);
}
