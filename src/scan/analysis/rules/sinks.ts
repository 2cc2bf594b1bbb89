/**
 * Names of sinks and sources shared by the rule sets, matched against the alias-free callees
 * the analysers resolve (`child_process.exec`, `subprocess.run`, `requests.post`...).
 */
import type { CallFact, CodeFacts } from '../facts.js';

export const NETWORK_SINK =
  /^(?:new )?(?:fetch|node-fetch|cross-fetch|undici\.(?:fetch|request)|axios(?:\.(?:get|post|put|patch|request|create))?|got(?:\.\w+)?|superagent\.\w+|https?\.(?:request|get)|net\.(?:connect|createConnection|Socket)|tls\.connect|dgram\.createSocket|dns\.(?:lookup|resolve\w*)|dns\.promises\.\w+|WebSocket|ws|XMLHttpRequest|requests\.(?:get|post|put|patch|request|Session)|httpx\.(?:get|post|put|patch|request|Client|AsyncClient)|urllib\.request\.(?:urlopen|Request)|urllib3\.\w+|aiohttp\.(?:ClientSession|request)|socket\.(?:socket|create_connection)|http\.client\.HTTPS?Connection|smtplib\.SMTP(?:_SSL)?)$/;

export const PROCESS_SINK =
  /^(?:new )?(?:child_process\.(?:exec|execSync|spawn|spawnSync|execFile|execFileSync|fork)|execa(?:\.\w+)?|cross-spawn(?:\.sync)?|shelljs\.exec|subprocess\.(?:run|call|check_call|check_output|Popen|getoutput|getstatusoutput)|os\.(?:system|popen|exec\w*|spawn\w*|posix_spawn\w*)|pty\.spawn|commands\.getoutput|asyncio\.create_subprocess_(?:exec|shell))$/;

/** Code-execution sinks (dynamic code, not processes). */
export const CODE_SINK = /^(?:new )?(?:eval|Function|vm\.(?:runInThisContext|runInNewContext|runInContext|compileFunction|Script)|module\._compile|Module\._compile|Module\.prototype\._compile|\?\._compile|exec|compile|__import__|builtins\.exec|builtins\.eval|importlib\.import_module)$/;

export const READ_CALL =
  /(?:^|\.)(?:readFile|readFileSync|createReadStream|readdir|readdirSync|read_text|read_bytes|copyFile|copyFileSync|cp|cpSync|copy|copy2|copyfile|copytree)$|^(?:open|io\.open|codecs\.open|fs\.promises\.readFile|fs\/promises\.readFile|glob\.glob)$/;

export const WRITE_CALL =
  /(?:^|\.)(?:writeFile|writeFileSync|appendFile|appendFileSync|createWriteStream|rename|renameSync|copyFile|copyFileSync|cp|cpSync|symlink|symlinkSync|write_text|write_bytes|move|copy|copy2|copyfile|copytree|replace)$/;

export function isProcessCall(c: CallFact): boolean {
  return PROCESS_SINK.test(c.callee);
}

export function hasNetworkSink(facts: CodeFacts): boolean {
  return facts.calls.some((c) => NETWORK_SINK.test(c.callee));
}

/** An `open(path, 'w'|'a'|'x')` call in Python, or any write-style call. */
export function isWriteCall(c: CallFact): boolean {
  if (WRITE_CALL.test(c.callee)) return true;
  if (/^(?:open|io\.open|codecs\.open)$/.test(c.callee)) {
    const mode = c.args[1]?.constant ?? c.kwargs.mode?.constant;
    return typeof mode === 'string' && /[wax+]/.test(mode);
  }
  if (/(?:^|\.)open$/.test(c.callee) && c.callee.startsWith('fs')) {
    const flags = c.args[1]?.constant;
    return typeof flags === 'string' && /[wa+]/.test(flags);
  }
  return false;
}

export function isReadCall(c: CallFact): boolean {
  return READ_CALL.test(c.callee) || /(?:^|\.)open$/.test(c.callee);
}

export const HOMEDIR_REF = /^(?:os\.homedir|process\.env\.(?:HOME|USERPROFILE)|os\.path\.expanduser|pathlib\.Path\.home|Path\.home|os\.getenv|os\.environ\.get)$/;

export function usesHomeDir(facts: CodeFacts): boolean {
  if (facts.calls.some((c) => /^(?:os\.homedir|os\.path\.expanduser|pathlib\.Path\.home|Path\.home)$/.test(c.callee))) return true;
  if (facts.references.some((r) => /^process\.env\.(?:HOME|USERPROFILE)$/.test(r.name))) return true;
  if (facts.calls.some((c) => /^(?:os\.getenv|os\.environ\.get)$/.test(c.callee) && /^(?:HOME|USERPROFILE)$/.test(String(c.args[0]?.constant)))) return true;
  return facts.strings.some((s) => /^~[/\\]/.test(s.value) || /\$HOME\b|%USERPROFILE%/.test(s.value));
}

/**
 * The callees any rule reads in dependency code (CQ-02 malware families, install hooks, the
 * obfuscation escalation; CQ-01 reads only strings). The JS analyser records only these calls for
 * dependency files: the other controls that read calls (CQ-03..CQ-05, CD-01..CD-04) skip
 * dependency code, so dropping the rest changes no finding while saving most of the per-call
 * folding and taint work. A rule that starts reading another callee in dependency code must add
 * it here (test/scan/analysis/dependency-facts.test.ts compares both modes).
 */
export const DEPENDENCY_CALL = new RegExp(
  [
    NETWORK_SINK,
    PROCESS_SINK,
    CODE_SINK,
    READ_CALL,
    WRITE_CALL,
    /(?:^|\.)open$/,
    /^(?:JSON\.stringify|Object\.(?:entries|keys|values|assign|fromEntries)|dict|json\.dumps|str|repr)$/,
    /^os\.environ\./,
    /\.connect$|^net\.createConnection$|^socket\.create_connection$|^(?:new )?(?:net\.Socket|socket\.socket)$|^(?:pty\.spawn|os\.dup2)$/,
    /^require$|\.then$|\.unref$/,
    /^(?:atob|Buffer\.from|String\.fromCharCode|base64\.b64decode|bytes\.fromhex|codecs\.decode|zlib\.decompress|marshal\.loads)$/,
    /^(?:eval|new Function|Function|vm\.\w+|new vm\.Script|exec|compile)$/,
    /(?:addHeader|setHeader|add_header)$/,
    /^(?:os\.homedir|os\.path\.expanduser|pathlib\.Path\.home|Path\.home|os\.getenv|os\.environ\.get)$/,
    /(?:^|\.)setup$|^(?:subprocess\.\w+|os\.system)$/,
  ]
    .map((r) => `(?:${r.source})`)
    .join('|'),
);

/** Assignment names read in dependency code: `env:` spans (env-harvest) and mail recipients (hidden-recipient). */
export const DEPENDENCY_ASSIGNMENT = /^env$|(?:^|\.)(?:bcc|bccAddress|bcc_address|bccAddresses|cc|ccAddress|cc_address)$/i;
