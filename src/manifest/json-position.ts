/**
 * Where JSON.parse failed. V8 messages carry a position only for some errors ("Unexpected token
 * '}', ... is not valid JSON" has none), so this small RFC 8259 scanner finds the offset of the
 * first syntax error itself. Used only after JSON.parse has already thrown.
 */
export function jsonErrorOffset(text: string): { offset: number; message: string } | undefined {
  let i = 0;
  const fail = (message: string): never => {
    throw { offset: i, message };
  };
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const expectChar = (c: string) => {
    if (text[i] !== c) fail(i >= text.length ? `expected '${c}' but the input ended` : `expected '${c}', found '${text[i]}'`);
    i++;
  };
  const string = () => {
    expectChar('"');
    while (i < text.length && text[i] !== '"') {
      const c = text.charCodeAt(i);
      if (c < 0x20) fail('control character in string (escape it)');
      if (text[i] === '\\') {
        i++;
        const e = text[i];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail('bad \\u escape');
          i += 5;
          continue;
        }
        if (e === undefined || !'"\\/bfnrt'.includes(e)) fail('bad escape in string');
      }
      i++;
    }
    if (i >= text.length) fail('unterminated string');
    i++;
  };
  const number = () => {
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m) fail(`unexpected character '${text[i]}'`);
    i += m![0].length;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === undefined) fail('unexpected end of input');
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail(text[i] === '}' ? 'trailing comma before }' : `expected a "quoted" key, found '${text[i] ?? 'end of input'}'`);
        string();
        ws();
        expectChar(':');
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        expectChar('}');
        return;
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (text[i] === ',') {
          i++;
          ws();
          if (text[i] === ']') fail('trailing comma before ]');
          continue;
        }
        expectChar(']');
        return;
      }
    }
    if (c === '"') return string();
    for (const lit of ['true', 'false', 'null']) {
      if (text.startsWith(lit, i)) {
        i += lit.length;
        return;
      }
    }
    number();
  };
  try {
    value();
    ws();
    if (i < text.length) fail(`unexpected '${text[i]}' after the JSON value`);
    return undefined;
  } catch (err) {
    if (err && typeof err === 'object' && 'offset' in err) return err as { offset: number; message: string };
    throw err;
  }
}
