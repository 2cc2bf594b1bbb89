import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { mpakPaths, type MpakPaths } from '../config/paths.js';
import type { PinnedKey, RegistryConfig } from '../config/store.js';

/**
 * What every client function receives instead of reading globals: paths, the environment, an
 * injected `fetch` and clock (tests pass their own), a warning sink (the CLI prints to stderr).
 */
export interface ClientContext {
  paths: MpakPaths;
  env: Record<string, string | undefined>;
  fetch?: typeof fetch;
  now?: () => Date;
  /** Base for relative folder registry paths. */
  cwd?: string;
  warn?: (message: string) => void;
  /** Accept expired index metadata (air-gapped users with old mirrors). */
  allowExpired?: boolean;
  /** Use the verified cache only; never touch the network. */
  offline?: boolean;
}

/** A registry the client reads this run: from config, or from `MPAK_REGISTRY` (never persisted). */
export interface ActiveRegistry extends RegistryConfig {
  /** `config` or `env`; env registries keep their pinned keys in the state folder, not the config. */
  origin: 'config' | 'env';
  /** Stable folder id: name + hash of the URL, so re-adding a name with another URL starts clean. */
  id: string;
}

export function registryId(name: string, url: string): string {
  const safe = name.replace(/[^a-zA-Z0-9._-]/g, '_');
  return `${safe}-${createHash('sha256').update(url).digest('hex').slice(0, 12)}`;
}

export function registryCacheDir(ctx: ClientContext, reg: { id: string }): string {
  return join(ctx.paths.registriesCacheDir, reg.id);
}

export function registryStateFile(ctx: ClientContext, reg: { id: string }): string {
  return join(ctx.paths.stateDir, 'registries', `${reg.id}.json`);
}

export const now = (ctx: ClientContext) => (ctx.now ? ctx.now() : new Date());

export type { PinnedKey };

/** A context from an environment (the CLI passes process.env); everything else optional. */
export function makeClientContext(o: Omit<ClientContext, 'paths'> & { paths?: MpakPaths }): ClientContext {
  return { ...o, paths: o.paths ?? mpakPaths(o.env) };
}
