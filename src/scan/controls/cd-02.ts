import { bundleAnalysis, type SourceFile } from '../analysis/bundle.js';
import type { RawFinding, Severity } from '../types.js';
import { isNativeBinary } from './ai-05.js';
import { defineControl, finding, manifestLine, manifestPrerequisite } from './helpers.js';

const LEVELS: Record<string, string[]> = {
  filesystem: ['none', 'read', 'write', 'full'],
  network: ['none', 'outbound', 'inbound', 'full'],
  environment: ['none', 'read', 'write'],
  subprocess: ['none', 'restricted', 'full'],
  native: ['none', 'required'],
};

const FS_MOD = /^(?:fs|fs\/promises|fs-extra|graceful-fs|pathlib|shutil|glob)$/;
const NET_MOD = /^(?:http|https|http2|net|tls|dgram|ws|axios|got|node-fetch|undici|superagent|requests|httpx|urllib|urllib3|aiohttp|socket|http\.client|websockets|urllib\.request)$/;
const SUB_MOD = /^(?:child_process|execa|cross-spawn|subprocess|pty)$/;
const NATIVE_MOD = /^(?:ffi-napi|node-addon-api|bindings|ctypes|cffi|node-gyp-build)$/;
const ENV_MOD = /^(?:dotenv|python-dotenv)$/;
const SUB_CALL = /^(?:child_process\.\w+|execa(?:\.\w+)?|cross-spawn|subprocess\.\w+|os\.(?:system|popen|exec\w*|spawn\w*)|pty\.spawn)$/;
const NET_CALL = /^(?:fetch|axios(?:\.\w+)?|got(?:\.\w+)?|(?:http|https)\.(?:request|get)|net\.(?:connect|createConnection)|tls\.connect|requests\.\w+|httpx\.\w+|urllib\.request\.urlopen|socket\.socket|aiohttp\.ClientSession|undici\.\w+|WebSocket)$/;
const LISTEN_CALL = /^(?:(?:http|https|net|tls|http2)\.create(?:Secure)?Server|express|fastify|ws\.WebSocketServer|ws\.Server|WebSocketServer|socketserver\.\w+|http\.server\.HTTPServer)$|\.listen$/;
const FS_CALL = /^(?:fs|fs\/promises|fs-extra)\.\w+$|^(?:open|builtins\.open|os\.(?:walk|listdir|remove|unlink|rename|makedirs|mkdir|rmdir|scandir|stat)|shutil\.\w+|pathlib\.Path(?:\.\w+)?)$/;
const FS_WRITE = /write|append|rm|unlink|rename|copy|mkdir|truncate|chmod|symlink|remove|move/i;
const SECRET_KEY = /^(?:AWS_ACCESS_KEY\w*|AWS_SECRET\w*|AWS_SESSION_TOKEN|GOOGLE_APPLICATION_CREDENTIALS|DATABASE_URL|REDIS_URL|MONGO\w*_URI|\w*_API_KEY|\w*_SECRET(?:_KEY)?|\w*_PRIVATE_KEY|\w*_TOKEN|\w*_PASSWORD|\w*_CREDENTIALS)$/;
const SENSITIVE = /(?:~|\$HOME|homedir\(\))?[\\/]?\.(?:ssh|aws|gcp|azure|kube|docker|gnupg)(?:[\\/]|$)|\.config[\\/]gcloud|\.npmrc|\.pypirc|\.netrc|\/etc\/(?:passwd|shadow|sudoers)|id_rsa|id_ed25519|\.pem$|\.key$|credentials\.json|service[\w-]*account[\w-]*\.json/i;

interface Use {
  file: SourceFile;
  start: number;
  moduleLevel: boolean;
  what: string;
}

