import { inputError } from '../errors.js';
import type { ConfigValue } from '../config/store.js';
import type { UserConfigOption, UserConfigSchema } from '../config/values.js';
import { checkOptionValue } from '../config/values.js';
import {
  builtinVariables,
  substituteArgs,
  substituteEnv,
  substituteString,
  type SubstitutionContext,
  type SubstitutionValue,
} from './substitute.js';

/** The parts of a manifest the runner reads (validated elsewhere; typed structurally here). */
export interface RunManifest {
  name: string;
  version?: string;
  server: {
    type: string;
    entry_point?: string;
    mcp_config: McpServerFields & { platform_overrides?: Record<string, McpServerFields> };
  };
  user_config?: UserConfigSchema;
  compatibility?: { platforms?: string[] };
  tools?: { name: string; description?: string }[];
  _meta?: Record<string, unknown>;
}

export interface McpServerFields {
  command?: string;
  args?: string[];
  env?: Record<string, string>;
}

export interface ResolvedServerConfig {
  command: string;
  args: string[];
  env: Record<string, string>;
}

const MPAK_META_KEY = 'dev.mpak';

/**
 * Step 1 of mcpb-format §3: each of command, args and env comes whole from the first of
 * `_meta["dev.mpak"].platform_overrides["<os>-<arch>"]`, `mcp_config.platform_overrides[<os>]`,
 * the base. Official truthiness: `command: ""` does not override; `args: []` and `env: {}` do.
 * `platform_overrides` itself is never passed on.
 */
export function resolveServerConfig(manifest: RunManifest, platform: string, arch: string): ResolvedServerConfig {
  const base = manifest.server.mcp_config;
  const meta = manifest._meta?.[MPAK_META_KEY] as { platform_overrides?: Record<string, McpServerFields> } | undefined;
  const layers: (McpServerFields | undefined)[] = [
    meta?.platform_overrides?.[`${platform}-${arch}`],
    base.platform_overrides?.[platform],
    base,
  ];
  const pick = <K extends keyof McpServerFields>(key: K): McpServerFields[K] => {
    for (const layer of layers) {
      const v = layer?.[key];
      if (key === 'command' ? Boolean(v) : v !== undefined && v !== null) return v;
    }
    return undefined;
  };
  return { command: pick('command') ?? '', args: [...(pick('args') ?? [])], env: { ...(pick('env') ?? {}) } };
}

/** Undefined, null, "", [] and arrays holding any of these are not usable (§3 step 2). */
export function isUsable(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return false;
  if (Array.isArray(value)) return value.length > 0 && value.every((v) => v !== undefined && v !== null && v !== '');
  return true;
}

export type OptionSource = 'explicit' | 'config' | 'env' | 'default';

export interface MissingOption {
  key: string;
  title: string;
  description?: string;
  sensitive: boolean;
}

export interface ResolveOptionsInput {
  manifest: RunManifest;
  /** The resolved server config (env aliases are read from its env). */
  server: ResolvedServerConfig;
  explicit?: Record<string, ConfigValue>;
  stored?: Record<string, ConfigValue>;
  hostEnv: Record<string, string | undefined>;
  builtins: Map<string, string>;
}

export interface ResolvedOptions {
  /** key → string or string[] (numbers and booleans already stringified). */
  values: Record<string, SubstitutionValue>;
  sources: Record<string, OptionSource>;
  missing: MissingOption[];
  warnings: string[];
}

/**
 * Step 2–4 of §3: explicit > stored config > env alias > default (built-ins expanded once), then
 * type checks. Missing required options are returned, not thrown, so a TTY caller can prompt.
 */
export function resolveOptions(input: ResolveOptionsInput): ResolvedOptions {
  const schema = input.manifest.user_config ?? {};
  const values: Record<string, SubstitutionValue> = {};
  const sources: Record<string, OptionSource> = {};
  const missing: MissingOption[] = [];
  const warnings: string[] = [];
  const problems: string[] = [];
  for (const [key, option] of Object.entries(schema)) {
    const picked = pickValue(key, option, input, warnings);
    if (!picked) {
      if (option.required) missing.push({ key, title: option.title, description: option.description, sensitive: Boolean(option.sensitive) });
      continue;
    }
    let value: ConfigValue = Array.isArray(picked.value) ? picked.value : String(picked.value);
    if (Array.isArray(value) && value.length === 1 && !option.multiple) value = value[0]!;
    // A manifest default may be a list whatever `multiple` says; values from the user may not.
    const why = checkOptionValue(value, { ...option, multiple: option.multiple || picked.source === 'default' });
    if (why) {
      problems.push(`${key} (from ${picked.source}): ${why}`);
      continue;
    }
    values[key] = option.type === 'number' ? (Array.isArray(value) ? value.map((v) => String(Number(v))) : String(Number(value))) : value;
    sources[key] = picked.source;
  }
  if (problems.length > 0) {
    throw inputError('USER_CONFIG_INVALID', `Invalid user_config value(s) for ${input.manifest.name}:\n  ${problems.join('\n  ')}`, {
      details: problems,
      suggestions: [`mpak config set ${input.manifest.name} KEY=value`],
    });
  }
  return { values, sources, missing, warnings };
}

