import { MPAK_META_KEY, MTF_META_KEY, type ManifestVersion } from './constants.js';
import { SEMVER_REGEX } from './formats.js';
import { issuesToProblems } from './issues.js';
import { ARCH_OVERRIDE_KEY, MpakMetaSchema } from './mpak-meta.js';
import { MtfExtensionSchema } from './mtf.js';
import { problem, type Problem } from './problems.js';
import type { Manifest, McpConfig, PlatformOverride } from './schema.js';

/** Node `process.platform` values: the only keys a host can ever select in mcp_config.platform_overrides. */
const NODE_PLATFORMS = new Set(['aix', 'android', 'darwin', 'freebsd', 'haiku', 'linux', 'openbsd', 'sunos', 'win32', 'cygwin', 'netbsd']);

const NAME_CHARS = /^[a-z0-9._@/-]*$/;
const USER_CONFIG_REF = /\$\{user_config\.([^}]*)\}/g;

/**
 * The warnings of mcpb-format.md §1.6 for a manifest that already passed the official schema:
 * name and semver sanity, user_config lint, placeholder references, entry point shape, override
 * keys, and the `_meta` extensions (`dev.mpak`, `org.mpaktrust`). Never changes acceptance.
 */
export function lintManifest(m: Manifest, version: ManifestVersion): Problem[] {
  const out: Problem[] = [];
  const warn = (path: (string | number)[], message: string, extra: { value?: unknown; fix?: string } = {}) =>
    out.push(problem('warning', path, message, extra));

  if (!SEMVER_REGEX.test(m.version)) {
    warn(['version'], `version ${JSON.stringify(m.version)} is not semver (MAJOR.MINOR.PATCH)`, {
      value: m.version,
      fix: 'Use a semantic version such as "1.0.0"; registries order versions by semver.',
    });
  }
  lintName(m.name, warn);
  lintEntryPoint(m.server.entry_point, warn);

  const options = m.user_config ?? {};
  for (const [key, opt] of Object.entries(options)) {
    const at = ['user_config', key];
    const fileLike = opt.type === 'directory' || opt.type === 'file';
    if (opt.multiple && !fileLike) {
      warn([...at, 'multiple'], `multiple is meant for directory/file options, not ${opt.type}`, { value: true });
    }
    if (opt.type !== 'number') {
      if (opt.min !== undefined) warn([...at, 'min'], `min applies to number options, not ${opt.type}`, { value: opt.min });
      if (opt.max !== undefined) warn([...at, 'max'], `max applies to number options, not ${opt.type}`, { value: opt.max });
    }
    if (opt.min !== undefined && opt.max !== undefined && opt.min > opt.max) {
      warn([...at, 'min'], `min (${opt.min}) is greater than max (${opt.max}); no value can satisfy both`, { value: opt.min });
    }
    if (opt.default !== undefined) {
      const d = opt.default;
      const ok =
        opt.type === 'number'
          ? typeof d === 'number'
          : opt.type === 'boolean'
            ? typeof d === 'boolean'
            : typeof d === 'string' || (Array.isArray(d) && opt.multiple === true);
      if (!ok) {
        warn([...at, 'default'], `default ${JSON.stringify(d)} does not fit type ${opt.type}${opt.multiple ? ' (multiple)' : ''}`, { value: d });
      }
      if (opt.required) {
        warn([...at, 'default'], 'a default on a required option is ignored by official hosts', {
          value: d,
          fix: 'Drop "required": true (the default then applies) or drop the default.',
        });
      }
    }
  }

  const configs: { path: (string | number)[]; config: McpConfig | PlatformOverride }[] = [
    { path: ['server', 'mcp_config'], config: m.server.mcp_config },
  ];
  for (const [key, o] of Object.entries(m.server.mcp_config.platform_overrides ?? {})) {
    const path = ['server', 'mcp_config', 'platform_overrides', key];
    configs.push({ path, config: o });
    if (ARCH_OVERRIDE_KEY.test(key)) {
      warn(path, `"${key}" is not a process.platform value, so no host ever selects this override`, {
        fix: `Move it to _meta["${MPAK_META_KEY}"].platform_overrides["${key}"] (manifest_version ≥ 0.3), which mpak's runner applies.`,
      });
    } else if (!NODE_PLATFORMS.has(key)) {
      warn(path, `"${key}" is not a Node process.platform value (darwin, linux, win32, …); this override is never selected`);
    }
  }

  const meta = m._meta;
  if (meta && MPAK_META_KEY in meta) {
    const block = meta[MPAK_META_KEY];
    const base = ['_meta', MPAK_META_KEY];
    const parsed = MpakMetaSchema.safeParse(block);
    if (!parsed.success) out.push(...issuesToProblems(parsed.error.issues, block, MpakMetaSchema, version, 'warning').map((p) => rebase(p, base)));
    const overrides = (block as Record<string, unknown>).platform_overrides;
    if (overrides && typeof overrides === 'object' && !Array.isArray(overrides)) {
      for (const [key, o] of Object.entries(overrides)) {
        const path = [...base, 'platform_overrides', key];
        if (!ARCH_OVERRIDE_KEY.test(key)) {
          warn(path, `architecture override key "${key}" must be <os>-<arch> with os darwin/linux/win32 and arch x64/arm64`, {
            fix: 'Use a key such as "darwin-arm64" or "linux-x64".',
          });
        }
        if (o && typeof o === 'object' && !Array.isArray(o)) configs.push({ path, config: o as PlatformOverride });
      }
    }
  }
  if (meta && MTF_META_KEY in meta) {
    const block = meta[MTF_META_KEY];
    const base = ['_meta', MTF_META_KEY];
    const parsed = MtfExtensionSchema.safeParse(block);
    if (!parsed.success) {
      for (const p of issuesToProblems(parsed.error.issues, block, MtfExtensionSchema, version, 'warning')) {
        const r = rebase(p, base);
        if (r.path.length === 3 && r.path[2] === 'files') {
          r.message = '`files` left MTF on 2026-02-10 and is rejected by the current MTF schema';
          r.fix = `Move the content-hash list to _meta["${MPAK_META_KEY}"].files (mpak bundle pack --content-hashes writes it there).`;
        }
        out.push(r);
      }
    }
  }

  for (const { path, config } of configs) lintPlaceholders(config, path, options, warn);
  return out;
}

