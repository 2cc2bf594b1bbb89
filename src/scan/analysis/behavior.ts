/**
 * CQ-06 behavioural run: extract the bundle into a fresh temporary directory, start its server
 * from `mcp_config` with a fake HOME full of canary decoys, an environment holding only PATH, the
 * sandbox variables and the declared keys, no network (an unprivileged user+network namespace
 * via `unshare -rn` when the kernel allows it, else in-process blocking), and a time limit. The
 * MCP conversation uses the SDK Client over a transport bound to our own child process, so the
 * whole process group is killed at the end. No tool is ever called.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { NODE_MONITOR, PYTHON_MONITOR } from './behavior-monitors.js';

export interface BehaviorFile {
  path: string;
  mode: number;
  bytes: () => Promise<Buffer>;
}

export interface MonitorEvent {
  kind: 'network' | 'dns' | 'subprocess' | 'file-read' | 'file-write' | 'env-read' | 'native' | 'monitor';
  api: string;
  target: string;
  /** Milliseconds since start; `beforeInit` when initialize had not been answered yet. */
  at: number;
  beforeInit: boolean;
}

export interface RuntimeListing {
  instructions?: string;
  tools: { name: string; description?: string; inputSchema?: any }[];
  prompts: { name: string; description?: string }[];
  resources: { name: string; uri?: string; description?: string }[];
  capabilities: Record<string, unknown>;
}

export interface BehaviorRun {
  started: boolean;
  initialized: boolean;
  error?: string;
  listing?: RuntimeListing;
  events: MonitorEvent[];
  nonJsonStdout: number;
  stderrTail: string;
  networkIsolation: 'namespace' | 'in-process' | 'none';
  isolationNote?: string;
  observability: string[];
  /** Decoy path (relative to HOME) → canary. */
  decoys: Record<string, string>;
  canaries: string[];
  home: string;
}

export interface BehaviorOptions {
  files: BehaviorFile[];
  manifest: Record<string, any>;
  /** Overall limit (default 60 s) and initialize limit (default 15 s). */
  totalMs?: number;
  initMs?: number;
  /** Version string for clientInfo. */
  version: string;
}

const DECOYS = ['.ssh/id_rsa', '.aws/credentials', '.npmrc', '.netrc', '.docker/config.json', '.claude/settings.json', '.cursor/mcp.json', '.config/Claude/claude_desktop_config.json', 'Library/Application Support/Claude/claude_desktop_config.json'];

const canary = () => `mpak-canary-${randomBytes(6).toString('hex')}`;

let namespaceProbe: { ok: boolean; note?: string } | undefined;

/** Whether `unshare -rn` can create an unprivileged user+network namespace here. */
export function namespaceAvailable(): { ok: boolean; note?: string } {
  if (namespaceProbe) return namespaceProbe;
  if (process.platform !== 'linux') return (namespaceProbe = { ok: false, note: `no network namespaces on ${process.platform}` });
  const r = spawnSync('unshare', ['-rn', 'true'], { timeout: 5000, stdio: 'ignore' });
  namespaceProbe = r.status === 0 ? { ok: true } : { ok: false, note: `unshare -rn unavailable (${r.error ? (r.error as Error).message : `exit ${r.status}`})` };
  return namespaceProbe;
}

/** `${__dirname}`, `${HOME}`, `${user_config.X}`… with type-correct dummies (mcpb-format §3). */
export function resolvePlaceholders(value: string, vars: Record<string, string>): string {
  return value.replace(/\$\{([^}]+)\}/g, (m, key: string) => (key in vars ? (vars[key] as string) : m));
}

function dummyFor(spec: any, root: string, key: string): string {
  switch (spec?.type) {
    case 'number':
      return String(typeof spec.min === 'number' ? spec.min : 1);
    case 'boolean':
      return 'false';
    case 'directory':
      return join(root, 'user-dirs', key);
    case 'file':
      return join(root, 'user-files', `${key}.txt`);
    default:
      return canary();
  }
}

class ChildTransport {
  onclose?: () => void;
  onerror?: (e: Error) => void;
  onmessage?: (m: any) => void;
  nonJson = 0;
  private buffer = '';
  constructor(private readonly child: ChildProcess) {}

