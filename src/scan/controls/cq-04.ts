/**
 * CQ-04 Input Validation (L3): every tool handler located as in CD-03 must validate its
 * arguments (SDK zod shapes, FastMCP annotations, or explicit parse/validate calls), and every
 * JSON Schema shipped in server code must compile with ajv. A declared tool whose handler cannot
 * be located fails closed.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { analyseSource, bundleAnalysis, type SourceFile } from '../analysis/bundle.js';
import { definitionsOf, type SourceDefinition } from '../analysis/definitions.js';
import type { Control, ControlResult, RawFinding, ScanContext } from '../types.js';

async function sourceTree(root: string): Promise<SourceFile[]> {
  const out: SourceFile[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    if (depth > 12) return;
    for (const e of await readdir(dir, { withFileTypes: true })) {
      if (e.name === 'node_modules' || e.name === '.git' || e.name === '.venv' || e.name === 'venv') continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p, depth + 1);
      else if (/\.(?:[cm]?[jt]sx?|py)$/.test(e.name) && !/\.d\.[cm]?ts$/.test(e.name)) {
        out.push(await analyseSource({ path: relative(root, p).split('\\').join('/'), text: await readFile(p, 'utf8') }));
      }
    }
  };
  await walk(root, 0);
  return out;
}

async function schemaFindings(files: SourceFile[]): Promise<RawFinding[]> {
  const schemas = files.filter((f) => !f.isDependency && /\.schema\.json$/i.test(f.path));
  if (schemas.length === 0) return [];
  const { Ajv } = (await import('ajv')) as any;
  const Ajv2020 = ((await import('ajv/dist/2020.js')) as any).default;
  const findings: RawFinding[] = [];
  for (const f of schemas) {
    let schema: any;
    try {
      schema = JSON.parse(f.text);
    } catch (err) {
      findings.push({ control: 'CQ-04', rule: 'schema-invalid', severity: 'HIGH', title: 'JSON Schema does not parse', description: `${f.path}: ${(err as Error).message}`, remediation: 'Fix the JSON syntax of the schema.', file: f.path });
      continue;
    }
    const ajv = /2020-12|2019-09/.test(String(schema?.$schema ?? '')) ? new Ajv2020({ strict: false }) : new Ajv({ strict: false });
    try {
      ajv.compile(schema);
    } catch (err) {
      findings.push({ control: 'CQ-04', rule: 'schema-invalid', severity: 'HIGH', title: 'JSON Schema does not compile', description: `${f.path}: ${(err as Error).message}`, remediation: 'Fix the schema so validation actually runs.', file: f.path });
      continue;
    }
    if (schema && schema.type === 'object' && schema.properties && schema.additionalProperties !== false && schema.unevaluatedProperties !== false) {
      findings.push({ control: 'CQ-04', rule: 'schema-open-object', severity: 'MEDIUM', title: 'Schema allows undeclared properties', description: `${f.path} does not set additionalProperties: false.`, remediation: 'Set additionalProperties: false on tool input objects.', file: f.path });
    }
  }
  return findings;
}

const SENSITIVE_SINK = /^(?:fs|fs\/promises|fs\.promises)\.\w+$|^(?:open|pathlib\.Path|os\.(?:remove|unlink|listdir|makedirs|rename))$|^(?:fetch|axios(?:\.\w+)?|got|https?\.(?:request|get)|requests\.\w+|httpx\.\w+)$|^(?:child_process\.\w+|subprocess\.\w+|os\.system)$/;

/** MEDIUM: a tool parameter with no length/pattern/enum/format bound reaches a path, URL or command sink. */
function unconstrainedFindings(defs: SourceDefinition[], files: SourceFile[]): RawFinding[] {
  const out: RawFinding[] = [];
  const byPath = new Map(files.map((f) => [f.path, f]));
  for (const d of defs) {
    if (d.kind !== 'tool' || d.handlerFn === undefined || !d.inputProperties) continue;
    const file = byPath.get(d.file);
    const facts = file?.facts;
    if (!file || !facts) continue;
    const loose = Object.entries(d.inputProperties).filter(([, p]) => p.constrained === false).map(([k]) => k);
    if (loose.length === 0) continue;
    for (const c of facts.calls) {
      if (c.fn !== d.handlerFn || !SENSITIVE_SINK.test(c.callee)) continue;
      const arg = c.args.find((a) => a.tainted);
      if (!arg) continue;
      const argText = file.text.slice(arg.start, arg.end);
      const param = loose.find((p) => new RegExp(`\\b${p}\\b`).test(argText));
      if (!param) continue;
      const pos = file.lines.position(c.start);
      out.push({ control: 'CQ-04', rule: 'unconstrained-input', severity: 'MEDIUM', title: 'Unbounded tool input reaches a sensitive sink', description: `tool "${d.name}": parameter "${param}" has no max/pattern/enum/format constraint and reaches ${c.callee}.`, remediation: 'Bound the parameter in its schema (max length, regex, enum or url/format).', file: d.file, line: pos.line, column: pos.column });
    }
  }
  return out;
}