function pickValue(
  key: string,
  option: UserConfigOption,
  input: ResolveOptionsInput,
  warnings: string[],
): { value: string | number | boolean | string[]; source: OptionSource } | undefined {
  const explicit = input.explicit?.[key];
  if (isUsable(explicit)) return { value: explicit!, source: 'explicit' };
  const stored = input.stored?.[key];
  if (isUsable(stored)) return { value: stored!, source: 'config' };
  const placeholder = `\${user_config.${key}}`;
  for (const [envKey, envValue] of Object.entries(input.server.env)) {
    const host = input.hostEnv[envKey];
    if (envValue === placeholder && host !== undefined && host !== '') return { value: host, source: 'env' };
  }
  const def = option.default;
  if (!isUsable(def)) return undefined;
  // Built-ins in defaults are expanded once; user values never are.
  const ctx: SubstitutionContext = { vars: input.builtins, warnings };
  if (typeof def === 'string') return { value: substituteString(def, ctx, `user_config.${key}.default`), source: 'default' };
  if (Array.isArray(def)) return { value: def.map((d) => substituteString(d, ctx, `user_config.${key}.default`)), source: 'default' };
  return { value: String(def), source: 'default' };
}

/** The exit-2 error for missing required options without a TTY (§3 step 3). */
export function missingOptionsError(pkg: string, missing: MissingOption[]) {
  const lines = missing.map((m) => `${m.key} (${m.title})`);
  return inputError('USER_CONFIG_MISSING', `${pkg} needs required configuration that is not set:\n  ${lines.join('\n  ')}`, {
    details: missing,
    suggestions: missing.map((m) => `mpak config set ${pkg} ${m.key}=value`),
  });
}

export interface LaunchPlanInput {
  manifest: RunManifest;
  bundleDir: string;
  platform: NodeJS.Platform;
  arch: string;
  home: string;
  hostEnv: Record<string, string | undefined>;
  explicit?: Record<string, ConfigValue>;
  stored?: Record<string, ConfigValue>;
  /** Arguments after `--`, appended unsubstituted. */
  extraArgs?: string[];
}

export interface LaunchPlan extends ResolvedServerConfig {
  cwd: string;
  options: ResolvedOptions;
  warnings: string[];
}

/**
 * The whole §3 pipeline for one bundle: server config, options, substitution. Throws
 * USER_CONFIG_MISSING (exit 2) when a required option has no usable value; callers that can
 * prompt call `resolveOptions` first and pass the answers as `explicit`.
 */
export function planLaunch(input: LaunchPlanInput): LaunchPlan {
  const server = resolveServerConfig(input.manifest, input.platform, input.arch);
  const builtins = builtinVariables({ bundleDir: input.bundleDir, home: input.home, platform: input.platform, env: input.hostEnv });
  const options = resolveOptions({ manifest: input.manifest, server, explicit: input.explicit, stored: input.stored, hostEnv: input.hostEnv, builtins });
  if (options.missing.length > 0) throw missingOptionsError(input.manifest.name, options.missing);
  const vars = new Map<string, SubstitutionValue>(builtins);
  for (const [k, v] of Object.entries(options.values)) vars.set(`user_config.${k}`, v);
  const unsetOptions = new Set(Object.keys(input.manifest.user_config ?? {}).filter((k) => !(k in options.values)));
  const ctx: SubstitutionContext = { vars, unsetOptions, warnings: [...options.warnings] };
  const command = substituteString(server.command, ctx, 'command');
  const args = [...substituteArgs(server.args, ctx), ...(input.extraArgs ?? [])];
  const env = substituteEnv(server.env, ctx);
  return { command, args, env, cwd: input.bundleDir, options, warnings: ctx.warnings };
}
