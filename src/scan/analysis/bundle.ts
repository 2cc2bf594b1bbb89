/**
 * The shared analysis pass: every text file of the bundle is read once, and every JS/TS or
 * Python file is parsed once; CQ-01..CQ-05 and CD-03 read the result through
 * `ctx.shared(ANALYSIS_KEY, …)`. Minified files and dependency files over 5 MiB get text rules
 * only (§5 Size); server code is never skipped for size.
 */
import type { ScanContext, ScanFile } from '../types.js';
import { analyzeJs } from './js/analyze.js';
import { analyzePython } from './python/analyze.js';
import type { CodeFacts } from './facts.js';
import { isMinified, languageOf, LineIndex, type Language } from './source.js';

export const ANALYSIS_KEY = 'd2:analysis';

/** One analysed file: what every rule set reads. Independent of the engine so tests can build it. */
export interface SourceFile {
  path: string;
  text: string;
  lines: LineIndex;
  language: Language;
  /** Parsed facts (JS/TS, Python) unless the file gets text rules only. */
  facts?: CodeFacts;
  /** The parser failed on this file (fail closed in the controls that need the AST). */
  parseError?: string;
  /** Dependency code (§4.2: in a dependency directory and owned by a component). */
  isDependency: boolean;
  isTest: boolean;
  /** Minified or a large dependency file: text rules only. */
  textOnly: boolean;
  minified: boolean;
}

export interface BundleAnalysis {
  files: SourceFile[];
  /** Files that were binary (inventoried, not scanned as text). */
  binary: string[];
  /** Wall time spent parsing, for the report's data. */
  parseMs: number;
}

export interface SourceFileInput {
  path: string;
  text: string;
  isDependency?: boolean;
  isTest?: boolean;
  textRulesOnly?: boolean;
}

/** Analyse one file from its text (used by the bundle pass and by the rule tests). */
export async function analyseSource(input: SourceFileInput): Promise<SourceFile> {
  const language = languageOf(input.path);
  const minified = isMinified(input.path, input.text);
  const textOnly = input.textRulesOnly ?? (minified && (input.isDependency ?? false));
  const file: SourceFile = {
    path: input.path,
    text: input.text,
    lines: new LineIndex(input.text),
    language,
    isDependency: input.isDependency ?? false,
    isTest: input.isTest ?? false,
    textOnly,
    minified,
  };
  // Declaration files hold types only: nothing runs, nothing registers a tool.
  if (textOnly || /\.d\.[mc]?ts$/i.test(input.path)) return file;
  if (language === 'js') {
    file.facts = await analyzeJs(input.path, input.text);
  } else if (language === 'python') {
    file.facts = analyzePython(input.path, input.text);
  }
  if (file.facts?.parseError) file.parseError = file.facts.parseError;
  return file;
}

function wantsText(f: ScanFile): boolean {
  return !f.isBinary;
}

/** Runs (once per scan) the analysis pass over the context's files. */
export function bundleAnalysis(ctx: ScanContext): Promise<BundleAnalysis> {
  return ctx.shared(ANALYSIS_KEY, async () => {
    const started = performance.now();
    const files: SourceFile[] = [];
    const binary: string[] = [];
    // Identical contents (nested copies of one package) are parsed once; offsets are identical too.
    const byContent = new Map<string, SourceFile>();
    for (const f of ctx.files) {
      if (!wantsText(f)) {
        binary.push(f.path);
        continue;
      }
      const text = await f.text();
      // Server code is never skipped for size; minified server code is still parsed.
      const textRulesOnly = f.isDependency ? f.textRulesOnly : false;
      const key = `${f.sha256}|${textRulesOnly}|${languageOf(f.path)}`;
      const twin = byContent.get(key);
      if (twin) {
        files.push({ ...twin, path: f.path, isDependency: f.isDependency, isTest: f.isTest });
        continue;
      }
      const analysed = await analyseSource({ path: f.path, text, isDependency: f.isDependency, isTest: f.isTest, textRulesOnly });
      byContent.set(key, analysed);
      files.push(analysed);
    }
    return { files, binary, parseMs: performance.now() - started };
  });
}
