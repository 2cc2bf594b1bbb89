/**
 * A Python tokenizer following the reference `tokenize` module closely enough for static
 * analysis: string prefixes (r, b, u, f and their combinations), single and triple quotes,
 * f-strings (kept as one STRING token, parts split later), comments, backslash continuations,
 * implicit joining inside brackets, and INDENT/DEDENT from the indentation stack.
 */

export type TokenType = 'NAME' | 'NUMBER' | 'STRING' | 'OP' | 'NEWLINE' | 'INDENT' | 'DEDENT' | 'COMMENT' | 'END';

export interface Token {
  type: TokenType;
  /** Source text of the token (for STRING: including prefix and quotes). */
  text: string;
  start: number;
  end: number;
}

export class PythonSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const OPERATORS = [
  '**=', '//=', '>>=', '<<=', '...', '->', ':=',
  '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '@=', '==', '!=', '<=', '>=', '**', '//', '<<', '>>',
  '+', '-', '*', '/', '%', '@', '&', '|', '^', '~', '<', '>', '(', ')', '[', ']', '{', '}', ',', ':', '.', ';', '=', '!',
];

const NAME_START = /[\p{L}\p{Nl}_]/u;
const NAME_PART = /[\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}_]/u;
const STRING_PREFIX = /^(?:[rRbBuUfF]|[rR][bBfF]|[bBfF][rR])$/;

export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  const indents: number[] = [0];
  let i = 0;
  let depth = 0;
  let atLineStart = true;
  const n = src.length;

  while (i < n) {
    if (atLineStart && depth === 0) {
      // Measure indentation; blank and comment-only lines do not change it.
      let col = 0;
      let j = i;
      while (j < n && (src[j] === ' ' || src[j] === '\t' || src[j] === '\f')) {
        col = src[j] === '\t' ? (Math.floor(col / 8) + 1) * 8 : src[j] === '\f' ? 0 : col + 1;
        j++;
      }
      if (j >= n) {
        i = j;
        break;
      }
      const c = src[j];
      if (c === '\n' || c === '\r' || c === '#' || (c === '\\' && (src[j + 1] === '\n' || src[j + 1] === '\r'))) {
        if (c === '#') {
          let k = j;
          while (k < n && src[k] !== '\n') k++;
          out.push({ type: 'COMMENT', text: src.slice(j, k), start: j, end: k });
          j = k;
        }
        if (src[j] === '\\') j++;
        if (src[j] === '\r') j++;
        if (src[j] === '\n') j++;
        i = j;
        continue;
      }
      const top = indents[indents.length - 1] as number;
      if (col > top) {
        indents.push(col);
        out.push({ type: 'INDENT', text: '', start: i, end: j });
      } else {
        while (col < (indents[indents.length - 1] as number)) {
          indents.pop();
          out.push({ type: 'DEDENT', text: '', start: j, end: j });
        }
        if (col !== indents[indents.length - 1]) throw new PythonSyntaxError('unindent does not match any outer indentation level', j);
      }
      i = j;
      atLineStart = false;
    }
    const c = src[i] as string;
    if (c === ' ' || c === '\t' || c === '\f') {
      i++;
      continue;
    }
    if (c === '\\' && (src[i + 1] === '\n' || (src[i + 1] === '\r' && src[i + 2] === '\n'))) {
      i += src[i + 1] === '\r' ? 3 : 2;
      continue;
    }
    if (c === '\n' || c === '\r') {
      const start = i;
      if (c === '\r' && src[i + 1] === '\n') i++;
      i++;
      if (depth === 0) {
        out.push({ type: 'NEWLINE', text: '\n', start, end: i });
        atLineStart = true;
      }
      continue;
    }
    if (c === '#') {
      let k = i;
      while (k < n && src[k] !== '\n' && src[k] !== '\r') k++;
      out.push({ type: 'COMMENT', text: src.slice(i, k), start: i, end: k });
      i = k;
      continue;
    }
    // Names, possibly a string prefix.
    if (NAME_START.test(c)) {
      let k = i + 1;
      while (k < n && NAME_PART.test(src[k] as string)) k++;
      const word = src.slice(i, k);
      if ((src[k] === '"' || src[k] === "'") && STRING_PREFIX.test(word)) {
        const end = scanString(src, k);
        out.push({ type: 'STRING', text: src.slice(i, end), start: i, end });
        i = end;
        continue;
      }
      out.push({ type: 'NAME', text: word, start: i, end: k });
      i = k;
      continue;
    }
    if (c === '"' || c === "'") {
      const end = scanString(src, i);
      out.push({ type: 'STRING', text: src.slice(i, end), start: i, end });
      i = end;
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const m = /^(?:0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d[\d_]*)?[jJ]?)/.exec(src.slice(i, i + 80));
      const len = m ? m[0].length : 1;
      out.push({ type: 'NUMBER', text: src.slice(i, i + len), start: i, end: i + len });
      i += len;
      continue;
    }
    const op = OPERATORS.find((o) => src.startsWith(o, i));
    if (op) {
      if (op === '(' || op === '[' || op === '{') depth++;
      if ((op === ')' || op === ']' || op === '}') && depth > 0) depth--;
      out.push({ type: 'OP', text: op, start: i, end: i + op.length });
      i += op.length;
      continue;
    }
    // Anything else (stray characters, `$`, `?`, backticks): keep as an operator so parsing can continue.
    out.push({ type: 'OP', text: c, start: i, end: i + 1 });
    i++;
  }
  if (out.length > 0 && out[out.length - 1]!.type !== 'NEWLINE') out.push({ type: 'NEWLINE', text: '', start: n, end: n });
  while (indents.length > 1) {
    indents.pop();
    out.push({ type: 'DEDENT', text: '', start: n, end: n });
  }
  out.push({ type: 'END', text: '', start: n, end: n });
  return out;
}

