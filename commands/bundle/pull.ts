import { Args, Flags } from '@oclif/core';
import { MpakCommand } from '../../cli/base.js';
import { levelFlag } from '../../cli/flags.js';
import { makeClientContext } from '../../src/client/context.js';
import { pullBundle, type PullResult } from '../../src/client/pull.js';
import { readConfig, type TrustLevel } from '../../src/config/store.js';
import { currentPlatform } from '../../src/run/spawn.js';
import { progressReporter } from './run.js';

export default class BundlePull extends MpakCommand {
  static override summary = 'Download a bundle from a registry and verify it (size, SHA-256, signature per policy).';
  static override description =
    'A semver range picks the highest matching active version. Nothing reaches its final place before it verified; the file lands in the content-addressed cache and, with -o, is copied to the folder. Versions below the trust policy (--min-level, default config policy.minLevel, else L1) are refused unless --force.';
  static override examples = ['<%= config.bin %> bundle pull @acme/weather', '<%= config.bin %> bundle pull @acme/weather@^1.2 -o ./bundles'];
  static override args = { ref: Args.string({ description: 'Package reference: @scope/name[@version|@range].', required: true }) };
  static override flags = {
    output: Flags.string({ char: 'o', description: 'Copy the verified .mcpb into this folder.' }),
    'min-level': levelFlag('Refuse versions scanned below this trust level (default: config policy.minLevel, else L1).'),
    force: Flags.boolean({ description: 'Pull even when the version is below the trust policy.' }),
    extract: Flags.boolean({ description: 'Also extract it into the bundle cache (as `bundle run` does).' }),
    offline: Flags.boolean({ description: 'Use the verified caches only.' }),
    'allow-expired': Flags.boolean({ description: 'Accept expired index metadata.' }),
  };

  async run(): Promise<PullResult> {
    const { args, flags } = await this.parse(BundlePull);
    const ctx = makeClientContext({ env: process.env, cwd: process.cwd(), warn: (m) => this.info(`Warning: ${m}`), offline: flags.offline, allowExpired: flags['allow-expired'] });
    const minLevel = (flags['min-level'] ?? (await readConfig(ctx.paths.configFile)).policy.minLevel ?? 'L1') as TrustLevel;
    const { os, arch } = currentPlatform();
    const progress = progressReporter();
    const result = await pullBundle(ctx, { spec: args.ref, platform: `${os}-${arch}`, minLevel, force: flags.force, outputDir: flags.output, extract: flags.extract, onProgress: progress.update });
    progress.done();
    if (!this.jsonEnabled()) {
      this.out(`${result.name}@${result.version}  ${result.trust}  ${result.size} bytes`);
      this.out(`path    ${result.file ?? result.bundleDir ?? result.blob}`);
      this.out(`sha256  ${result.sha256}`);
    }
    return result;
  }
}
