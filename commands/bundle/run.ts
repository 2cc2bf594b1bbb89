import { Args, Flags } from '@oclif/core';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { MpakCommand } from '../../cli/base.js';
import { levelFlag } from '../../cli/flags.js';
import { makeClientContext } from '../../src/client/context.js';
import { pullBundle, prepareLocalBundle } from '../../src/client/pull.js';
import { readConfig, updateConfig, type ConfigValue, type TrustLevel } from '../../src/config/store.js';
import { planBundleLaunch, readRunManifest, runBundle } from '../../src/run/run-bundle.js';
import { currentPlatform } from '../../src/run/spawn.js';
import { isMpakError } from '../../src/errors.js';
import type { MissingOption } from '../../src/run/resolve.js';

export default class BundleRun extends MpakCommand {
  static override enableJsonFlag = false;
  static override summary = 'Run a bundle’s MCP server on stdio (registry ref, .mcpb file or folder).';
  static override description =
    'Pulls and verifies the bundle if needed, extracts it to the cache, resolves platform overrides and user_config (explicit, stored config, env aliases, defaults), then starts the server with stdio passed straight through: mpak writes nothing to stdout. Arguments after `--` are appended unsubstituted. --guard relays JSON-RPC and refuses tools the manifest does not declare; --guard=strict also hides tools whose description changed.';
  static override examples = [
    '<%= config.bin %> bundle run @acme/weather',
    '<%= config.bin %> bundle run ./weather.mcpb -- --verbose',
    '<%= config.bin %> bundle run @acme/weather@^1 --guard=strict',
  ];
  static override strict = false;
  static override args = { ref: Args.string({ description: 'Package reference (@scope/name[@range]), a .mcpb file or a bundle folder.', required: true }) };
  static override flags = {
    'min-level': levelFlag('Refuse registry versions scanned below this trust level (default: config policy.minLevel, else L1).'),
    force: Flags.boolean({ description: 'Run even when the version is below the trust policy.' }),
    config: Flags.string({ char: 'c', description: 'A user_config value for this run only: KEY=value (repeatable).', multiple: true }),
    guard: Flags.boolean({ description: 'Relay JSON-RPC and refuse calls to tools the manifest does not declare (--guard=strict also hides changed tools).' }),
    'guard-strict': Flags.boolean({ description: 'Same as --guard=strict.', hidden: true }),
    offline: Flags.boolean({ description: 'Use the verified caches only; never touch the network.' }),
    'allow-expired': Flags.boolean({ description: 'Accept expired index metadata.' }),
  };

  async run(): Promise<void> {
    const dash = this.argv.indexOf('--');
    const own = (dash >= 0 ? this.argv.slice(0, dash) : this.argv).map((a) => (a === '--guard=strict' ? '--guard-strict' : a === '--guard=warn' ? '--guard' : a));
    const extraArgs = dash >= 0 ? this.argv.slice(dash + 1) : [];
    const { args, flags } = await this.parse(BundleRun, own);
    const warn = (m: string) => this.info(`mpak: ${m}`);
    const ctx = makeClientContext({ env: process.env, cwd: process.cwd(), warn, offline: flags.offline, allowExpired: flags['allow-expired'] });
    const { os, arch } = currentPlatform();
    const platform = `${os}-${arch}`;
    const config = await readConfig(ctx.paths.configFile);

    const local = await stat(resolve(args.ref)).catch(() => undefined);
    let bundleDir: string;
    let pkg: string | undefined;
    if (local?.isDirectory()) bundleDir = resolve(args.ref);
    else if (local?.isFile()) bundleDir = (await prepareLocalBundle(ctx, resolve(args.ref), platform)).bundleDir;
    else {
      const minLevel = (flags['min-level'] ?? config.policy.minLevel ?? 'L1') as TrustLevel;
      const progress = progressReporter();
      const pulled = await pullBundle(ctx, { spec: args.ref, platform, minLevel, force: flags.force, extract: true, onProgress: progress.update });
      progress.done();
      bundleDir = pulled.bundleDir!;
      pkg = pulled.name;
    }
    const manifest = await readRunManifest(bundleDir);
    const name = pkg ?? manifest.name;
    const explicit: Record<string, ConfigValue> = {};
    for (const pair of flags.config ?? []) {
      const eq = pair.indexOf('=');
      if (eq > 0) explicit[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
    const base = { bundleDir, manifest, pkg: name, hostEnv: process.env, home: (await import('node:os')).homedir(), explicit, stored: config.packages[name] ?? {}, extraArgs };
    try {
      planBundleLaunch(base);
    } catch (err) {
      const interactive = process.stdin.isTTY && process.stderr.isTTY && process.env.CI !== 'true';
      if (!interactive || !isMpakError(err) || err.code !== 'USER_CONFIG_MISSING') throw err;
      Object.assign(explicit, await promptMissing(name, err.details as MissingOption[], ctx.paths.configFile));
    }
    const code = await runBundle({
      ...base,
      guard: flags['guard-strict'] ? 'strict' : flags.guard ? 'warn' : undefined,
      stdin: process.stdin,
      stdout: process.stdout,
      signalSource: process,
      warn,
    });
    process.exitCode = code;
  }
}

/** Prompts on the terminal for each missing required option (sensitive input masked), offering to save. */
async function promptMissing(pkg: string, missing: MissingOption[], configFile: string): Promise<Record<string, string>> {
  const answers: Record<string, string> = {};
  for (const m of missing) answers[m.key] = await ask(`${m.title} (${m.key})${m.description ? ` — ${m.description}` : ''}: `, m.sensitive);
  const save = await ask(`Save these values for ${pkg} in the mpak config? [y/N] `, false);
  if (/^y(es)?$/i.test(save.trim())) {
    await updateConfig(configFile, (c) => {
      c.packages[pkg] = { ...(c.packages[pkg] ?? {}), ...answers };
    });
  }
  return answers;
}

async function ask(question: string, masked: boolean): Promise<string> {
  const { createInterface } = await import('node:readline');
  const { Writable } = await import('node:stream');
  let muted = false;
  const output = new Writable({
    write(chunk: Buffer, _enc, done) {
      if (!muted) process.stderr.write(chunk);
      else if (chunk.toString() !== '\n' && chunk.toString() !== '\r\n') process.stderr.write('*'.repeat(chunk.toString().replace(/\r?\n/g, '').length ? 1 : 0));
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  return new Promise((resolvePromise) => {
    rl.question(question, (answer) => {
      rl.close();
      if (masked) process.stderr.write('\n');
      resolvePromise(answer);
    });
    muted = masked;
  });
}

/** A one-line download progress on stderr (bytes and rate), only on a TTY and outside CI. */
export function progressReporter(): { update: (e: { bytes: number; total: number }) => void; done: () => void } {
  const enabled = Boolean(process.stderr.isTTY) && process.env.CI !== 'true';
  const started = Date.now();
  let last = 0;
  let shown = false;
  const mb = (n: number) => (n / 1048576).toFixed(1);
  return {
    update: ({ bytes, total }) => {
      if (!enabled || Date.now() - last < 100) return;
      last = Date.now();
      shown = true;
      const rate = bytes / Math.max(0.001, (Date.now() - started) / 1000);
      process.stderr.write(`\r  ${mb(bytes)}/${mb(total)} MB  ${mb(rate)} MB/s  ${Math.floor((bytes / Math.max(1, total)) * 100)}%   `);
    },
    done: () => {
      if (shown) process.stderr.write('\r\x1b[K');
    },
  };
}
