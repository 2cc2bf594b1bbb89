// A deliberately small Markdown subset for package descriptions. Parsing produces a plain tree;
// rendering builds DOM nodes with textContent only, so registry text can never become markup or
// script. Links survive only when they are absolute http(s) URLs; anything else stays text.

export type Inline =
  | { t: 'text'; v: string }
  | { t: 'code'; v: string }
  | { t: 'em' | 'strong'; c: Inline[] }
  | { t: 'link'; href: string; c: Inline[] };

export type Block =
  | { t: 'h'; level: number; c: Inline[] }
  | { t: 'p'; c: Inline[] }
  | { t: 'pre'; v: string }
  | { t: 'ul' | 'ol'; items: Inline[][] }
  | { t: 'quote'; c: Block[] }
  | { t: 'hr' };

const MAX_INPUT = 64 * 1024;
// Bounds that keep hostile input linear: emphasis nests at most this deep and spans at most
// MAX_SPAN characters, so a run of 50,000 asterisks costs no more than ordinary text.
const MAX_NESTING = 3;
const MAX_SPAN = 1000;

export function parseMarkdown(source: string): Block[] {
  const lines = source.slice(0, MAX_INPUT).replace(/\r\n?/g, '\n').split('\n');
  const blocks: Block[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (/^\s*$/.test(line)) {
      i++;
      continue;
    }
    const fence = /^\s{0,3}(```|~~~)/.exec(line);
    if (fence) {
      const body: string[] = [];
      i++;
      while (i < lines.length && !lines[i]!.trimStart().startsWith(fence[1]!)) body.push(lines[i++]!);
      i++;
      blocks.push({ t: 'pre', v: body.join('\n') });
      continue;
    }
    const heading = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      blocks.push({ t: 'h', level: heading[1]!.length, c: parseInline(heading[2]!) });
      i++;
      continue;
    }
    if (/^\s{0,3}([-*_])(\s*\1){2,}\s*$/.test(line)) {
      blocks.push({ t: 'hr' });
      i++;
      continue;
    }
    if (/^\s{0,3}>/.test(line)) {
      const body: string[] = [];
      while (i < lines.length && /^\s{0,3}>/.test(lines[i]!)) body.push(lines[i++]!.replace(/^\s{0,3}>\s?/, ''));
      blocks.push({ t: 'quote', c: parseMarkdown(body.join('\n')) });
      continue;
    }
    const listKind = listItem(line);
    if (listKind) {
      const items: Inline[][] = [];
      let current: string[] = [];
      while (i < lines.length) {
        const l = lines[i]!;
        const item = listItem(l);
        if (item && item.kind === listKind.kind) {
          if (current.length) items.push(parseInline(current.join(' ')));
          current = [item.text];
        } else if (/^\s+\S/.test(l) && current.length) {
          current.push(l.trim());
        } else break;
        i++;
      }
      if (current.length) items.push(parseInline(current.join(' ')));
      blocks.push({ t: listKind.kind, items });
      continue;
    }
    const para: string[] = [];
    while (
      i < lines.length &&
      !/^\s*$/.test(lines[i]!) &&
      !/^\s{0,3}(#{1,6}\s|```|~~~|>)/.test(lines[i]!) &&
      !(para.length && listItem(lines[i]!))
    ) {
      para.push(lines[i++]!.trim());
    }
    blocks.push({ t: 'p', c: parseInline(para.join(' ')) });
  }
  return blocks;
}

function listItem(line: string): { kind: 'ul' | 'ol'; text: string } | undefined {
  const ul = /^\s{0,3}[-*+]\s+(.*)$/.exec(line);
  if (ul) return { kind: 'ul', text: ul[1]! };
  const ol = /^\s{0,3}\d{1,9}[.)]\s+(.*)$/.exec(line);
  if (ol) return { kind: 'ol', text: ol[1]! };
  return undefined;
}

export function parseInline(text: string, depth = 0): Inline[] {
  const out: Inline[] = [];
  let buf = '';
  const flush = () => {
    if (buf) out.push({ t: 'text', v: buf });
    buf = '';
  };
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '\\' && i + 1 < text.length && /[\\`*_[\]()<>#!-]/.test(text[i + 1]!)) {
      buf += text[i + 1];
      i += 2;
      continue;
    }
    if (ch === '`') {
      const end = text.indexOf('`', i + 1);
      if (end > i) {
        flush();
        out.push({ t: 'code', v: text.slice(i + 1, end) });
        i = end + 1;
        continue;
      }
    }
    if (ch === '*' || ch === '_') {
      let run = 1;
      while (text[i + run] === ch) run++;
      if (run > 3) {
        buf += text.slice(i, i + run);
        i += run;
        continue;
      }
    }
    if ((ch === '*' || ch === '_') && depth < MAX_NESTING && text[i + 1] === ch && canOpen(text, i, 2)) {
      const end = closingDelimiter(text, ch + ch, i + 2);
      if (end > i + 2) {
        flush();
        out.push({ t: 'strong', c: parseInline(text.slice(i + 2, end), depth + 1) });
        i = end + 2;
        continue;
      }
    }
    if ((ch === '*' || ch === '_') && depth < MAX_NESTING && canOpen(text, i, 1)) {
      const end = closingDelimiter(text, ch, i + 1);
      if (end > i + 1) {
        flush();
        out.push({ t: 'em', c: parseInline(text.slice(i + 1, end), depth + 1) });
        i = end + 1;
        continue;
      }
    }
    if (ch === '[') {
      const link = /^\[([^\]]*)\]\(\s*([^\s)]*)(?:\s+"[^"]*")?\s*\)/.exec(text.slice(i));
      if (link) {
        flush();
        const label = parseInline(link[1]!);
        if (isHttpUrl(link[2]!)) out.push({ t: 'link', href: link[2]!, c: label });
        else out.push(...label);
        i += link[0].length;
        continue;
      }
    }
    if (ch === '<') {
      const auto = /^<(https?:\/\/[^\s>]+)>/.exec(text.slice(i));
      if (auto && isHttpUrl(auto[1]!)) {
        flush();
        out.push({ t: 'link', href: auto[1]!, c: [{ t: 'text', v: auto[1]! }] });
        i += auto[0].length;
        continue;
      }
    }
    buf += ch;
    i++;
  }
  flush();
  return out;
}

