/**
 * Constant folding for JS/TS expressions (§5): `+` concatenation, templates with constant parts,
 * `[…].join()`, `String.fromCharCode`, split/reverse/join chains, and the scan-time decoders
 * `atob`, `Buffer.from(x,'base64'|'hex')`, `decodeURIComponent` and zlib inflate, to depth 3.
 */
import { bytesToText, decodeBase64, decodeHex, MAX_DECODE_DEPTH, zlibDecompress } from '../decode.js';

export type Scalar = string | number | boolean | null;

export interface Folded {
  value: Scalar;
  /** Number of decoder layers the value went through. */
  depth: number;
}

type Node = any;

/** Resolves names to constants and aliases; supplied by the analyser. */
export interface FoldScope {
  constant(name: string): Folded | undefined;
  constantArray(name: string): Folded[] | undefined;
  resolve(node: Node): string | undefined;
}

export function unwrap(node: Node): Node {
  let n = node;
  while (
    n &&
    (n.type === 'ParenthesizedExpression' ||
      n.type === 'TSAsExpression' ||
      n.type === 'TSNonNullExpression' ||
      n.type === 'TSSatisfiesExpression' ||
      n.type === 'TSTypeAssertion' ||
      n.type === 'ChainExpression' ||
      n.type === 'AwaitExpression')
  ) {
    n = n.expression ?? n.argument;
  }
  return n;
}

export function propertyName(member: Node, scope: FoldScope): string | undefined {
  if (!member.computed) return member.property?.name ?? member.property?.value;
  const f = foldExpr(member.property, scope);
  return f && (typeof f.value === 'string' || typeof f.value === 'number') ? String(f.value) : undefined;
}

const BUFFER_ENCODINGS = new Set(['base64', 'base64url', 'hex']);

export function foldExpr(node: Node, scope: FoldScope, budget = { n: 2000 }): Folded | undefined {
  if (--budget.n < 0) return undefined;
  const n = unwrap(node);
  if (!n) return undefined;
  switch (n.type) {
    case 'Literal':
      if (n.regex || typeof n.value === 'bigint') return undefined;
      return { value: n.value as Scalar, depth: 0 };
    case 'TemplateLiteral': {
      let out = '';
      let depth = 0;
      for (let i = 0; i < n.quasis.length; i++) {
        out += n.quasis[i].value.cooked ?? n.quasis[i].value.raw;
        if (i < n.expressions.length) {
          const f = foldExpr(n.expressions[i], scope, budget);
          if (!f) return undefined;
          out += String(f.value);
          depth = Math.max(depth, f.depth);
        }
      }
      return { value: out, depth };
    }
    case 'Identifier':
      return scope.constant(n.name);
    case 'BinaryExpression': {
      const l = foldExpr(n.left, scope, budget);
      if (!l) return undefined;
      const r = foldExpr(n.right, scope, budget);
      if (!r) return undefined;
      const depth = Math.max(l.depth, r.depth);
      const a = l.value as any;
      const b = r.value as any;
      switch (n.operator) {
        case '+':
          return { value: typeof a === 'string' || typeof b === 'string' ? String(a) + String(b) : a + b, depth };
        case '-':
        case '*':
        case '^':
        case '|':
        case '&':
        case '<<':
        case '>>':
          if (typeof a !== 'number' || typeof b !== 'number') return undefined;
          return { value: arith(n.operator, a, b), depth };
        default:
          return undefined;
      }
    }
    case 'CallExpression':
      return foldCall(n, scope, budget);
    case 'NewExpression':
      return undefined;
    default:
      return undefined;
  }
}

function arith(op: string, a: number, b: number): number {
  switch (op) {
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '^':
      return a ^ b;
    case '|':
      return a | b;
    case '&':
      return a & b;
    case '<<':
      return a << b;
    default:
      return a >> b;
  }
}

/** Folds an array-valued expression: literals, split(), reverse(), constant arrays. */
export function foldArray(node: Node, scope: FoldScope, budget = { n: 2000 }): Folded[] | undefined {
  const n = unwrap(node);
  if (!n) return undefined;
  if (n.type === 'ArrayExpression') {
    const out: Folded[] = [];
    for (const el of n.elements) {
      if (!el || el.type === 'SpreadElement') return undefined;
      const f = foldExpr(el, scope, budget);
      if (!f) return undefined;
      out.push(f);
    }
    return out;
  }
  if (n.type === 'Identifier') return scope.constantArray(n.name);
  if (n.type === 'CallExpression') {
    const callee = unwrap(n.callee);
    if (callee?.type !== 'MemberExpression') {
      if (scope.resolve(callee) === 'Array.from' || scope.resolve(callee) === 'Array.of') {
        const inner = n.arguments[0] && foldExpr(n.arguments[0], scope, budget);
        if (inner && typeof inner.value === 'string') return [...inner.value].map((c) => ({ value: c, depth: inner.depth }));
      }
      return undefined;
    }
    const method = propertyName(callee, scope);
    if (method === 'reverse') {
      const arr = foldArray(callee.object, scope, budget);
      return arr ? [...arr].reverse() : undefined;
    }
    if (method === 'split') {
      const s = foldExpr(callee.object, scope, budget);
      const sep = n.arguments[0] ? foldExpr(n.arguments[0], scope, budget) : undefined;
      if (!s || typeof s.value !== 'string' || !sep || typeof sep.value !== 'string') return undefined;
      return s.value.split(sep.value).map((v) => ({ value: v, depth: s.depth }));
    }
    if (method === 'map' || method === 'filter') return undefined;
    if (method === 'concat') {
      const base = foldArray(callee.object, scope, budget);
      if (!base) return undefined;
      const out = [...base];
      for (const a of n.arguments) {
        const arr = foldArray(a, scope, budget);
        if (arr) out.push(...arr);
        else {
          const f = foldExpr(a, scope, budget);
          if (!f) return undefined;
          out.push(f);
        }
      }
      return out;
    }
  }
  return undefined;
}

