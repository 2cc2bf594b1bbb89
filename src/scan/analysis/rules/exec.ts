/**
 * CQ-05 Safe Execution Patterns over the alias-resolved facts: shell execution, dynamic code,
 * SQL built from templates, unsafe deserialisation, and the shell command-substitution shape.
 * Rule ids are kebab-case and stable; severities follow mtf-controls CQ-05.
 */
import type { Severity } from '../../types.js';
import type { SourceFile } from '../bundle.js';
import type { CallFact, ValueFact } from '../facts.js';
import type { Hit } from '../hits.js';

const h = (rule: string, severity: Severity, title: string, description: string, remediation: string, span: { start: number; end: number }): Hit => ({
  rule,
  severity,
  title,
  description,
  remediation,
  start: span.start,
  end: span.end,
});

const isConst = (v: ValueFact | undefined) => v !== undefined && v.constant !== undefined && !v.tainted;
const SHELL_FLAG = /^(?:-c|\/c|\/C|-Command)$/;

function shellArgv(c: CallFact): boolean {
  const argv = c.args[1]?.elements?.map((e) => e.constant) ?? [];
  const cmd = String(c.args[0]?.constant ?? '');
  return /(?:^|\/)(?:ba|z|da)?sh$|^cmd(?:\.exe)?$|^powershell(?:\.exe)?$|^pwsh$/.test(cmd) && argv.some((a) => typeof a === 'string' && SHELL_FLAG.test(a));
}