/** CD-02 Permission Correlation: declared `permissions` against what server code and mcp_config do. */
export const cd02 = defineControl('CD-02', async (ctx) => {
  const pre = manifestPrerequisite(ctx, 'CD-02');
  if (pre) return pre;
  const m = ctx.manifest!;
  const findings: RawFinding[] = [];
  const raw = m._meta?.['org.mpaktrust']?.permissions;
  const at = { file: 'manifest.json', line: manifestLine(ctx, '"permissions"') };
  if (!raw || typeof raw !== 'object') {
    findings.push(finding('CD-02', 'missing-permissions', 'HIGH', 'No permissions declared', '_meta["org.mpaktrust"].permissions is missing, so users cannot see what the server may touch.', 'Declare filesystem, network, environment, subprocess and native in _meta["org.mpaktrust"].permissions.', { file: 'manifest.json' }));
  }
  const perms: Record<string, string> = { filesystem: 'none', network: 'none', environment: 'none', subprocess: 'none', native: 'none' };
  for (const [k, v] of Object.entries<any>(raw && typeof raw === 'object' ? raw : {})) {
    if (!LEVELS[k] || !LEVELS[k]!.includes(v)) findings.push(finding('CD-02', 'invalid-permission', 'HIGH', `Invalid permission ${k}: ${JSON.stringify(v)}`, `Allowed ${k} values: ${LEVELS[k]?.join(', ') ?? '(unknown category)'}.`, 'Use one of the declared values.', at));
    else perms[k] = v;
  }
  const envDeclared = new Set(Object.keys(m.server?.mcp_config?.env ?? {}));
  const analysis = await bundleAnalysis(ctx);
  const uses: Record<string, Use[]> = { filesystem: [], network: [], subprocess: [], native: [], environment: [], listen: [] };
  const secretEnv: (Use & { key: string })[] = [];
  const sensitive: (Use & { write: boolean })[] = [];
  for (const f of analysis.files) {
    if (f.isDependency || f.isTest || !f.facts) continue;
    const facts = f.facts;
    const push = (k: string, start: number, fn: number, what: string) => uses[k]!.push({ file: f, start, moduleLevel: fn === -1, what });
    for (const i of facts.imports) {
      const mod = i.module.replace(/^node:/, '');
      if (FS_MOD.test(mod)) push('filesystem', i.start, i.fn, mod);
      // Importing a network client is a use, but not an import-time call: never module level.
      if (NET_MOD.test(mod)) push('network', i.start, 0, mod);
      if (SUB_MOD.test(mod)) push('subprocess', i.start, i.fn, mod);
      if (NATIVE_MOD.test(mod)) push('native', i.start, i.fn, mod);
      if (ENV_MOD.test(mod)) push('environment', i.start, i.fn, mod);
    }
    for (const c of facts.calls) {
      const callee = c.callee.replace(/^node:/, '');
      if (SUB_CALL.test(callee)) push('subprocess', c.start, c.fn, callee);
      if (NET_CALL.test(callee)) push('network', c.start, c.fn, callee);
      if (LISTEN_CALL.test(callee)) push('listen', c.start, c.fn, callee);
      if (/^(?:os\.getenv|os\.environ\.get)$/.test(callee)) {
        const key = c.args[0]?.constant;
        if (typeof key === 'string' && SECRET_KEY.test(key)) secretEnv.push({ file: f, start: c.start, moduleLevel: c.fn === -1, what: callee, key });
        else push('environment', c.start, c.fn, callee);
      }
      if (/^(?:process\.dlopen|ctypes\.(?:CDLL|cdll\.LoadLibrary))$/.test(callee) || (/^require$/.test(callee) && /\.node$/.test(String(c.args[0]?.constant ?? '')))) push('native', c.start, c.fn, callee);
      if (FS_CALL.test(callee)) {
        push('filesystem', c.start, c.fn, callee);
        const target = c.args.map((a) => (typeof a.constant === 'string' ? a.constant : '')).join(' ');
        if (SENSITIVE.test(target)) sensitive.push({ file: f, start: c.start, moduleLevel: c.fn === -1, what: callee, write: FS_WRITE.test(callee.split('.').pop() ?? '') || (/open$/.test(callee) && /[wa+]/.test(String(c.args[1]?.constant ?? c.kwargs.mode?.constant ?? ''))) });
      }
    }
    for (const r of facts.references) {
      const key = /^process\.env\.(\w+)$/.exec(r.name)?.[1] ?? /^os\.environ\[['"]?(\w+)/.exec(r.name)?.[1];
      if (key && SECRET_KEY.test(key)) secretEnv.push({ file: f, start: r.start, moduleLevel: r.fn === -1, what: r.name, key });
      else if (/^(?:process\.env|os\.environ|os\.getenv|spread:process\.env)/.test(r.name)) push('environment', r.start, r.fn, r.name);
    }
  }
  for (const f of ctx.files) if (await isNativeBinary(f)) uses.native!.push({ file: { path: f.path } as SourceFile, start: -1, moduleLevel: true, what: f.isDependency ? 'dependency binary' : 'native binary' });
  const cmd = String(m.server?.mcp_config?.command ?? '').split('/').pop() ?? '';
  const launchSub = /^(?:sh|bash|zsh|cmd|cmd\.exe|powershell|pwsh)$/.test(cmd);
  const launchNet = /^(?:npx|uvx|pipx|bunx)$/.test(cmd);

  const loc = (u: { file: SourceFile; start: number }) => {
    if (u.start < 0 || !u.file.lines) return { file: u.file.path };
    const p = u.file.lines.position(u.start);
    return { file: u.file.path, line: p.line, column: p.column, excerpt: u.file.lines.text.split('\n')[p.line - 1]?.trim().slice(0, 200) };
  };
  const add = (rule: string, severity: Severity, title: string, description: string, remediation: string, where: object = at) => findings.push(finding('CD-02', rule, severity, title, description, remediation, where));
  const first = (k: string) => uses[k]![0];

  if (perms.subprocess === 'none' && (uses.subprocess!.length || launchSub)) {
    const u = first('subprocess');
    add('undeclared-subprocess', 'CRITICAL', 'Undeclared subprocess use', u ? `${u.what} is used but permissions.subprocess is "none".` : `mcp_config.command "${cmd}" is a shell but permissions.subprocess is "none".`, 'Declare "subprocess": "restricted" (or remove the process spawning).', u ? loc(u) : at);
  }
  const nativeServer = uses.native!.filter((u) => !ctx.file(u.file.path)?.isDependency);
  const nativeDeps = uses.native!.filter((u) => ctx.file(u.file.path)?.isDependency);
  if (perms.native === 'none' && nativeServer.length) add('undeclared-native', 'CRITICAL', 'Undeclared native code', `${nativeServer[0]!.what} in ${nativeServer[0]!.file.path}, but permissions.native is "none".`, 'Declare "native": "required".', loc(nativeServer[0]!));
  if (perms.native === 'none' && nativeDeps.length) add('undeclared-native-dependency', 'HIGH', 'Native binary in dependencies', `${nativeDeps[0]!.file.path} is native code, but permissions.native is "none".`, 'Declare "native": "required".', { file: nativeDeps[0]!.file.path, dependencyCap: null });
  if (perms.network === 'none') {
    const moduleLevel = uses.network!.find((u) => u.moduleLevel);
    if (moduleLevel) add('network-at-import', 'HIGH', 'Network use at import time', `${moduleLevel.what} runs at module level while permissions.network is "none".`, 'Declare "network": "outbound", and never call out before the user invokes a tool.', loc(moduleLevel));
    else if (uses.network!.length) add('undeclared-network', 'MEDIUM', 'Undeclared network use', `${uses.network![0]!.what} is used while permissions.network is "none".`, 'Declare "network": "outbound".', loc(uses.network![0]!));
    else if (launchNet) add('undeclared-network', 'MEDIUM', 'Launch command fetches over the network', `mcp_config.command "${cmd}" downloads at launch while permissions.network is "none".`, 'Declare "network": "outbound" or vendor the package.');
  }
  if (uses.listen!.length && !['inbound', 'full'].includes(perms.network!)) add('undeclared-listener', 'HIGH', 'Undeclared inbound listener', `${uses.listen![0]!.what} opens a listening socket; permissions.network is "${perms.network}".`, 'Declare "network": "inbound" (or "full"), or remove the listener.', loc(uses.listen![0]!));
  if (perms.environment === 'none') {
    const undeclared = secretEnv.filter((u) => !envDeclared.has(u.key));
    if (undeclared.length) add('undeclared-secret-env', 'HIGH', `Reads secret ${undeclared[0]!.key} without declaring it`, `${undeclared[0]!.key} is read while permissions.environment is "none" and mcp_config.env does not declare it.`, `Declare "environment": "read", or pass ${undeclared[0]!.key} through mcp_config.env from user_config.`, loc(undeclared[0]!));
    else if (uses.environment!.length) add('undeclared-env', 'LOW', 'Environment read without declaration', `${uses.environment![0]!.what} is read while permissions.environment is "none".`, 'Declare "environment": "read".', loc(uses.environment![0]!));
  }
  const badPath = sensitive.find((s) => perms.filesystem === 'none' || (s.write && perms.filesystem === 'read'));
  if (badPath) add('sensitive-path', 'HIGH', `Sensitive path ${badPath.write ? 'write' : 'access'} beyond the declaration`, `${badPath.what} touches a credential path while permissions.filesystem is "${perms.filesystem}".`, 'Remove the access, or declare it and explain why in the README.', loc(badPath));
  else if (perms.filesystem === 'none' && uses.filesystem!.length) add('undeclared-filesystem', 'MEDIUM', 'Undeclared filesystem use', `${uses.filesystem![0]!.what} is used while permissions.filesystem is "none".`, 'Declare "filesystem": "read" or "write".', loc(uses.filesystem![0]!));
  for (const [k, v] of Object.entries(perms)) {
    if (v === 'none') continue;
    const used = k === 'network' ? uses.network!.length || uses.listen!.length || launchNet : k === 'subprocess' ? uses.subprocess!.length || launchSub : k === 'environment' ? uses.environment!.length || secretEnv.length : uses[k]!.length;
    if (!used) add('over-declared', 'INFO', `${k} declared "${v}" but not used`, `No ${k} use was found in server code.`, `Narrow permissions.${k} to what the server needs.`);
  }
  return { status: 'pass', reason: `declared ${Object.entries(perms).map(([k, v]) => `${k}=${v}`).join(', ')}`, findings };
});
