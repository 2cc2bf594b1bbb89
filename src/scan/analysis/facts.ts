/**
 * The language-neutral facts an analyser extracts from one source file. JS (oxc AST) and
 * Python (tokenizer + small tree) both produce `CodeFacts`; the rule sets of CQ-01..CQ-05 and
 * CD-03 read only these facts, so every rule works the same on both languages.
 */

export interface Span {
  /** Character offsets into the file text. */
  start: number;
  end: number;
}

/** What is known about one expression (a call argument, an assigned value). */
export interface ValueFact extends Span {
  /** The folded constant, when the expression is constant after §5 folding and decoding. */
  constant?: string | number | boolean | null;
  /** True when the constant came through a decoder (atob, base64, hex, rot13, zlib, fromCharCode...). */
  decoded?: boolean;
  /** True when a decoder call appears anywhere inside the expression, constant or not. */
  viaDecoder?: boolean;
  /** True when the expression is derived from tool input (§5 Taint). */
  tainted?: boolean;
  /** Literal object properties (`{shell: true}`, `{description: '…'}`), one level deep. */
  props?: Record<string, ValueFact>;
  /** Elements of a literal array. */
  elements?: ValueFact[];
  /** Qualified name of the expression when it is a reference (`process.env`, `os.environ`). */
  ref?: string;
  /** The expression is a function (arrow, function expression, lambda). */
  isFunction?: boolean;
  /** For function values: index into CodeFacts.functions. */
  functionId?: number;
  /** Coarse kind, for messages and rules: 'literal' | 'template' | 'call' | 'identifier' | 'member' | 'object' | 'array' | 'other'. */
  kind: string;
  /** When the value is itself a call: its resolved callee (`fs.readFileSync`, `process.env.X`). */
  call?: string;
}

export interface CallFact extends Span {
  /** Resolved, alias-free callee: `child_process.exec`, `eval`, `fetch`, `subprocess.run`, `server.tool`. */
  callee: string;
  /** The callee as written in source (`run`, `cp.exec`). */
  written: string;
  args: ValueFact[];
  /** Python keyword arguments (and JS options objects are in args[i].props). */
  kwargs: Record<string, ValueFact>;
  /** Index into CodeFacts.functions of the enclosing function; -1 at module level. */
  fn: number;
  /** `new X(...)` */
  isNew?: boolean;
  /** A following `.unref()` / chained method names after the call (`.then`, `.unref`). */
  chained?: string[];
}

export interface StringFact extends Span {
  value: string;
  origin: 'literal' | 'folded' | 'decoded';
  /** Decoding depth (0 for literals). */
  depth: number;
  fn: number;
}

export interface FunctionFact extends Span {
  name?: string;
  params: string[];
  /** A tool handler (registered via server.tool / registerTool / CallToolRequestSchema / @mcp.tool). */
  isToolHandler: boolean;
  /** Names tainted inside this function. */
  tainted: string[];
  /** Python decorators, as resolved names. */
  decorators?: string[];
  /** Python parameter annotations (name → annotation text, '' when unannotated). */
  annotations?: Record<string, string>;
  docstring?: string;
}

export interface ToolRegistration extends Span {
  kind: 'tool' | 'prompt' | 'resource' | 'instructions' | 'field';
  name?: string;
  description?: string;
  /** How the description was obtained. */
  descriptionSource: 'constant' | 'dynamic' | 'external' | 'none';
  /** Where the description expression sits (for locations). */
  descriptionSpan?: Span;
  /** Input validation state of the handler (CQ-04). */
  validation: 'sdk' | 'explicit' | 'partial' | 'none' | 'unknown';
  /** Property names of the input schema, when literal; `constrained` when a length, pattern, enum or format bounds it. */
  inputProperties?: Record<string, { description?: string; constrained?: boolean }>;
  handlerFn?: number;
  via: string;
}

export interface ImportFact extends Span {
  module: string;
  /** Local names bound by this import. */
  names: string[];
  fn: number;
}

export interface CodeFacts {
  language: 'js' | 'python';
  /** Set when the file does not parse; rules that need the AST then fail closed. */
  parseError?: string;
  imports: ImportFact[];
  calls: CallFact[];
  strings: StringFact[];
  functions: FunctionFact[];
  registrations: ToolRegistration[];
  /** Assignments of constant values to interesting property names (`rejectUnauthorized: false`, `bcc: '…'`). */
  assignments: { name: string; value: ValueFact; fn: number; start: number; end: number }[];
  /** Comparisons `a === b` with both sides named (for timing-unsafe-compare). */
  comparisons: { left: string; right: string; op: string; start: number; end: number; fn: number }[];
  /** Member accesses worth knowing (`process.env`, `os.environ`, `request.params.arguments`). */
  references: { name: string; start: number; end: number; fn: number }[];
}

export function emptyFacts(language: 'js' | 'python'): CodeFacts {
  return { language, imports: [], calls: [], strings: [], functions: [], registrations: [], assignments: [], comparisons: [], references: [] };
}
