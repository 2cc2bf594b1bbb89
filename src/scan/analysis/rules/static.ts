/**
 * CQ-03 Static Analysis rules over server-code facts: path-prefix containment
 * (CVE-2025-53110/53109), CLI argument injection (CVE-2025-68144), TLS verification off,
 * unauthenticated listeners (CVE-2025-49596), SSRF, regex from input, insecure temp files,
 * timing-unsafe comparisons and weak hashes.
 */
import type { Severity } from '../../types.js';
import type { SourceFile } from '../bundle.js';
import type { CallFact } from '../facts.js';
import type { Hit } from '../hits.js';
import { NETWORK_SINK, PROCESS_SINK, isWriteCall } from './sinks.js';

const h = (rule: string, severity: Severity, title: string, description: string, remediation: string, span: { start: number; end: number }): Hit => ({
  rule,
  severity,
  title,
  description,
  remediation,
  start: span.start,
  end: span.end,
});

const CLI_TOOLS = /^(?:git|kubectl|docker|ssh|scp|rsync|curl|tar|find)$/;
const PATHISH = /path|dir|root|base|folder|file|allowed|parent|cwd|home|workspace/i;

function src(file: SourceFile, span: { start: number; end: number }): string {
  return file.text.slice(span.start, span.end);
}

function fnText(file: SourceFile, fn: number): string {
  const f = file.facts?.functions[fn];
  return f ? file.text.slice(f.start, f.end) : file.text;
}

