/**
 * Finds duplicate object keys in a JSON text, which `JSON.parse` silently resolves to the last
 * value (a parser-differential risk, AI-01). Returns the JSON paths of every repeated key; throws a
 * SyntaxError on invalid JSON, like JSON.parse.
 */
export function duplicateJsonKeys(text: string): string[] {
  let i = 0;
  const dups: string[] = [];
  const ws = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t')) i++;
  };
  const fail = (what: string): never => {
    throw new SyntaxError(`${what} at position ${i}`);
  };
  const str = (): string => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    if (i >= text.length) fail('unterminated string');
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (path: string): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const seen = new Set<string>();
      ws();
      if (text[i] === '}') return void i++;
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a key');
        const key = str();
        const keyPath = `${path}.${key}`;
        if (seen.has(key)) dups.push(keyPath);
        seen.add(key);
        ws();
        if (text[i] !== ':') fail('expected :');
        i++;
        value(keyPath);
        ws();
        if (text[i] === ',') (i++);
        else if (text[i] === '}') return void i++;
        else fail('expected , or }');
      }
    } else if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') return void i++;
      for (let n = 0; ; n++) {
        value(`${path}[${n}]`);
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') return void i++;
        else fail('expected , or ]');
      }
    } else if (c === '"') str();
    else {
      const m = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(i, i + 400));
      if (!m) fail('unexpected token');
      i += m![0].length;
    }
  };
  value('$');
  ws();
  if (i < text.length) fail('trailing data');
  return dups;
}