/** Returns the offset just past the string starting at the quote at `q`. */
function scanString(src: string, q: number): number {
  const quote = src[q] as string;
  const triple = src.startsWith(quote.repeat(3), q);
  const close = triple ? quote.repeat(3) : quote;
  let k = q + close.length;
  while (k < src.length) {
    const ch = src[k];
    if (ch === '\\') {
      k += 2;
      continue;
    }
    if (!triple && (ch === '\n' || ch === '\r')) throw new PythonSyntaxError('unterminated string literal', q);
    if (src.startsWith(close, k)) return k + close.length;
    k++;
  }
  throw new PythonSyntaxError(triple ? 'unterminated triple-quoted string literal' : 'unterminated string literal', q);
}

export interface StringParts {
  prefix: string;
  raw: boolean;
  bytes: boolean;
  fstring: boolean;
  /** Body between the quotes, escapes not yet processed. */
  body: string;
  bodyStart: number;
}

export function stringParts(tok: Token): StringParts {
  const m = /^([a-zA-Z]*)('''|"""|'|")/.exec(tok.text)!;
  const prefix = (m[1] as string).toLowerCase();
  const q = m[2] as string;
  const body = tok.text.slice(m[0].length, tok.text.length - q.length);
  return { prefix, raw: prefix.includes('r'), bytes: prefix.includes('b'), fstring: prefix.includes('f'), body, bodyStart: tok.start + m[0].length };
}

/** Processes Python escape sequences of a non-raw string body. */
export function unescapePython(body: string, bytes: boolean): string {
  return body.replace(/\\(?:(\r?\n)|([\\'"abfnrtv])|x([0-9a-fA-F]{2})|([0-7]{1,3})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|N\{([^}]*)\})/g, (all, nl, simple, hex, oct, u4, u8) => {
    if (nl) return '';
    if (simple) return ({ a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' } as Record<string, string>)[simple] ?? simple;
    if (hex) return String.fromCharCode(parseInt(hex, 16));
    if (oct) return String.fromCharCode(parseInt(oct, 8) & 0xff);
    if (bytes) return all;
    if (u4) return String.fromCharCode(parseInt(u4, 16));
    if (u8) {
      try {
        return String.fromCodePoint(parseInt(u8, 16));
      } catch {
        return all;
      }
    }
    return all;
  });
}