  async start(): Promise<void> {
    (this.child.stdout as Readable).setEncoding('utf8');
    (this.child.stdout as Readable).on('data', (chunk: string) => {
      this.buffer += chunk;
      for (let i = this.buffer.indexOf('\n'); i >= 0; i = this.buffer.indexOf('\n')) {
        const line = this.buffer.slice(0, i).replace(/\r$/, '');
        this.buffer = this.buffer.slice(i + 1);
        if (!line.trim()) continue;
        let msg: any;
        try {
          msg = JSON.parse(line);
        } catch {
          this.nonJson++;
          continue;
        }
        if (msg && msg.jsonrpc === '2.0') this.onmessage?.(msg);
        else this.nonJson++;
      }
      if (this.buffer.length > 8 << 20) this.buffer = '';
    });
    this.child.on('exit', () => this.onclose?.());
  }

  async send(message: unknown): Promise<void> {
    const stdin = this.child.stdin;
    if (!stdin || stdin.destroyed) throw new Error('server stdin closed');
    stdin.write(JSON.stringify(message) + '\n');
  }

  async close(): Promise<void> {
    this.child.stdin?.end();
  }
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    try {
      child.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}

/** Runs the bundle's server in the sandbox and lists what it exposes. Always cleans up. */
export async function runBehavior(options: BehaviorOptions): Promise<BehaviorRun> {
  const root = await mkdtemp(join(tmpdir(), 'mpak-cq06-'));
  const bundleDir = join(root, 'bundle');
  const home = join(root, 'home');
  const run: BehaviorRun = {
    started: false,
    initialized: false,
    events: [],
    nonJsonStdout: 0,
    stderrTail: '',
    networkIsolation: 'none',
    observability: [],
    decoys: {},
    canaries: [],
    home,
  };
  let child: ChildProcess | undefined;
  try {
    for (const f of options.files) {
      const dest = join(bundleDir, ...f.path.split('/'));
      if (!dest.startsWith(bundleDir + '/')) continue;
      await mkdir(dirname(dest), { recursive: true });
      await writeFile(dest, await f.bytes());
      if (f.mode & 0o111) await chmod(dest, 0o755);
    }
    for (const d of DECOYS) {
      const c = canary();
      run.decoys[d] = c;
      run.canaries.push(c);
      await mkdir(dirname(join(home, d)), { recursive: true });
      await writeFile(join(home, d), d.endsWith('.json') ? JSON.stringify({ token: c }) : `# decoy\ntoken=${c}\n`);
    }
    const tmp = join(root, 'tmp');
    await mkdir(tmp, { recursive: true });
    await mkdir(join(root, 'user-dirs'), { recursive: true });
    await mkdir(join(root, 'user-files'), { recursive: true });
    const monitorDir = join(root, 'monitor');
    await mkdir(monitorDir, { recursive: true });
    await writeFile(join(monitorDir, 'mpak-monitor.cjs'), NODE_MONITOR);
    await writeFile(join(monitorDir, 'sitecustomize.py'), PYTHON_MONITOR);

    const server = options.manifest.server ?? {};
    const cfg = server.mcp_config ?? {};
    const vars: Record<string, string> = { __dirname: bundleDir, HOME: home, DOCUMENTS: join(home, 'Documents'), DESKTOP: join(home, 'Desktop'), DOWNLOADS: join(home, 'Downloads'), pathSeparator: '/', '/': '/' };
    for (const [k, spec] of Object.entries<any>(options.manifest.user_config ?? {})) {
      const v = spec?.default !== undefined && typeof spec.default !== 'object' ? String(spec.default) : dummyFor(spec, root, k);
      vars[`user_config.${k}`] = v;
      if (spec?.type === 'directory') await mkdir(v, { recursive: true });
      if (spec?.type === 'file') await writeFile(v, 'mpak scan placeholder\n');
      if (v.startsWith('mpak-canary-')) run.canaries.push(v);
    }
    let command = typeof cfg.command === 'string' ? resolvePlaceholders(cfg.command, vars) : server.type === 'python' ? 'python3' : 'node';
    const args: string[] = Array.isArray(cfg.args) ? cfg.args.map((a: unknown) => resolvePlaceholders(String(a), vars)) : server.entry_point ? [join(bundleDir, server.entry_point)] : [];
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: home,
      USERPROFILE: home,
      APPDATA: join(home, 'AppData', 'Roaming'),
      XDG_CONFIG_HOME: join(home, '.config'),
      XDG_DATA_HOME: join(home, '.local', 'share'),
      XDG_CACHE_HOME: join(home, '.cache'),
      XDG_STATE_HOME: join(home, '.local', 'state'),
      TMPDIR: tmp,
      NODE_OPTIONS: `--require ${join(monitorDir, 'mpak-monitor.cjs')}`,
      PYTHONPATH: monitorDir,
      PYTHONDONTWRITEBYTECODE: '1',
    };
    for (const [k, v] of Object.entries<any>(cfg.env ?? {})) env[k] = resolvePlaceholders(String(v), vars);
    run.observability = ['node-preload', 'python-audit-hook'];

    const ns = namespaceAvailable();
    if (ns.ok) {
      run.networkIsolation = 'namespace';
      args.unshift('-rn', command);
      command = 'unshare';
    } else {
      run.networkIsolation = 'in-process';
      run.isolationNote = `${ns.note}; network blocked in-process by the Node monitor only`;
      env.MPAK_MONITOR_BLOCK = '1';
      // Proxies point at a closed local port: a black hole for clients that honour them.
      env.HTTP_PROXY = env.HTTPS_PROXY = env.ALL_PROXY = 'http://127.0.0.1:9';
    }

    const t0 = performance.now();
    child = spawn(command, args, { cwd: bundleDir, env, detached: true, stdio: ['pipe', 'pipe', 'pipe', 'pipe'] });
    const proc = child;
    run.started = true;
    const spawnError = new Promise<never>((_, reject) => proc.on('error', (e) => reject(e)));
    spawnError.catch(() => undefined);
    proc.stderr?.setEncoding('utf8');
    proc.stderr?.on('data', (d: string) => {
      run.stderrTail = (run.stderrTail + d).slice(-2000);
    });
    const monitor = proc.stdio[3] as Readable | null;
    let pending = '';
    monitor?.setEncoding('utf8');
    monitor?.on('data', (d: string) => {
      pending += d;
      for (let i = pending.indexOf('\n'); i >= 0; i = pending.indexOf('\n')) {
        const line = pending.slice(0, i);
        pending = pending.slice(i + 1);
        try {
          const ev = JSON.parse(line);
          if (run.events.length < 5000) run.events.push({ kind: ev.kind, api: String(ev.api), target: String(ev.target), at: Math.round(performance.now() - t0), beforeInit: !run.initialized });
        } catch {
          /* a monitor line cut short: ignore */
        }
      }
    });
    monitor?.on('error', () => undefined);
    proc.stdin?.on('error', () => undefined);

    const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
    const transport = new ChildTransport(proc);
    const client = new Client({ name: 'mpak-scan', version: options.version }, { capabilities: {} });
    const deadline = performance.now() + (options.totalMs ?? 60_000);
    const left = () => Math.max(1000, deadline - performance.now());
    const exited = new Promise<never>((_, reject) => proc.on('exit', (code, signal) => reject(new Error(`server exited (${signal ?? `code ${code}`}) before answering`))));
    exited.catch(() => undefined);
    try {
      await withTimeout(Promise.race([client.connect(transport as any), spawnError, exited]), Math.min(options.initMs ?? 15_000, left()), 'initialize');
      run.initialized = true;
      const caps = (client.getServerCapabilities() ?? {}) as Record<string, unknown>;
      const listing: RuntimeListing = { instructions: client.getInstructions(), tools: [], prompts: [], resources: [], capabilities: caps };
      let cursor: string | undefined;
      for (let page = 0; page < 50; page++) {
        const r: any = await withTimeout(Promise.race([client.listTools(cursor ? { cursor } : undefined), exited]), left(), 'tools/list');
        listing.tools.push(...(r.tools ?? []));
        cursor = r.nextCursor;
        if (!cursor) break;
      }
      if (caps.prompts) listing.prompts = ((await withTimeout(Promise.race([client.listPrompts(), exited]), left(), 'prompts/list')) as any).prompts ?? [];
      if (caps.resources) listing.resources = ((await withTimeout(Promise.race([client.listResources(), exited]), left(), 'resources/list')) as any).resources ?? [];
      run.listing = listing;
    } catch (err) {
      run.error = (err as Error).message;
    }
    // Give late monitor events (timers fired after initialize) a moment to arrive.
    await new Promise((r) => setTimeout(r, 300));
    run.nonJsonStdout = transport.nonJson;
    return run;
  } finally {
    if (child) killGroup(child);
    await rm(root, { recursive: true, force: true }).catch(() => undefined);
  }
}
