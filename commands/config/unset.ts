import { Args } from '@oclif/core';
import { MpakCommand } from '../../cli/base.js';
import { mpakPaths } from '../../src/config/paths.js';
import { unsetPackageConfig } from '../../src/config/values.js';

export interface ConfigUnsetResult {
  package: string;
  removed: string[];
}

export default class ConfigUnset extends MpakCommand {
  static override summary = 'Remove stored user_config values of a package (one key, or all).';
  static override description = 'Without a key, every value of the package is removed.';
  static override examples = ['<%= config.bin %> config unset @acme/weather API_KEY', '<%= config.bin %> config unset @acme/weather'];
  static override strict = false;
  static override args = {
    pkg: Args.string({ description: 'Package name, @scope/name.', required: true }),
    key: Args.string({ description: 'Option key(s) to remove; all when omitted.', required: false }),
  };

  async run(): Promise<ConfigUnsetResult> {
    const { args, argv } = await this.parse(ConfigUnset);
    const removed = await unsetPackageConfig(mpakPaths(process.env).configFile, args.pkg, (argv as string[]).slice(1));
    if (!this.jsonEnabled()) this.info(removed.length ? `Removed ${removed.join(', ')} from ${args.pkg}` : `Nothing to remove for ${args.pkg}`);
    return { package: args.pkg, removed };
  }
}
