import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { chmod, stat } from 'node:fs/promises';
import { delimiter, isAbsolute, join, relative, resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { environmentError, inputError } from '../errors.js';
import type { LaunchPlan, RunManifest } from './resolve.js';

/** `<os>-<arch>` for the platforms mpak supports (mcpb-format §8); anything else is refused. */
export function currentPlatform(platform: string = process.platform, arch: string = process.arch): { os: string; arch: string } {
  if (!['darwin', 'linux', 'win32'].includes(platform) || !['x64', 'arm64'].includes(arch)) {
    throw environmentError('UNSUPPORTED_PLATFORM', `unsupported platform: ${platform}-${arch}`, {
      suggestions: ['mpak runs bundles on darwin, linux and win32 with x64 or arm64.'],
    });
  }
  return { os: platform, arch };
}

/** Refuses a bundle whose `compatibility.platforms` excludes this OS. */
export function checkCompatibility(manifest: RunManifest, platform: string): void {
  const platforms = manifest.compatibility?.platforms;
  if (platforms && platforms.length > 0 && !platforms.includes(platform)) {
    throw inputError('PLATFORM_INCOMPATIBLE', `${manifest.name} supports ${platforms.join(', ')}, not ${platform}`, {
      suggestions: [`Run it on one of: ${platforms.join(', ')}`],
    });
  }
}

/** Finds an executable on PATH (PATHEXT on Windows). */
export function whichSync(command: string, env: Record<string, string | undefined>, platform: string = process.platform): string | undefined {
  if (command.includes('/') || command.includes('\\')) return undefined;
  const exts = platform === 'win32' ? (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';') : [''];
  for (const dir of (env.PATH ?? env.Path ?? '').split(delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      const candidate = join(dir, command + ext);
      try {
        if (statSync(candidate).isFile()) {
          if (platform !== 'win32') accessSync(candidate, constants.X_OK);
          return candidate;
        }
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

export interface RunnerFixOptions {
  plan: LaunchPlan;
  manifest: RunManifest;
  bundleDir: string;
  hostEnv: Record<string, string | undefined>;
  platform: string;
}

/**
 * The runner fixes of §3 (no manifest semantics change): python → python3 when `python` is missing,
 * exec bit on bundle-internal commands, `.exe` on Windows, the bundle's vendored Python libraries
 * first on PYTHONPATH when the manifest does not set it, a warning for uv bundles.
 */
export async function applyRunnerFixes(o: RunnerFixOptions): Promise<{ command: string; env: Record<string, string>; warnings: string[] }> {
  const warnings: string[] = [];
  let command = o.plan.command;
  const env = { ...o.plan.env };
  if (!command) throw inputError('MANIFEST_NO_COMMAND', `${o.manifest.name}: server.mcp_config.command is empty`);
  if (o.manifest.server.type === 'uv') warnings.push(`${o.manifest.name} is a uv bundle: its dependencies are installed at start and need the network.`);
  if ((command === 'python' || command === 'python.exe') && !whichSync('python', o.hostEnv, o.platform) && whichSync('python3', o.hostEnv, o.platform)) {
    command = 'python3';
  }
  const inside = isAbsolute(command) || command.startsWith('.') ? resolve(o.bundleDir, command) : undefined;
  if (inside && !relative(o.bundleDir, inside).startsWith('..')) {
    if (o.platform === 'win32' && !/\.[a-z0-9]+$/i.test(inside)) command = `${inside}.exe`;
    else {
      const info = await stat(inside).catch(() => undefined);
      if (info?.isFile() && (info.mode & 0o111) === 0) await chmod(inside, 0o755);
    }
  }
  if ((o.manifest.server.type === 'python') && env.PYTHONPATH === undefined) {
    const lib = join(o.bundleDir, 'server', 'lib');
    if (await stat(lib).then((s) => s.isDirectory()).catch(() => false)) {
      env.PYTHONPATH = [lib, o.hostEnv.PYTHONPATH].filter(Boolean).join(delimiter);
    }
  }
  return { command, env, warnings };
}

export interface SpawnServerOptions {
  command: string;
  args: string[];
  cwd: string;
  /** Host environment; the manifest env is laid over it (the manifest wins). */
  hostEnv: Record<string, string | undefined>;
  env: Record<string, string>;
  /** 'inherit' passes stdio straight through; 'pipe' is for the guard relay. */
  stdio: 'inherit' | 'pipe';
  /** Process to forward termination signals from (the CLI passes `process`). */
  signalSource?: NodeJS.EventEmitter;
  onStarted?: (child: { stdin: Writable | null; stdout: Readable | null; pid?: number }) => void;
}

const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** Starts the server and resolves with its exit code (128 + signal number when killed by a signal). */
export function spawnServer(o: SpawnServerOptions): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(o.command, o.args, {
      cwd: o.cwd,
      env: { ...o.hostEnv, ...o.env },
      stdio: o.stdio === 'inherit' ? 'inherit' : ['pipe', 'pipe', 'inherit'],
      windowsHide: true,
    });
    const forward = (signal: NodeJS.Signals) => () => {
      child.kill(signal);
    };
    const handlers = FORWARDED.map((s) => [s, forward(s)] as const);
    for (const [s, h] of handlers) o.signalSource?.on(s, h);
    const cleanup = () => {
      for (const [s, h] of handlers) o.signalSource?.off(s, h);
    };
    child.once('error', (err: NodeJS.ErrnoException) => {
      cleanup();
      if (err.code === 'ENOENT') {
        reject(environmentError('COMMAND_NOT_FOUND', `cannot start the server: command not found: ${o.command}`, {
          suggestions: [`Install ${o.command} or put it on PATH, then retry.`],
        }));
      } else reject(err);
    });
    child.once('spawn', () => o.onStarted?.({ stdin: child.stdin, stdout: child.stdout, pid: child.pid }));
    child.once('exit', (code, signal) => {
      cleanup();
      if (code !== null) resolvePromise(code);
      else resolvePromise(128 + (signal ? (signalNumber(signal) ?? 1) : 1));
    });
  });
}

function signalNumber(signal: NodeJS.Signals): number | undefined {
  const map: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 };
  return map[signal];
}