function maxDepth(list: Folded[]): number {
  return list.reduce((m, f) => Math.max(m, f.depth), 0);
}

function decoded(value: string | undefined, depth: number): Folded | undefined {
  if (value === undefined || depth > MAX_DECODE_DEPTH) return undefined;
  return { value: bytesToText(value), depth };
}

function foldCall(n: Node, scope: FoldScope, budget: { n: number }): Folded | undefined {
  const callee = unwrap(n.callee);
  const args: Node[] = n.arguments;
  const name = scope.resolve(callee);
  const arg = (i: number) => (args[i] && args[i].type !== 'SpreadElement' ? foldExpr(args[i], scope, budget) : undefined);

  if (name === 'String.fromCharCode' || name === 'String.fromCodePoint') {
    const codes: number[] = [];
    let depth = 0;
    for (const a of args) {
      if (a.type === 'SpreadElement') {
        const arr = foldArray(a.argument, scope, budget);
        if (!arr) return undefined;
        for (const f of arr) {
          if (typeof f.value !== 'number') return undefined;
          codes.push(f.value);
        }
        continue;
      }
      const f = foldExpr(a, scope, budget);
      if (!f || typeof f.value !== 'number') return undefined;
      codes.push(f.value);
      depth = Math.max(depth, f.depth);
    }
    try {
      return { value: String.fromCodePoint(...codes), depth: depth + 1 };
    } catch {
      return undefined;
    }
  }
  if (name === 'atob' || name === 'window.atob' || name === 'globalThis.atob') {
    const f = arg(0);
    if (!f || typeof f.value !== 'string') return undefined;
    return decoded(decodeBase64(f.value), f.depth + 1);
  }
  if (name === 'decodeURIComponent' || name === 'decodeURI' || name === 'unescape') {
    const f = arg(0);
    if (!f || typeof f.value !== 'string') return undefined;
    try {
      return { value: name === 'unescape' ? unescape(f.value) : decodeURIComponent(f.value), depth: f.depth + 1 };
    } catch {
      return undefined;
    }
  }
  if (name === 'Buffer.from' || name === 'buffer.Buffer.from') {
    const f = arg(0);
    if (!f || typeof f.value !== 'string') {
      const arr = args[0] ? foldArray(args[0], scope, budget) : undefined;
      if (arr && arr.every((x) => typeof x.value === 'number')) {
        return { value: Buffer.from(arr.map((x) => x.value as number)).toString('latin1'), depth: maxDepth(arr) + 1 };
      }
      return undefined;
    }
    const enc = args[1] ? arg(1) : { value: 'utf8', depth: 0 };
    if (!enc || typeof enc.value !== 'string') return undefined;
    if (enc.value === 'hex') return decoded(decodeHex(f.value), f.depth + 1);
    if (BUFFER_ENCODINGS.has(enc.value)) return decoded(decodeBase64(f.value), f.depth + 1);
    return f;
  }
  if (name && /^zlib\.(?:inflateSync|gunzipSync|inflateRawSync|unzipSync|brotliDecompressSync)$/.test(name)) {
    const f = arg(0);
    if (!f || typeof f.value !== 'string') return undefined;
    return decoded(zlibDecompress(Buffer.from(f.value, 'utf8').toString('latin1')), f.depth + 1);
  }
  if (callee?.type === 'MemberExpression') {
    const method = propertyName(callee, scope);
    if (method === 'join') {
      const arr = foldArray(callee.object, scope, budget);
      if (!arr) return undefined;
      const sep = args[0] ? arg(0) : { value: ',', depth: 0 };
      if (!sep || typeof sep.value !== 'string') return undefined;
      const reversedChain = unwrap(callee.object)?.type === 'CallExpression';
      return { value: arr.map((f) => String(f.value)).join(sep.value), depth: maxDepth(arr) + (reversedChain ? 1 : 0) };
    }
    const base = foldExpr(callee.object, scope, budget);
    if (!base || typeof base.value !== 'string') return undefined;
    const s = base.value;
    switch (method) {
      case 'toString':
      case 'valueOf':
      case 'trim':
        return { value: method === 'trim' ? s.trim() : s, depth: base.depth };
      case 'toLowerCase':
        return { value: s.toLowerCase(), depth: base.depth };
      case 'toUpperCase':
        return { value: s.toUpperCase(), depth: base.depth };
      case 'concat': {
        let out = s;
        for (let i = 0; i < args.length; i++) {
          const f = arg(i);
          if (!f) return undefined;
          out += String(f.value);
        }
        return { value: out, depth: base.depth };
      }
      case 'replace':
      case 'replaceAll': {
        const a = arg(0);
        const b = arg(1);
        if (!a || !b || typeof a.value !== 'string' || typeof b.value !== 'string') return undefined;
        return { value: method === 'replace' ? s.replace(a.value, b.value) : s.split(a.value).join(b.value), depth: base.depth };
      }
      case 'slice':
      case 'substring': {
        const a = arg(0);
        const b = args[1] ? arg(1) : undefined;
        if (!a || typeof a.value !== 'number') return undefined;
        return { value: s[method](a.value, typeof b?.value === 'number' ? b.value : undefined), depth: base.depth };
      }
      default:
        return undefined;
    }
  }
  return undefined;
}
