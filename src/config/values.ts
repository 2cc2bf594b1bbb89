import { inputError } from '../errors.js';
import { type ConfigValue, type MpakConfig, readConfig, updateConfig } from './store.js';

/** One `user_config` option as the manifest declares it (mcpb-format §1.3). */
export interface UserConfigOption {
  type: 'string' | 'number' | 'boolean' | 'directory' | 'file';
  title: string;
  description?: string;
  required?: boolean;
  sensitive?: boolean;
  multiple?: boolean;
  default?: string | number | boolean | string[];
  min?: number;
  max?: number;
}

export type UserConfigSchema = Record<string, UserConfigOption>;

const PACKAGE_NAME = /^@[a-z0-9][a-z0-9._-]*\/[a-z0-9][a-z0-9._-]*$/i;

export function assertPackageName(pkg: string): void {
  if (!PACKAGE_NAME.test(pkg)) {
    throw inputError('INVALID_PACKAGE_SPEC', `Invalid package spec: "${pkg}". Expected scoped format: @scope/name`, {
      suggestions: ['mpak config set @scope/name KEY=value'],
    });
  }
}

/** `KEY=value` pairs → values; a key given twice becomes a string array (for `multiple` options). */
export function parseAssignments(pairs: string[]): Record<string, ConfigValue> {
  const out: Record<string, ConfigValue> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      throw inputError('INVALID_ASSIGNMENT', `Expected KEY=value, got ${JSON.stringify(pair)}`, {
        suggestions: ['mpak config set @scope/name API_KEY=value'],
      });
    }
    const key = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    const prev = out[key];
    out[key] = prev === undefined ? value : [...(Array.isArray(prev) ? prev : [prev]), value];
  }
  return out;
}

/** The type rules of mcpb-format §3 step 4 for one value; returns a message, or undefined when fine. */
export function checkOptionValue(value: ConfigValue, option: UserConfigOption): string | undefined {
  const items = Array.isArray(value) ? value : [value];
  if (Array.isArray(value) && !option.multiple) return 'takes one value (the option is not `multiple`)';
  for (const item of items) {
    if (option.type === 'number') {
      const n = Number(item);
      if (item.trim() === '' || !Number.isFinite(n)) return `must be a finite number, got ${JSON.stringify(item)}`;
      if (option.min !== undefined && n < option.min) return `must be ≥ ${option.min}, got ${n}`;
      if (option.max !== undefined && n > option.max) return `must be ≤ ${option.max}, got ${n}`;
    } else if (option.type === 'boolean' && item !== 'true' && item !== 'false') {
      return `must be true or false, got ${JSON.stringify(item)}`;
    }
  }
  return undefined;
}

/** First 4 characters, the rest `*`; values of 4 characters or fewer are fully masked. */
export function maskValue(value: ConfigValue): ConfigValue {
  const mask = (s: string) => (s.length <= 4 ? '*'.repeat(s.length) : s.slice(0, 4) + '*'.repeat(s.length - 4));
  return Array.isArray(value) ? value.map(mask) : mask(value);
}

/**
 * Masks every value unless the known schema says the option is not sensitive: without the
 * bundle's manifest we cannot tell, and a leaked secret costs more than a masked path.
 */
export function maskPackageValues(values: Record<string, ConfigValue>, schema?: UserConfigSchema): Record<string, ConfigValue> {
  return Object.fromEntries(
    Object.entries(values).map(([k, v]) => {
      const option = schema?.[k];
      return [k, option && !option.sensitive ? v : maskValue(v)];
    }),
  );
}

export interface SetPackageConfigOptions {
  configFile: string;
  pkg: string;
  values: Record<string, ConfigValue>;
  /** The bundle's user_config when the bundle is cached; values are then checked against it. */
  schema?: UserConfigSchema;
}

/** Stores values for a package after checking them against its user_config when known. */
export async function setPackageConfig(options: SetPackageConfigOptions): Promise<Record<string, ConfigValue>> {
  assertPackageName(options.pkg);
  const { schema } = options;
  if (schema) {
    const problems: string[] = [];
    for (const [key, value] of Object.entries(options.values)) {
      const option = schema[key];
      if (!option) problems.push(`${key}: not an option of ${options.pkg} (known: ${Object.keys(schema).join(', ') || 'none'})`);
      else {
        const why = checkOptionValue(value, option);
        if (why) problems.push(`${key}: ${why}`);
      }
    }
    if (problems.length > 0) {
      throw inputError('CONFIG_VALUE_INVALID', `Invalid value(s) for ${options.pkg}:\n  ${problems.join('\n  ')}`, {
        details: problems,
        suggestions: [`mpak bundle show ${options.pkg}`],
      });
    }
  }
  const config = await updateConfig(options.configFile, (c) => {
    c.packages[options.pkg] = { ...(c.packages[options.pkg] ?? {}), ...options.values };
  });
  return config.packages[options.pkg] ?? {};
}

/** Values stored for one package (empty when none). */
export async function getPackageConfig(configFile: string, pkg: string): Promise<Record<string, ConfigValue>> {
  assertPackageName(pkg);
  return (await readConfig(configFile)).packages[pkg] ?? {};
}

export async function listPackageConfig(configFile: string): Promise<MpakConfig['packages']> {
  return (await readConfig(configFile)).packages;
}

/** Removes one key, or every value of the package when no key is given. Returns what was removed. */
export async function unsetPackageConfig(configFile: string, pkg: string, keys: string[] = []): Promise<string[]> {
  assertPackageName(pkg);
  const before = await readConfig(configFile);
  const current = before.packages[pkg];
  if (!current) return [];
  const removed = keys.length === 0 ? Object.keys(current) : keys.filter((k) => k in current);
  if (removed.length === 0) return [];
  await updateConfig(configFile, (c) => {
    const values = { ...(c.packages[pkg] ?? {}) };
    for (const k of removed) delete values[k];
    if (Object.keys(values).length === 0) delete c.packages[pkg];
    else c.packages[pkg] = values;
  });
  return removed;
}
