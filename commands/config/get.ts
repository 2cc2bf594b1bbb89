import { Args } from '@oclif/core';
import { MpakCommand } from '../../cli/base.js';
import { mpakPaths } from '../../src/config/paths.js';
import { getPackageConfig, maskPackageValues, type UserConfigSchema } from '../../src/config/values.js';
import type { ConfigValue } from '../../src/config/store.js';
import { cachedUserConfig } from '../../src/client/cache.js';

export interface ConfigGetResult {
  package: string;
  values: Record<string, ConfigValue>;
}

export default class ConfigGet extends MpakCommand {
  static override summary = 'Show the stored user_config values of a package (sensitive values masked).';
  static override description = 'Values whose option is sensitive, or whose bundle is not cached (sensitivity unknown), show only their first 4 characters.';
  static override examples = ['<%= config.bin %> config get @acme/weather'];
  static override args = { pkg: Args.string({ description: 'Package name, @scope/name.', required: true }) };

  async run(): Promise<ConfigGetResult> {
    const { args } = await this.parse(ConfigGet);
    const paths = mpakPaths(process.env);
    const schema = (await cachedUserConfig(paths, args.pkg)) as UserConfigSchema | undefined;
    const values = maskPackageValues(await getPackageConfig(paths.configFile, args.pkg), schema);
    if (!this.jsonEnabled()) {
      if (Object.keys(values).length === 0) this.info(`No values stored for ${args.pkg}`);
      for (const [k, v] of Object.entries(values)) this.out(`${k}=${Array.isArray(v) ? v.join(',') : v}`);
    }
    return { package: args.pkg, values };
  }
}
