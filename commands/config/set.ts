import { Args } from '@oclif/core';
import { MpakCommand } from '../../cli/base.js';
import { inputError } from '../../src/errors.js';
import { mpakPaths } from '../../src/config/paths.js';
import { maskPackageValues, parseAssignments, setPackageConfig, type UserConfigSchema } from '../../src/config/values.js';
import type { ConfigValue } from '../../src/config/store.js';
import { cachedUserConfig } from '../../src/client/cache.js';

export interface ConfigSetResult {
  package: string;
  /** Every stored value of the package after the change (sensitive ones masked). */
  values: Record<string, ConfigValue>;
  /** True when the values were checked against the cached bundle's user_config. */
  checked: boolean;
}

export default class ConfigSet extends MpakCommand {
  static override summary = 'Store user_config values for a package.';
  static override description =
    'Values are stored in MPAK_HOME/config.json (mode 0600) and used by `mpak bundle run`. When the bundle is cached, keys and types are checked against its user_config; give a key twice for a `multiple` option.';
  static override examples = [
    '<%= config.bin %> config set @acme/weather API_KEY=abc123',
    '<%= config.bin %> config set @acme/files ROOTS=/data ROOTS=/srv',
  ];
  static override strict = false;
  static override args = {
    pkg: Args.string({ description: 'Package name, @scope/name.', required: true }),
    values: Args.string({ description: 'KEY=value pairs (one or more).', required: false }),
  };

  async run(): Promise<ConfigSetResult> {
    const { args, argv } = await this.parse(ConfigSet);
    const pairs = (argv as string[]).slice(1);
    if (pairs.length === 0) throw inputError('NO_VALUES', 'Give at least one KEY=value', { suggestions: [`mpak config set ${args.pkg} KEY=value`] });
    const paths = mpakPaths(process.env);
    const schema = (await cachedUserConfig(paths, args.pkg)) as UserConfigSchema | undefined;
    const stored = await setPackageConfig({ configFile: paths.configFile, pkg: args.pkg, values: parseAssignments(pairs), schema });
    const result = { package: args.pkg, values: maskPackageValues(stored, schema), checked: schema !== undefined };
    if (!this.jsonEnabled()) {
      this.info(`Saved ${pairs.length} value(s) for ${args.pkg}${schema ? '' : ' (bundle not cached: keys and types not checked)'}`);
    }
    return result;
  }
}
