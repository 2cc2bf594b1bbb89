/**
 * The CQ-06 monitors, written into the sandbox at run time: a Node `--require` preload and a
 * Python `sitecustomize` audit hook. Both report one JSON event per line on file descriptor 3
 * (an extra pipe the scanner reads), never on stdout. In `block` mode the Node monitor also
 * refuses network connections in-process (used when no network namespace is available).
 */

export const NODE_MONITOR = String.raw`'use strict';
const fs = require('fs');
const emitFd = 3;
const block = process.env.MPAK_MONITOR_BLOCK === '1';
const secretKey = /^(?:AWS_ACCESS_KEY\w*|AWS_SECRET\w*|AWS_SESSION_TOKEN|GOOGLE_APPLICATION_CREDENTIALS|DATABASE_URL|REDIS_URL|MONGO\w*_URI|\w*_API_KEY|\w*_SECRET(?:_KEY)?|\w*_PRIVATE_KEY|\w*_TOKEN|\w*_PASSWORD|\w*_CREDENTIALS)$/;
let busy = false;
function emit(ev) {
  if (busy) return;
  busy = true;
  try { fs.writeSync(emitFd, JSON.stringify(ev) + '\n'); } catch (e) {} finally { busy = false; }
}
function str(x) { try { return typeof x === 'string' ? x : x && x.href ? String(x.href) : x && x.toString ? String(x) : JSON.stringify(x); } catch (e) { return '?'; } }
function wrap(obj, name, kind, describe) {
  const orig = obj && obj[name];
  if (typeof orig !== 'function') return;
  obj[name] = function (...args) {
    let target = '?';
    try { target = describe(args); } catch (e) {}
    emit({ kind, api: name, target });
    if (block && kind === 'network') {
      const err = new Error('network disabled by mpak scan (CQ-06)');
      err.code = 'EACCES';
      throw err;
    }
    return orig.apply(this, args);
  };
}
const cp = require('child_process');
for (const n of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork']) wrap(cp, n, 'subprocess', (a) => [a[0], ...(Array.isArray(a[1]) ? a[1] : [])].map(str).join(' ').slice(0, 500));
const net = require('net');
wrap(net, 'connect', 'network', (a) => str(a[0] && a[0].host ? a[0].host + ':' + a[0].port : a[1] ? a[1] + ':' + a[0] : a[0]));
wrap(net, 'createConnection', 'network', (a) => str(a[0] && a[0].host ? a[0].host + ':' + a[0].port : a[1] ? a[1] + ':' + a[0] : a[0]));
wrap(net.Socket.prototype, 'connect', 'network', (a) => str(a[0] && a[0].host ? a[0].host + ':' + a[0].port : a[0] && a[0].path ? a[0].path : a[1] ? a[1] + ':' + a[0] : a[0]));
wrap(require('tls'), 'connect', 'network', (a) => str(a[0] && a[0].host ? a[0].host : a[1] || a[0]));
const dns = require('dns');
for (const n of ['lookup', 'resolve', 'resolve4', 'resolve6', 'resolveTxt']) wrap(dns, n, 'dns', (a) => str(a[0]));
for (const m of ['http', 'https']) {
  const mod = require(m);
  wrap(mod, 'request', 'network', (a) => str(a[0] && a[0].hostname ? a[0].hostname : a[0] && a[0].host ? a[0].host : a[0]));
  wrap(mod, 'get', 'network', (a) => str(a[0] && a[0].hostname ? a[0].hostname : a[0] && a[0].host ? a[0].host : a[0]));
}
if (typeof globalThis.fetch === 'function') wrap(globalThis, 'fetch', 'network', (a) => str(a[0] && a[0].url ? a[0].url : a[0]) + (a[1] && a[1].body ? ' ' + str(a[1].body).slice(0, 500) : ''));
for (const n of ['readFileSync', 'readFile', 'openSync', 'open', 'createReadStream']) wrap(fs, n, 'file-read', (a) => str(a[0]) + (a[1] && typeof a[1] === 'string' && /[wa+]/.test(a[1]) ? ' (write)' : ''));
for (const n of ['writeFileSync', 'writeFile', 'appendFileSync', 'appendFile', 'createWriteStream', 'renameSync', 'rename', 'copyFileSync', 'copyFile']) wrap(fs, n, 'file-write', (a) => str(n.startsWith('rename') || n.startsWith('copy') ? a[1] : a[0]));
for (const n of ['readFile', 'open']) wrap(fs.promises, n, 'file-read', (a) => str(a[0]));
for (const n of ['writeFile', 'appendFile', 'rename', 'copyFile']) wrap(fs.promises, n, 'file-write', (a) => str(n === 'rename' || n === 'copyFile' ? a[1] : a[0]));
const realEnv = process.env;
const seen = new Set();
try {
  process.env = new Proxy(realEnv, {
    get(t, k) {
      if (typeof k === 'string' && secretKey.test(k) && !seen.has(k)) { seen.add(k); emit({ kind: 'env-read', api: 'process.env', target: k }); }
      return Reflect.get(t, k);
    },
  });
} catch (e) {}
emit({ kind: 'monitor', api: 'node', target: 'ready' });
`;

export const PYTHON_MONITOR = String.raw`import os, sys, json
_busy = [False]
def _emit(kind, api, target):
    if _busy[0]:
        return
    _busy[0] = True
    try:
        os.write(3, (json.dumps({"kind": kind, "api": api, "target": str(target)[:500]}) + "\n").encode())
    except Exception:
        pass
    finally:
        _busy[0] = False
def _hook(event, args):
    try:
        if event in ("socket.connect", "socket.sendto"):
            _emit("network", event, args[1] if len(args) > 1 else args)
        elif event == "socket.getaddrinfo":
            _emit("dns", event, args[0])
        elif event in ("subprocess.Popen", "os.system", "os.posix_spawn", "os.exec", "os.spawn"):
            _emit("subprocess", event, args[0] if args else "")
        elif event == "open":
            mode = args[1] if len(args) > 1 else "r"
            kind = "file-write" if isinstance(mode, str) and any(c in mode for c in "wax+") else "file-read"
            _emit(kind, event, args[0])
        elif event == "ctypes.dlopen":
            _emit("native", event, args[0])
    except Exception:
        pass
sys.addaudithook(_hook)
_emit("monitor", "python", "ready")
`;
