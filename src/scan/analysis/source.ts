/**
 * Text-level helpers shared by every analyser: offset → line/column mapping, file
 * classification (language, test file, minified, binary) and excerpts.
 */

export type Language = 'js' | 'python' | 'shell' | 'text';

const JS_EXT = /\.(?:js|mjs|cjs|jsx|ts|mts|cts|tsx)$/i;
// `.pth` files are path lists with optional `import` lines; CQ-02 reads them as text (install-hook).
const PY_EXT = /\.(?:py|pyw)$/i;
const SH_EXT = /\.(?:sh|bash|zsh|ksh)$/i;

export function languageOf(path: string): Language {
  if (JS_EXT.test(path)) return 'js';
  if (PY_EXT.test(path)) return 'python';
  if (SH_EXT.test(path)) return 'shell';
  return 'text';
}

/** Test files per mtf-controls §4.2; excluded from CQ-03, CQ-04 and CQ-05 only. */
export function isTestFile(path: string): boolean {
  const p = '/' + path;
  if (/\/(?:test|tests|__tests__|spec)\//.test(p)) return true;
  const base = p.slice(p.lastIndexOf('/') + 1);
  return /\.(?:test|spec)\.[^/]+$/.test(base) || /^test_.*\.py$/.test(base) || /_test\.py$/.test(base) || /\.d\.[mc]?ts$/.test(base);
}

/** Binary per §5 Size: a NUL byte in the first 8 KiB. */
export function isBinary(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 8192);
  for (let i = 0; i < n; i++) if (bytes[i] === 0) return true;
  return false;
}

/** Minified per §5 Size: `*.min.js` or a mean line length over 500. */
export function isMinified(path: string, text: string): boolean {
  if (/\.min\.[cm]?js$/i.test(path)) return true;
  if (text.length < 2000) return false;
  let lines = 1;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lines++;
  return text.length / lines > 500;
}

/** Maps character offsets to 1-based line/column, built once per file. */
export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }

  position(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (this.starts[lo] as number) + 1 };
  }

  lineText(line: number): string {
    const start = this.starts[line - 1] ?? 0;
    const next = this.starts[line];
    const end = next === undefined ? this.text.length : next - 1;
    return this.text.slice(start, end).replace(/\r$/, '');
  }
}

/** A ≤200-character excerpt of a line, as findings carry it. */
export function excerptOf(lineText: string, column = 1): string {
  const t = lineText.trim();
  if (t.length <= 200) return t;
  const lead = lineText.length - lineText.trimStart().length;
  const from = Math.max(0, Math.min(column - 1 - lead - 60, t.length - 200));
  return t.slice(from, from + 200);
}

/** Shannon entropy in bits per character. */
export function shannonEntropy(s: string): number {
  if (!s) return 0;
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  const n = [...s].length;
  let h = 0;
  for (const c of counts.values()) {
    const p = c / n;
    h -= p * Math.log2(p);
  }
  return h;
}

export function isPrintableText(s: string, ratio = 0.8): boolean {
  if (!s) return false;
  let ok = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 32 && c < 127) || c === 9 || c === 10 || c === 13 || c >= 160) ok++;
  }
  return ok / s.length >= ratio;
}
