import { readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { hashFile, readMarker } from '../client/cache.js';
import { makeClientContext } from '../client/context.js';
import { checkedOnce } from '../client/checked.js';
import { mpakPaths } from '../config/paths.js';
import { readConfig, TRUST_LEVELS, type TrustLevel } from '../config/store.js';
import { isMpakError, type MpakError } from '../errors.js';
import type { RunManifest } from './resolve.js';
import { planBundleLaunch } from './run-bundle.js';
import { applyRunnerFixes, currentPlatform, spawnServer } from './spawn.js';

/**
 * The fast path of `mpak bundle run`: loading @oclif/core costs about three times a bare
 * `node -e 0`, which an MCP client pays on every server start. bin/run.js hands plain runs of an
 * already cached bundle here; anything this module does not fully handle (flags other than
 * --offline/--min-level/--force, a cache miss, a refresh due, prompts, any error before the server
 * starts) returns undefined and the oclif command runs instead, exactly as before. mpak writes
 * nothing to stdout: it belongs to the server.
 */

interface ParsedRun {
  ref: string;
  offline: boolean;
  force: boolean;
  minLevel?: TrustLevel;
  extraArgs: string[];
}

/** Parses `bundle run <ref> [--offline] [--force] [--min-level L0..L4] [-- args…]`; undefined otherwise. */
export function parseFastRunArgs(argv: string[]): ParsedRun | undefined {
  if (argv[0] !== 'bundle' || argv[1] !== 'run') return undefined;
  const dash = argv.indexOf('--');
  const own = dash >= 0 ? argv.slice(2, dash) : argv.slice(2);
  const parsed: ParsedRun = { ref: '', offline: false, force: false, extraArgs: dash >= 0 ? argv.slice(dash + 1) : [] };
  let ref: string | undefined;
  for (let i = 0; i < own.length; i++) {
    const arg = own[i]!;
    if (arg === '--offline') parsed.offline = true;
    else if (arg === '--force') parsed.force = true;
    else if (arg === '--min-level' || arg.startsWith('--min-level=')) {
      const v = arg === '--min-level' ? own[++i] : arg.slice('--min-level='.length);
      if (v === undefined || !(TRUST_LEVELS as readonly string[]).includes(v)) return undefined;
      parsed.minLevel = v as TrustLevel;
    } else if (arg.startsWith('-') || ref !== undefined) return undefined;
    else ref = arg;
  }
  if (ref === undefined || ref === '') return undefined;
  parsed.ref = ref;
  return parsed;
}

export interface FastRunOptions {
  env: Record<string, string | undefined>;
  cwd: string;
  /** mpak's version: validation results are remembered per version. */
  version: string;
  stderr: (text: string) => void;
}

/** `Error: …` and `  → suggestion` lines, as MpakCommand renders an MpakError. */
export function renderError(err: MpakError): string {
  return [`Error: ${err.message}`, ...err.suggestions.map((s) => `  → ${s}`)].map((l) => `${l}\n`).join('');
}

/**
 * Runs the bundle when it is cached and fully understood; resolves with the exit code to use, or
 * undefined (before anything was written or started) when the oclif command must take over.
 */
export async function fastRun(argv: string[], o: FastRunOptions): Promise<number | undefined> {
  const parsed = parseFastRunArgs(argv);
  if (!parsed) return undefined;
  const pending: string[] = [];
  const warn = (m: string) => pending.push(`mpak: ${m}\n`);
  const flush = () => {
    for (const line of pending.splice(0)) o.stderr(line);
  };
  let bundleDir: string;
  let pkg: string | undefined;
  let manifest: RunManifest;
  let stored: Record<string, string | string[]>;
  const ctx = makeClientContext({ env: o.env, cwd: o.cwd, paths: mpakPaths(o.env), warn, offline: parsed.offline });
  try {
    const { os, arch } = currentPlatform();
    const config = await readConfig(ctx.paths.configFile);
    const target = resolve(o.cwd, parsed.ref);
    const local = await stat(target).catch(() => undefined);
    if (local?.isDirectory()) bundleDir = target;
    else if (local?.isFile()) {
      const hashed = await hashFile(target);
      if (!hashed) return undefined;
      const known = join(ctx.paths.localBundlesDir, hashed.sha256);
      if ((await readMarker(known))?.sha256 !== hashed.sha256) return undefined;
      bundleDir = known;
    } else {
      const minLevel = parsed.minLevel ?? config.policy.minLevel ?? 'L1';
      // Registry refs only: folders and local files do not load the registry readers.
      const { resolveCachedBundle } = await import('../client/resolve-cached.js');
      const hit = await resolveCachedBundle(ctx, parsed.ref, { platform: `${os}-${arch}`, minLevel, force: parsed.force, checkerVersion: o.version });
      if (!hit) return undefined;
      bundleDir = hit.bundleDir;
      pkg = hit.name;
    }
    const text = await readFile(join(bundleDir, 'manifest.json'), 'utf8');
    const json = JSON.parse(text) as RunManifest;
    const valid = await checkedOnce(ctx, 'manifest', text, o.version, async () => {
      const { validateManifest } = await import('../manifest/validate.js');
      return validateManifest(json).valid;
    });
    if (!valid) return undefined;
    manifest = json;
    stored = config.packages[pkg ?? manifest.name] ?? {};
  } catch (err) {
    // The trust policy is the one refusal rendered here; everything else is the full command's.
    if (isMpakError(err) && err.code === 'TRUST_BELOW_POLICY') {
      flush();
      o.stderr(renderError(err));
      return err.exitCode;
    }
    return undefined;
  }
  const base = { bundleDir, manifest, pkg: pkg ?? manifest.name, hostEnv: o.env, home: homedir(), explicit: {}, stored, extraArgs: parsed.extraArgs };
  let plan;
  let fixed;
  try {
    plan = planBundleLaunch(base);
    fixed = await applyRunnerFixes({ plan, manifest, bundleDir, hostEnv: o.env, platform: process.platform });
  } catch {
    return undefined;
  }
  for (const w of [...plan.warnings, ...fixed.warnings]) warn(w);
  flush();
  try {
    return await spawnServer({ command: fixed.command, args: plan.args, cwd: plan.cwd, hostEnv: o.env, env: fixed.env, stdio: 'inherit', signalSource: process });
  } catch (err) {
    if (!isMpakError(err)) throw err;
    o.stderr(renderError(err));
    return err.exitCode;
  }
}