/** CQ-03 hits for one analysed server-code file. */
export function staticHits(file: SourceFile): Hit[] {
  const facts = file.facts;
  if (!facts) return [];
  const hits: Hit[] = [];
  const py = facts.language === 'python';

  for (const c of facts.calls) {
    const a0 = c.args[0];
    // path-prefix-containment
    if (/\.(?:startsWith|startswith)$/.test(c.callee) && a0 && a0.constant === undefined) {
      const argText = src(file, a0);
      const recv = c.written.replace(/\.(?:startsWith|startswith)$/, '');
      if (PATHISH.test(argText) && !/^(?:line|text|str|s|prefix|mime|type|url|name)$/i.test(recv) && !/sep\b|['"`](?:\/|\\{1,2})['"`]|\+\s*['"`][/\\]|[/\\]`\s*$|os\.sep|path\.sep|endsWith|endswith/.test(argText)) {
        hits.push(h('path-prefix-containment', 'HIGH', 'Path containment checked with a bare prefix', `${c.written}(${argText.slice(0, 60)}) accepts sibling paths such as "/allowed-evil" for the root "/allowed" (CVE-2025-53110 shape).`, 'Resolve with realpath, then check startsWith(root + path.sep) or path.relative(root, p) not starting with "..".', c));
      }
    }
    // cli-argument-injection
    if (PROCESS_SINK.test(c.callee) && !/exec$|execSync$|system$|popen$/.test(c.callee)) {
      const argv = py ? a0?.elements : c.args[1]?.elements;
      const prog = String((py ? argv?.[0]?.constant : a0?.constant) ?? '');
      if (argv && CLI_TOOLS.test(prog.replace(/^.*\//, ''))) {
        const taintedIdx = argv.findIndex((e) => e.tainted);
        const dashdash = argv.findIndex((e) => e.constant === '--');
        const rejects = /startsWith\(\s*['"]-['"]\s*\)|startswith\(\s*['"]-['"]\s*\)|\[0\]\s*===?\s*['"]-['"]|^-|\^-/.test(fnText(file, c.fn));
        if (taintedIdx >= 0 && (dashdash < 0 || dashdash > taintedIdx) && !rejects) {
          hits.push(h('cli-argument-injection', 'HIGH', `Tool input passed as a ${prog} argument`, `${c.written} passes tool input to ${prog} without "--" or a leading-dash check, so "--upload-pack=..."-style options can be injected (CVE-2025-68144 shape).`, 'Insert "--" before user-supplied arguments and reject values starting with "-".', c));
        }
      }
    }
    if (/exec$|execSync$|^subprocess\.\w+$|^os\.system$/.test(c.callee) && a0?.tainted) {
      const text = src(file, a0).replace(/^[`'"f]+/, '');
      const prog = /^\s*([\w-]+)/.exec(text)?.[1] ?? '';
      if (CLI_TOOLS.test(prog)) {
        hits.push(h('cli-argument-injection', 'HIGH', `Tool input interpolated into a ${prog} command`, `${c.written} builds a ${prog} command line from tool input.`, 'Use an argument array with "--" before user values, and reject leading dashes.', c));
      }
    }
    // tls-verification-disabled (Python keyword and calls)
    if (py && (c.kwargs.verify?.constant === false || /^ssl\._create_unverified_context$/.test(c.callee))) {
      hits.push(h('tls-verification-disabled', 'HIGH', 'TLS certificate verification disabled', `${c.written} disables certificate verification.`, 'Keep verification on; pass a CA bundle if a private CA is needed.', c));
    }
    // ssrf-tool-url
    if (NETWORK_SINK.test(c.callee) && a0?.tainted && !/allow|isPrivate|private|localhost|127\.0\.0\.1|hostname\s*(?:===|!==|in)/i.test(fnText(file, c.fn))) {
      hits.push(h('ssrf-tool-url', 'MEDIUM', 'Tool-supplied URL fetched', `${c.written} fetches a URL from tool input with no host allowlist or private-address check.`, 'Check the host against an allowlist and reject private, loopback and link-local addresses.', c));
    }
    // regex-from-input
    if (/^(?:new RegExp|RegExp|re\.(?:compile|search|match|fullmatch|findall|sub))$/.test(c.callee) && a0?.tainted) {
      hits.push(h('regex-from-input', 'MEDIUM', 'Regular expression built from tool input', `${c.written} compiles a pattern from tool input (ReDoS).`, 'Escape the input or use a linear-time matcher with a length limit.', c));
    }
    // insecure-temp
    if (c.callee === 'tempfile.mktemp' || (isWriteCall(c) && typeof a0?.constant === 'string' && /^\/tmp\/[^/]+/.test(a0.constant))) {
      hits.push(h('insecure-temp', 'MEDIUM', 'Predictable temporary file', `${c.written} uses a predictable temporary path.`, 'Use mkdtemp / tempfile.mkstemp.', c));
    }
    // weak-hash
    if (/^(?:crypto\.createHash|hashlib\.new)$/.test(c.callee) && /^(?:md5|sha1)$/i.test(String(a0?.constant)) || /^hashlib\.(?:md5|sha1)$/.test(c.callee)) {
      const line = file.lines.lineText(file.lines.position(c.start).line);
      if (/passw|token|secret|signature|hmac/i.test(line)) hits.push(h('weak-hash', 'LOW', 'Weak hash for a secret', `${c.written} uses MD5/SHA-1 for a password, token or signature.`, 'Use SHA-256 (HMAC) or a password hash (scrypt, argon2).', c));
    }
    // unauthenticated-listener
    if (/\.listen$/.test(c.callee) || /^uvicorn\.run$|(?:^|\.)run$/.test(c.callee)) {
      hits.push(...listenerHits(file, c));
    }
  }
  // tls-verification-disabled (assignments / properties)
  for (const a of facts.assignments) {
    const name = a.name.split('.').pop() ?? a.name;
    if ((name === 'rejectUnauthorized' || name === 'strictSSL') && a.value.constant === false) {
      hits.push(h('tls-verification-disabled', 'HIGH', 'TLS certificate verification disabled', `${name}: false turns off certificate checks.`, 'Remove it; trust a private CA with the ca option instead.', a));
    }
    if (name === 'NODE_TLS_REJECT_UNAUTHORIZED' && String(a.value.constant) === '0') {
      hits.push(h('tls-verification-disabled', 'HIGH', 'TLS verification disabled process-wide', 'NODE_TLS_REJECT_UNAUTHORIZED=0 disables certificate checks for every connection.', 'Remove it; use NODE_EXTRA_CA_CERTS for private CAs.', a));
    }
    if ((name === 'verify_mode' || name === 'check_hostname') && (a.value.ref?.endsWith('CERT_NONE') || a.value.constant === false)) {
      hits.push(h('tls-verification-disabled', 'HIGH', 'TLS verification disabled', `${name} turns off certificate checks.`, 'Keep CERT_REQUIRED and hostname checks.', a));
    }
  }
  // timing-unsafe-compare
  for (const cmp of facts.comparisons) {
    if (!/^[!=]==?$/.test(cmp.op) && !/^[!=]=$/.test(cmp.op)) continue;
    const names = [cmp.left, cmp.right];
    if (names.some((n) => !n || /^(?:undefined|null|None|length|type|typeof)$/i.test(n))) continue;
    if (names.some((n) => /token|secret|signature|hmac/i.test(n)) && !names.some((n) => /type|kind|name|length|count|expir|id$/i.test(n))) {
      hits.push(h('timing-unsafe-compare', 'LOW', 'Secret compared with ==', `${cmp.left} ${cmp.op} ${cmp.right} leaks timing.`, 'Use crypto.timingSafeEqual / hmac.compare_digest.', cmp));
    }
  }
  return hits;
}

function listenerHits(file: SourceFile, c: CallFact): Hit[] {
  const facts = file.facts!;
  const isServer = /createServer|express\(|WebSocketServer|new Server\(|fastify|Koa|Hono|uvicorn|Starlette|FastAPI|Flask|aiohttp\.web|http\.server/.test(file.text);
  if (!isServer) return [];
  let host: unknown;
  if (/\.listen$/.test(c.callee)) {
    const hostArg = c.args.find((a, i) => i > 0 && typeof a.constant === 'string');
    host = hostArg?.constant ?? c.args[0]?.props?.host?.constant;
    if (c.args[0]?.props && !c.args[0].props.host) host = undefined;
  } else {
    if (!/^uvicorn\.run$/.test(c.callee) && !c.kwargs.host) return [];
    host = c.kwargs.host?.constant;
  }
  if (host !== undefined && host !== '0.0.0.0' && host !== '::' && host !== '') return [];
  const reachesSink = facts.calls.some((x) => PROCESS_SINK.test(x.callee) || /^(?:eval|new Function|Function|vm\.\w+)$/.test(x.callee));
  const checks = /authorization|bearer|x-api-key|api[_-]?key|\borigin\b|auth[_-]?token|verifyToken|timingSafeEqual|compare_digest/i.test(file.text);
  const severity: Severity = reachesSink && !checks ? 'HIGH' : 'MEDIUM';
  return [
    h('unauthenticated-listener', severity, 'Listener on all interfaces', `${c.written} binds ${host === undefined ? 'every interface (no host given)' : String(host)}${severity === 'HIGH' ? ', a route reaches a process or eval sink, and no token or Origin check was found (CVE-2025-49596 shape)' : ''}.`, "Bind to 127.0.0.1 and require a token and an Origin check on every route.", c),
  ];
}

/** unanalysable-source: a server-code file that does not parse (fail closed). */
export function unanalysableHit(file: SourceFile): Hit {
  return {
    rule: 'unanalysable-source',
    severity: 'HIGH',
    title: 'Source file does not parse',
    description: `${file.path} could not be parsed (${(file.parseError ?? '').slice(0, 200)}), so it cannot be analysed.`,
    remediation: 'Ship syntactically valid source (or its compiled output) so it can be reviewed.',
  };
}
