import { join } from 'node:path';

/**
 * Placeholder substitution for `mcp_config` (mcpb-format §3): one left-to-right pass over
 * `${NAME}` tokens, known names replaced literally, unknown tokens left verbatim, substituted text
 * never re-scanned. The official library's regex-per-variable replacement is a bug we do not copy.
 */

export type SubstitutionValue = string | string[];

export interface BuiltinOptions {
  bundleDir: string;
  home: string;
  platform: NodeJS.Platform;
  /** Host environment, for the XDG directory variables on Linux. */
  env: Record<string, string | undefined>;
}

/** `${__dirname}`, `${HOME}`, `${DESKTOP}`, `${DOCUMENTS}`, `${DOWNLOADS}`, `${pathSeparator}`, `${/}`. */
export function builtinVariables(o: Omit<BuiltinOptions, 'bundleDir'> & { bundleDir?: string }): Map<string, string> {
  const separator = o.platform === 'win32' ? '\\' : '/';
  const xdg = (name: string) => (o.platform === 'linux' && o.env[name] ? o.env[name] : undefined);
  const vars = new Map<string, string>();
  if (o.bundleDir !== undefined) vars.set('__dirname', o.bundleDir.replace(/[\\/]+$/, '') || o.bundleDir);
  vars.set('HOME', o.home);
  vars.set('DESKTOP', xdg('XDG_DESKTOP_DIR') ?? join(o.home, 'Desktop'));
  vars.set('DOCUMENTS', xdg('XDG_DOCUMENTS_DIR') ?? join(o.home, 'Documents'));
  vars.set('DOWNLOADS', xdg('XDG_DOWNLOAD_DIR') ?? join(o.home, 'Downloads'));
  vars.set('pathSeparator', separator);
  vars.set('/', separator);
  return vars;
}

export interface SubstitutionContext {
  /** Every known name → value (`user_config.KEY` included for resolved options). */
  vars: Map<string, SubstitutionValue>;
  /** Declared options with no usable value: their placeholders stay, with a warning. */
  unsetOptions?: Set<string>;
  warnings: string[];
}

const TOKEN = /\$\{([^}]*)\}/g;

/**
 * Substitutes one string. `where` names the field for warnings. Array values cannot be spliced
 * into a longer string: the placeholder stays and a warning names the option.
 */
export function substituteString(text: string, ctx: SubstitutionContext, where: string): string {
  // String.replace with a function inserts the return value literally: `$&`, `$1`, `$$` stay as typed.
  return text.replace(TOKEN, (token, name: string) => {
    const value = ctx.vars.get(name);
    if (value === undefined) {
      if (name.startsWith('user_config.') && ctx.unsetOptions?.has(name.slice('user_config.'.length))) {
        ctx.warnings.push(`${where}: option ${name.slice(12)} is not set; ${token} left as is`);
      }
      return token;
    }
    if (Array.isArray(value)) {
      ctx.warnings.push(`${where}: option ${name.replace(/^user_config\./, '')} is a list and cannot be used inside a string; ${token} left as is`);
      return token;
    }
    return value;
  });
}

/** Substitutes an `args` array; an element that is exactly `${user_config.X}` with an array value expands to its items. */
export function substituteArgs(args: string[], ctx: SubstitutionContext): string[] {
  const out: string[] = [];
  args.forEach((arg, i) => {
    const exact = /^\$\{(user_config\.[^}]*)\}$/.exec(arg);
    if (exact) {
      const value = ctx.vars.get(exact[1]!);
      if (Array.isArray(value)) {
        out.push(...value);
        return;
      }
    }
    out.push(substituteString(arg, ctx, `args[${i}]`));
  });
  return out;
}

/** Substitutes env values (never keys). */
export function substituteEnv(env: Record<string, string>, ctx: SubstitutionContext): Record<string, string> {
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, substituteString(v, ctx, `env.${k}`)]));
}