function handlerFindings(defs: SourceDefinition[], manifestTools: string[]): RawFinding[] {
  const findings: RawFinding[] = [];
  const handlers = defs.filter((d) => d.kind === 'tool' && !d.via.endsWith('list literal'));
  for (const d of handlers) {
    const where = { file: d.file, line: d.line, column: d.column };
    const label = d.name ? `tool "${d.name}"` : `the ${d.via} handler`;
    if (d.validation === 'none') {
      findings.push({ control: 'CQ-04', rule: 'unvalidated-handler', severity: 'HIGH', title: 'Tool handler without input validation', description: `${label} (${d.via}) uses its arguments without a schema check.`, remediation: 'Register the tool with a zod input schema (server.registerTool(name, {inputSchema}, handler)) or validate arguments with zod/ajv before use.', ...where });
    } else if (d.validation === 'unknown') {
      findings.push({ control: 'CQ-04', rule: 'undecided-validation', severity: 'MEDIUM', title: 'Input validation could not be decided', description: `${label}: the tool configuration is not a literal, so its input schema could not be checked (reported one step lower, §5).`, remediation: 'Pass the tool configuration as an object literal with an inputSchema.', ...where });
    } else if (d.validation === 'partial') {
      findings.push({ control: 'CQ-04', rule: 'partial-validation', severity: 'MEDIUM', title: 'Partial input validation', description: `${label} accepts any/unknown/dict or unannotated parameters.`, remediation: 'Give every parameter a concrete type (no z.any(), Any, dict or missing annotations).', ...where });
    }
  }
  const dispatcher = handlers.some((d) => !d.name);
  const named = new Set(handlers.map((d) => d.name).filter(Boolean));
  for (const name of manifestTools) {
    if (named.has(name) || dispatcher) continue;
    findings.push({ control: 'CQ-04', rule: 'handler-not-found', severity: 'HIGH', title: 'Declared tool without a located handler', description: `manifest tool "${name}" has no handler in server code that the scanner could locate, so its validation cannot be checked.`, remediation: 'Register the tool with a literal name (server.registerTool("name", …) or @mcp.tool()) in the bundled server code.', file: 'manifest.json' });
  }
  return findings;
}

export const cq04: Control = {
  id: 'CQ-04',
  name: 'Input Validation',
  level: 3,
  domain: 'code_quality',
  async evaluate(ctx: ScanContext): Promise<ControlResult> {
    const manifestTools: string[] = Array.isArray(ctx.manifest?.tools) ? ctx.manifest!.tools.map((t: any) => t?.name).filter((n: unknown): n is string => typeof n === 'string') : [];
    const analysis = await bundleAnalysis(ctx);
    let files = analysis.files.filter((f) => !f.isDependency && !f.isTest);
    const code = files.filter((f) => f.language === 'js' || f.language === 'python');
    let origin = 'bundle';
    if (code.length === 0 && ctx.manifest?.server?.type === 'binary') {
      if (manifestTools.length === 0 && ctx.manifest?.tools_generated !== true) return { status: 'skip', reason: 'binary bundle declaring no tools', findings: [] };
      if (!ctx.options.source) return { status: 'unverified', reason: 'binary bundle with no analysable source', requires: ['--source'], findings: [] };
      files = await sourceTree(ctx.options.source);
      origin = '--source tree';
    }
    const unparsed = files.filter((f) => (f.language === 'js' || f.language === 'python') && f.parseError);
    const defs = definitionsOf(files);
    const tools = defs.filter((d) => d.kind === 'tool');
    if (manifestTools.length === 0 && tools.length === 0) return { status: 'skip', reason: 'no tools declared in the manifest and none registered in code', findings: [] };
    const findings = [...handlerFindings(defs, manifestTools), ...unconstrainedFindings(defs, files), ...(await schemaFindings(files))];
    if (unparsed.length > 0) {
      return { status: 'error', reason: `${unparsed.length} server-code file(s) could not be parsed; handlers there are unchecked`, errors: unparsed.map((f) => `${f.path}: ${f.parseError}`), findings };
    }
    return { status: 'pass', reason: `${tools.length} tool handler(s) in the ${origin}, ${manifestTools.length} declared tool(s) checked`, findings };
  },
};
