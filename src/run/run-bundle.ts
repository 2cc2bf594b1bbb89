import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { inputError } from '../errors.js';
import type { ConfigValue } from '../config/store.js';
import { startGuard, type GuardMode } from './guard.js';
import { planLaunch, type LaunchPlan, type RunManifest } from './resolve.js';
import { applyRunnerFixes, checkCompatibility, currentPlatform, spawnServer } from './spawn.js';

/** Reads `manifest.json` of an extracted bundle and checks the fields the runner depends on. */
export async function readRunManifest(bundleDir: string): Promise<RunManifest> {
  const path = join(bundleDir, 'manifest.json');
  let json: any;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw inputError('MANIFEST_UNREADABLE', `cannot read ${path}: ${(err as Error).message}`, {
      suggestions: [`mpak bundle validate ${bundleDir}`],
    });
  }
  // The official schema, strictly: a bundle whose manifest the official validator rejects does not run.
  const { validateManifest } = await import('../manifest/validate.js');
  const check = validateManifest(json);
  if (!check.valid) {
    throw inputError('MANIFEST_INVALID', `${path} is not a valid manifest:\n  ${check.errors.map((e) => `${e.pathText ? `${e.pathText}: ` : ''}${e.message}`).join('\n  ')}`, {
      details: check.errors,
      suggestions: [`mpak bundle validate ${bundleDir}`],
    });
  }
  return json as RunManifest;
}

export interface RunBundleOptions {
  bundleDir: string;
  manifest: RunManifest;
  /** Package name used in messages and `mpak config set` hints (the registry name or manifest name). */
  pkg?: string;
  hostEnv: Record<string, string | undefined>;
  home: string;
  platform?: NodeJS.Platform;
  arch?: string;
  explicit?: Record<string, ConfigValue>;
  stored?: Record<string, ConfigValue>;
  extraArgs?: string[];
  guard?: GuardMode;
  /** Streams for the guard relay (the CLI passes process.stdin/stdout). */
  stdin?: Readable;
  stdout?: Writable;
  signalSource?: NodeJS.EventEmitter;
  warn?: (message: string) => void;
}

/** Plans the launch (mcpb-format §3) without starting anything: for `--dry-run`-like callers and tests. */
export function planBundleLaunch(o: RunBundleOptions): LaunchPlan {
  const platform = o.platform ?? process.platform;
  const arch = o.arch ?? process.arch;
  currentPlatform(platform, arch);
  checkCompatibility(o.manifest, platform);
  const manifest = o.pkg ? { ...o.manifest, name: o.pkg } : o.manifest;
  return planLaunch({
    manifest,
    bundleDir: o.bundleDir,
    platform,
    arch,
    home: o.home,
    hostEnv: o.hostEnv,
    explicit: o.explicit,
    stored: o.stored,
    extraArgs: o.extraArgs,
  });
}

/**
 * Starts a bundle's server on stdio and resolves with its exit code. mpak itself writes nothing
 * to stdout: the stream belongs to the server's JSON-RPC (with `guard`, mpak relays it and only
 * adds its own JSON-RPC error answers). Warnings go to `warn` (stderr in the CLI).
 */
export async function runBundle(o: RunBundleOptions): Promise<number> {
  const warn = o.warn ?? (() => {});
  const plan = planBundleLaunch(o);
  const fixed = await applyRunnerFixes({ plan, manifest: o.manifest, bundleDir: o.bundleDir, hostEnv: o.hostEnv, platform: o.platform ?? process.platform });
  for (const w of [...plan.warnings, ...fixed.warnings]) warn(w);
  const guard = o.guard;
  return spawnServer({
    command: fixed.command,
    args: plan.args,
    cwd: plan.cwd,
    hostEnv: o.hostEnv,
    env: fixed.env,
    stdio: guard ? 'pipe' : 'inherit',
    signalSource: o.signalSource,
    onStarted: (child) => {
      if (!guard || !child.stdin || !child.stdout || !o.stdin || !o.stdout) return;
      startGuard({
        mode: guard,
        tools: o.manifest.tools ?? [],
        clientIn: o.stdin,
        clientOut: o.stdout,
        serverIn: child.stdin,
        serverOut: child.stdout,
        warn,
      });
    },
  });
}