type Warn = (path: (string | number)[], message: string, extra?: { value?: unknown; fix?: string }) => void;

function lintName(name: string, warn: Warn): void {
  if (name === '') {
    warn(['name'], 'name is empty', { value: name, fix: 'Use a registry name such as "@scope/my-server".' });
    return;
  }
  if (name.trim() !== name) warn(['name'], 'name has surrounding whitespace', { value: name, fix: `Use ${JSON.stringify(name.trim())}.` });
  if (!NAME_CHARS.test(name)) {
    warn(['name'], 'name uses characters outside [a-z0-9._@/-]; registry claims need "@scope/name"', {
      value: name,
      fix: 'Use lowercase letters, digits, ".", "_", "-", and "@scope/name" form.',
    });
  }
  if (name.length > 214) warn(['name'], `name is ${name.length} characters long (at most 214)`, { value: name });
}

function lintEntryPoint(entry: string, warn: Warn): void {
  const path = ['server', 'entry_point'];
  if (entry.includes('\0')) warn(path, 'entry_point contains a NUL character', { value: entry });
  if (entry.includes('\\')) warn(path, 'entry_point contains a backslash; bundle paths use "/"', { value: entry, fix: `Use ${JSON.stringify(entry.replaceAll('\\', '/'))}.` });
  if (entry.startsWith('/') || /^[A-Za-z]:/.test(entry)) warn(path, 'entry_point is absolute; it must be relative to the bundle root', { value: entry });
  if (entry.split(/[/\\]/).includes('..')) warn(path, 'entry_point contains ".." and may point outside the bundle', { value: entry });
}

function lintPlaceholders(
  config: McpConfig | PlatformOverride,
  base: (string | number)[],
  options: NonNullable<Manifest['user_config']>,
  warn: Warn,
): void {
  const check = (value: string, path: (string | number)[], inEnv: boolean) => {
    for (const match of value.matchAll(USER_CONFIG_REF)) {
      const key = match[1]!;
      const opt = options[key];
      if (!opt) {
        warn(path, `\${user_config.${key}} refers to an undeclared user_config option`, {
          value,
          fix: `Declare user_config[${JSON.stringify(key)}] or fix the name.`,
        });
      } else if (opt.multiple && (inEnv || value !== match[0])) {
        warn(path, `multiple option "${key}" is used inside ${inEnv ? 'an env value' : 'a longer string'}; arrays are substituted only as a whole args element`, {
          value,
          fix: `Use "\${user_config.${key}}" as its own args element.`,
        });
      }
    }
  };
  if (typeof config.command === 'string') check(config.command, [...base, 'command'], false);
  config.args?.forEach((a, i) => check(a, [...base, 'args', i], false));
  for (const [k, v] of Object.entries(config.env ?? {})) check(v, [...base, 'env', k], true);
}

function rebase(p: Problem, base: (string | number)[]): Problem {
  return problem(p.severity, [...base, ...p.path], p.message, {
    ...(p.value !== undefined ? { value: p.value } : {}),
    ...(p.fix !== undefined ? { fix: p.fix } : {}),
  });
}
