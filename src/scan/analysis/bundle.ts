/**
 * The shared analysis pass: every text file of the bundle is read once, and every JS/TS or
 * Python file is parsed once; CQ-01..CQ-05 and CD-03 read the result through
 * `ctx.shared(ANALYSIS_KEY, …)`. Minified files and dependency files over 5 MiB get text rules
 * only (§5 Size); server code is never skipped for size.
 */
import type { ScanContext, ScanFile } from '../types.js';
import type { CodeFacts } from './facts.js';
import { factsOf, type FactsJob } from './facts-of.js';
import { analyseAll } from './pool.js';
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

/** The file record of one text file, before any parse (facts are added by the caller). */
function sourceRecord(input: SourceFileInput): SourceFile {
  const minified = isMinified(input.path, input.text);
  return {
    path: input.path,
    text: input.text,
    lines: new LineIndex(input.text),
    language: languageOf(input.path),
    isDependency: input.isDependency ?? false,
    isTest: input.isTest ?? false,
    textOnly: input.textRulesOnly ?? (minified && (input.isDependency ?? false)),
    minified,
  };
}

/** The parse this file gets, or none: text-only files and declaration files are not parsed. */
function parseJob(file: SourceFile): FactsJob | undefined {
  // Declaration files hold types only: nothing runs, nothing registers a tool.
  if (file.textOnly || /\.d\.[mc]?ts$/i.test(file.path)) return undefined;
  if (file.language !== 'js' && file.language !== 'python') return undefined;
  return { path: file.path, text: file.text, language: file.language, dependency: file.isDependency };
}

function attachFacts(file: SourceFile, facts: CodeFacts): void {
  file.facts = facts;
  if (facts.parseError) file.parseError = facts.parseError;
}

/** Analyse one file from its text (used by the rule tests and for the manifest outside the bundle). */
export async function analyseSource(input: SourceFileInput): Promise<SourceFile> {
  const file = sourceRecord(input);
  const job = parseJob(file);
  if (job) attachFacts(file, await factsOf(job));
  return file;
}

function wantsText(f: ScanFile): boolean {
  return !f.isBinary;
}

/**
 * Runs (once per scan) the analysis pass over the context's files. Files are parsed on the
 * worker pool of pool.ts when the bundle is large enough; the list keeps the context's file order.
 */
export function bundleAnalysis(ctx: ScanContext): Promise<BundleAnalysis> {
  return ctx.shared(ANALYSIS_KEY, async () => {
    const started = performance.now();
    const files: SourceFile[] = [];
    const binary: string[] = [];
    // Identical contents (nested copies of one package) are parsed once; offsets are identical too.
    const byContent = new Map<string, SourceFile>();
    const twins: { index: number; of: SourceFile }[] = [];
    const parsed: SourceFile[] = [];
    const jobs: FactsJob[] = [];
    for (const f of ctx.files) {
      if (!wantsText(f)) {
        binary.push(f.path);
        continue;
      }
      const text = await f.text();
      // Server code is never skipped for size; minified server code is still parsed.
      const textRulesOnly = f.isDependency ? f.textRulesOnly : false;
      // Dependency files keep fewer facts (facts-of.ts), so a server-code twin is parsed on its own.
      const key = `${f.sha256}|${textRulesOnly}|${languageOf(f.path)}|${f.isDependency}`;
      const twin = byContent.get(key);
      if (twin) {
        // Filled in once the twin's facts exist.
        twins.push({ index: files.length, of: twin });
        files.push({ ...twin, path: f.path, isDependency: f.isDependency, isTest: f.isTest });
        continue;
      }
      const record = sourceRecord({ path: f.path, text, isDependency: f.isDependency, isTest: f.isTest, textRulesOnly });
      byContent.set(key, record);
      files.push(record);
      const job = parseJob(record);
      if (job) {
        parsed.push(record);
        jobs.push(job);
      }
    }
    const facts = await analyseAll(jobs);
    parsed.forEach((file, i) => attachFacts(file, facts[i] as CodeFacts));
    for (const { index, of } of twins) {
      const copy = files[index] as SourceFile;
      files[index] = { ...of, path: copy.path, isDependency: copy.isDependency, isTest: copy.isTest };
    }
    return { files, binary, parseMs: performance.now() - started };
  });
}