/** CQ-05 hits for one analysed server-code file. */
export function execHits(file: SourceFile): Hit[] {
  const facts = file.facts;
  if (!facts) return [];
  const hits: Hit[] = [];
  const js = facts.language === 'js';
  for (const c of facts.calls) {
    const callee = c.callee;
    const a0 = c.args[0];
    if (js) {
      if (/^child_process\.(?:exec|execSync)$/.test(callee) || /^shelljs\.exec$/.test(callee)) {
        if (isConst(a0)) hits.push(h('child-process-exec', 'MEDIUM', 'Shell command execution (constant)', `${c.written} runs a constant command through a shell.`, 'Use execFile/spawn with an argument array and no shell.', c));
        else hits.push(h('child-process-exec', a0?.tainted ? 'HIGH' : 'HIGH', 'Shell command built at run time', `${c.written} runs a non-constant command through a shell${a0?.tainted ? ' (derived from tool input)' : ''}.`, 'Use execFile/spawn with an argument array, no shell, and validate every argument.', c));
        continue;
      }
      if (/^child_process\.(?:spawn|spawnSync|execFile|execFileSync|fork)$/.test(callee) || /^(?:execa|cross-spawn)(?:\.\w+)?$/.test(callee)) {
        const opts = c.args.find((a) => a.props)?.props;
        if (opts?.shell && opts.shell.constant !== false && opts.shell.constant !== undefined) {
          hits.push(h('spawn-shell', 'HIGH', 'Process started with shell: true', `${c.written} is called with shell: true, so arguments are interpreted by a shell.`, 'Remove shell: true and pass arguments as an array.', c));
        } else if (shellArgv(c)) {
          hits.push(h('spawn-shell', 'HIGH', 'Process started through sh -c / cmd /c', `${c.written} starts a shell with a command string.`, 'Run the program directly with an argument array.', c));
        }
        continue;
      }
      if (/^(?:eval|vm\.(?:runInThisContext|runInNewContext|runInContext)|new vm\.Script|vm\.Script)$/.test(callee)) {
        if (a0 && a0.constant === undefined) {
          hits.push(a0.tainted ? h('eval-tainted', 'CRITICAL', 'Tool input evaluated as code', `${c.written} evaluates a value derived from tool input.`, 'Never evaluate tool input; parse it as data.', c) : h('eval-dynamic', 'HIGH', 'Dynamic code evaluation', `${c.written} evaluates a non-literal value.`, 'Remove eval; use a data format or a lookup table.', c));
        }
        continue;
      }
      if (/^(?:new )?Function$/.test(callee)) {
        const body = c.args[c.args.length - 1];
        if (body && body.constant === undefined) {
          hits.push(body.tainted ? h('eval-tainted', 'CRITICAL', 'Tool input compiled as code', 'new Function is built from tool input.', 'Never compile tool input.', c) : h('new-function', 'MEDIUM', 'new Function on a non-literal', `${c.written} compiles a non-literal string.`, 'Avoid runtime code generation.', c));
        }
        continue;
      }
      if (/^(?:setTimeout|setInterval|setImmediate)$/.test(callee) && a0 && (a0.kind === 'literal' || a0.kind === 'template' || a0.kind === 'binary') && typeof a0.constant !== 'function') {
        if (typeof a0.constant === 'string' || a0.kind === 'template' || a0.kind === 'binary') hits.push(h('string-timer', 'MEDIUM', 'Timer with a string body', `${c.written} evaluates a string.`, 'Pass a function to timers.', c));
        continue;
      }
      if (/^require$/.test(callee) && a0 && a0.constant === undefined) {
        hits.push(h('dynamic-require', a0.tainted ? 'HIGH' : 'MEDIUM', 'require of a non-literal', 'A module path is computed at run time.', 'Require modules by literal name.', c));
        continue;
      }
      if (/(?:^|\.)(?:query|execute|raw|run|all|get|prepare)$/.test(callee) && a0?.kind === 'template' && a0.constant === undefined && /^\s*(?:SELECT|INSERT|UPDATE|DELETE|WITH|CREATE|DROP|ALTER|REPLACE|PRAGMA)\b/i.test(file.text.slice(a0.start + 1, a0.start + 40))) {
        hits.push(h('sql-template', 'HIGH', 'SQL built with a template literal', `${c.written} receives SQL with interpolated values.`, 'Use parameterised queries (placeholders + values array).', c));
        continue;
      }
      if ((/^open(?:\.\w+)?$/.test(callee) || /^electron\.shell\.openExternal$|\.openExternal$/.test(callee)) && a0?.tainted) {
        hits.push(h('open-url-from-input', 'HIGH', 'Tool-supplied URL opened by the OS', `${c.written} opens a URL from tool input without an http(s) scheme check (the CVE-2025-6514 shape).`, "Parse with new URL() and allow only 'http:' and 'https:' before opening.", c));
        continue;
      }
    } else {
      if (/^subprocess\.\w+$|^asyncio\.create_subprocess_shell$/.test(callee) && (c.kwargs.shell?.constant === true || /create_subprocess_shell$/.test(callee))) {
        hits.push(h('subprocess-shell', 'HIGH', 'subprocess with shell=True', `${c.written} runs a command through the shell.`, 'Pass an argument list and drop shell=True.', c));
        continue;
      }
      if (/^os\.(?:system|popen)$|^pty\.spawn$|^commands\.getoutput$/.test(callee)) {
        hits.push(h('os-system', 'HIGH', `${callee} runs a shell`, `${c.written} runs a command through the shell.`, 'Use subprocess.run with an argument list.', c));
        continue;
      }
      if (/^(?:pickle|cPickle|dill|marshal|shelve)\.(?:load|loads|open)$/.test(callee)) {
        hits.push(h('unsafe-deserialization', 'HIGH', 'Unsafe deserialisation', `${c.written} can execute code from its input.`, 'Use JSON or a schema-validated format.', c));
        continue;
      }
      if (callee === 'yaml.load' || callee === 'yaml.load_all') {
        const loader = c.kwargs.Loader?.ref ?? c.args[1]?.ref ?? '';
        if (!/(?:SafeLoader|CSafeLoader|BaseLoader)$/.test(loader)) hits.push(h('yaml-unsafe-load', 'HIGH', 'yaml.load without a safe loader', `${c.written} can construct arbitrary objects.`, 'Use yaml.safe_load.', c));
        continue;
      }
      if (callee === 'yaml.unsafe_load' || callee === 'yaml.full_load') {
        hits.push(h('yaml-unsafe-load', 'HIGH', 'yaml unsafe load', `${c.written} can construct arbitrary objects.`, 'Use yaml.safe_load.', c));
        continue;
      }
      if (/(?:^|\.)(?:execute|executemany|executescript)$/.test(callee) && a0 && a0.constant === undefined && (a0.kind === 'binary' || a0.kind === 'template' || (a0.kind === 'call' && /\.format$/.test(a0.call ?? '')))) {
        hits.push(h('sql-string-build', 'HIGH', 'SQL built by string formatting', `${c.written} receives a query built with %, +, .format or an f-string.`, 'Use placeholders and pass parameters separately.', c));
        continue;
      }
      if (/(?:^|\.)Environment$/.test(callee) && /jinja2/.test(callee) && c.kwargs.autoescape?.constant === false) {
        hits.push(h('jinja-autoescape-off', 'MEDIUM', 'Jinja2 autoescape disabled', 'Templates render without escaping.', 'Enable autoescape (select_autoescape()).', c));
        continue;
      }
      if (/^(?:eval|exec|compile|builtins\.eval|builtins\.exec)$/.test(callee) && a0 && a0.constant === undefined) {
        hits.push(a0.tainted ? h('eval-tainted', 'CRITICAL', 'Tool input evaluated as code', `${c.written} evaluates a value derived from tool input.`, 'Never evaluate tool input.', c) : h('eval-dynamic', 'HIGH', 'Dynamic code evaluation', `${c.written} evaluates a non-literal value.`, 'Remove eval/exec.', c));
        continue;
      }
    }
  }
  if (js) {
    for (const a of facts.assignments) {
      if (/(?:^|\.)innerHTML$|(?:^|\.)outerHTML$/.test(a.name) && a.value.constant === undefined) {
        hits.push(h('inner-html', 'MEDIUM', 'innerHTML from a non-literal', 'HTML is assigned from a computed value.', 'Use textContent or a sanitiser.', a));
      }
    }
  }
  return hits;
}

/** The shell rule (HIGH): command substitution with variables, or backticks containing `$`. */
export function shellHits(path: string, text: string): Hit[] {
  const hits: Hit[] = [];
  let offset = 0;
  for (const line of text.split('\n')) {
    if (!/^\s*#/.test(line)) {
      const m = /\$\([^)]*\$\{?[A-Za-z_]/.exec(line) ?? /`[^`]*\$[^`]*`/.exec(line);
      if (m) hits.push({ rule: 'shell-command-substitution', severity: 'HIGH', title: 'Command substitution with variables', description: `${path} substitutes a command built from variables.`, remediation: 'Quote variables and avoid building commands from input.', start: offset + m.index });
    }
    offset += line.length + 1;
  }
  return hits;
}
