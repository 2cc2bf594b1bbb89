import { MpakCommand } from '../../cli/base.js';
import { mpakPaths } from '../../src/config/paths.js';
import { listPackageConfig, maskPackageValues, type UserConfigSchema } from '../../src/config/values.js';
import type { ConfigValue } from '../../src/config/store.js';
import { cachedUserConfig } from '../../src/client/cache.js';

export interface ConfigListResult {
  packages: Record<string, Record<string, ConfigValue>>;
}

export default class ConfigList extends MpakCommand {
  static override summary = 'List every package with stored user_config values (sensitive values masked).';
  static override description = 'Reads MPAK_HOME/config.json; never creates it.';
  static override examples = ['<%= config.bin %> config list', '<%= config.bin %> config list --json'];

  async run(): Promise<ConfigListResult> {
    await this.parse(ConfigList);
    const paths = mpakPaths(process.env);
    const packages: ConfigListResult['packages'] = {};
    for (const [pkg, values] of Object.entries(await listPackageConfig(paths.configFile))) {
      packages[pkg] = maskPackageValues(values, (await cachedUserConfig(paths, pkg)) as UserConfigSchema | undefined);
    }
    if (!this.jsonEnabled()) {
      if (Object.keys(packages).length === 0) this.info('No package values stored.');
      for (const [pkg, values] of Object.entries(packages)) {
        this.out(pkg);
        for (const [k, v] of Object.entries(values)) this.out(`  ${k}=${Array.isArray(v) ? v.join(',') : v}`);
      }
    }
    return { packages };
  }
}