// Emphasis delimiters follow CommonMark's flanking idea in small: an opener is followed by a
// non-space, a closer preceded by one, and `_` never opens or closes inside a word (snake_case,
// window.__name) so identifiers in descriptions stay intact.
const WORD = /[\p{L}\p{N}]/u;

function canOpen(text: string, i: number, width: number): boolean {
  const next = text[i + width];
  if (next === undefined || /\s/.test(next)) return false;
  return text[i] !== '_' || i === 0 || !WORD.test(text[i - 1]!);
}

function closingDelimiter(text: string, delimiter: string, from: number): number {
  for (let end = text.indexOf(delimiter, from); end > 0 && end - from <= MAX_SPAN; end = text.indexOf(delimiter, end + 1)) {
    if (/\s/.test(text[end - 1]!)) continue;
    const after = text[end + delimiter.length];
    if (delimiter[0] === '_' && after !== undefined && WORD.test(after)) continue;
    if (delimiter.length === 1 && text[end + 1] === delimiter) continue;
    return end;
  }
  return -1;
}

export function isHttpUrl(href: string): boolean {
  try {
    const url = new URL(href);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/** The text of a Markdown snippet without its syntax, for one-line listings. */
export function markdownToPlain(source: string): string {
  const inline = (nodes: Inline[]): string => nodes.map((n) => (n.t === 'text' || n.t === 'code' ? n.v : inline(n.c))).join('');
  const block = (b: Block): string => {
    switch (b.t) {
      case 'h':
      case 'p':
        return inline(b.c);
      case 'pre':
        return b.v;
      case 'ul':
      case 'ol':
        return b.items.map(inline).join('; ');
      case 'quote':
        return b.c.map(block).join(' ');
      case 'hr':
        return '';
    }
  };
  // Listings carry descriptions already folded onto one line, where "## Heading" is no longer a
  // heading: drop such markers too.
  const text = parseMarkdown(source).map(block).filter(Boolean).join(' ');
  return text.replace(/(^|\s)#{1,6}(?=\s)/g, '$1').replace(/\s+/g, ' ').trim();
}

/** Renders parsed Markdown into a fragment; headings are shifted so they never outrank the page's. */
export function renderMarkdown(source: string, headingOffset = 2): DocumentFragment {
  const fragment = document.createDocumentFragment();
  for (const block of parseMarkdown(source)) fragment.appendChild(renderBlock(block, headingOffset));
  return fragment;
}

function renderBlock(block: Block, offset: number): Node {
  switch (block.t) {
    case 'h': {
      const el = document.createElement(`h${Math.min(6, block.level + offset)}`);
      renderInlines(el, block.c);
      return el;
    }
    case 'p': {
      const el = document.createElement('p');
      renderInlines(el, block.c);
      return el;
    }
    case 'pre': {
      const pre = document.createElement('pre');
      const code = document.createElement('code');
      code.textContent = block.v;
      pre.appendChild(code);
      return pre;
    }
    case 'ul':
    case 'ol': {
      const list = document.createElement(block.t);
      for (const item of block.items) {
        const li = document.createElement('li');
        renderInlines(li, item);
        list.appendChild(li);
      }
      return list;
    }
    case 'quote': {
      const el = document.createElement('blockquote');
      for (const b of block.c) el.appendChild(renderBlock(b, offset));
      return el;
    }
    case 'hr':
      return document.createElement('hr');
  }
}

function renderInlines(parent: Node, inlines: Inline[]): void {
  for (const node of inlines) {
    switch (node.t) {
      case 'text':
        parent.appendChild(document.createTextNode(node.v));
        break;
      case 'code': {
        const el = document.createElement('code');
        el.textContent = node.v;
        parent.appendChild(el);
        break;
      }
      case 'em':
      case 'strong': {
        const el = document.createElement(node.t);
        renderInlines(el, node.c);
        parent.appendChild(el);
        break;
      }
      case 'link': {
        const a = document.createElement('a');
        a.href = node.href;
        a.rel = 'noopener noreferrer nofollow';
        a.target = '_blank';
        renderInlines(a, node.c);
        parent.appendChild(a);
        break;
      }
    }
  }
}
