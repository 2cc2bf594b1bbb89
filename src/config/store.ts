import { chmod, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { inputError } from '../errors.js';
import { writeFileAtomic } from '../util/fs-atomic.js';

/**
 * `MPAK_HOME/config.json`: per-package user_config values, configured registries and the trust
 * policy. Hand-validated (no zod) because `mpak search` reads it on every start and must stay fast.
 * Strict: unknown keys or bad JSON raise "config corrupted" and the file is never rewritten.
 */

export const TRUST_LEVELS = ['L0', 'L1', 'L2', 'L3', 'L4'] as const;
export type TrustLevel = (typeof TRUST_LEVELS)[number];

export type ConfigValue = string | string[];

/** A public key of a registry's index signers, pinned on first add or given with `--key`. */
export interface PinnedKey {
  keyid: string;
  /** As registry.json publishes it (base64 of the raw Ed25519 key or PEM). */
  publicKey: string;
}

export interface RegistryConfig {
  name: string;
  url: string;
  keys: PinnedKey[];
  addedAt: string;
}

export interface MpakConfig {
  version: 1;
  lastUpdated: string;
  packages: Record<string, Record<string, ConfigValue>>;
  registries: RegistryConfig[];
  policy: { minLevel?: TrustLevel };
}

export function emptyConfig(): MpakConfig {
  return { version: 1, lastUpdated: new Date(0).toISOString(), packages: {}, registries: [], policy: {} };
}

function corrupted(path: string, why: string) {
  return inputError('CONFIG_CORRUPTED', `config corrupted: ${path}: ${why}`, {
    suggestions: [`Fix or move the file aside, then retry: mv ${path} ${path}.bak`],
  });
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function onlyKeys(obj: Record<string, unknown>, allowed: string[], where: string, path: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) throw corrupted(path, `unknown key ${JSON.stringify(key)} in ${where}`);
  }
}

/** Checks the parsed JSON against the strict config shape; throws CONFIG_CORRUPTED naming the problem. */
export function parseConfig(value: unknown, path = 'config.json'): MpakConfig {
  if (!isPlainObject(value)) throw corrupted(path, 'not a JSON object');
  onlyKeys(value, ['version', 'lastUpdated', 'packages', 'registries', 'policy'], 'the top level', path);
  if (value.version !== 1) throw corrupted(path, `unsupported version ${JSON.stringify(value.version)}`);
  if (value.lastUpdated !== undefined && typeof value.lastUpdated !== 'string') throw corrupted(path, 'lastUpdated is not a string');
  const packages = value.packages ?? {};
  if (!isPlainObject(packages)) throw corrupted(path, 'packages is not an object');
  for (const [pkg, values] of Object.entries(packages)) {
    if (!isPlainObject(values)) throw corrupted(path, `packages[${JSON.stringify(pkg)}] is not an object`);
    for (const [key, v] of Object.entries(values)) {
      const ok = typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string'));
      if (!ok) throw corrupted(path, `packages[${JSON.stringify(pkg)}].${key} is not a string or string array`);
    }
  }
  const registries = value.registries ?? [];
  if (!Array.isArray(registries)) throw corrupted(path, 'registries is not an array');
  registries.forEach((r: unknown, i) => {
    if (!isPlainObject(r)) throw corrupted(path, `registries[${i}] is not an object`);
    onlyKeys(r, ['name', 'url', 'keys', 'addedAt'], `registries[${i}]`, path);
    if (typeof r.name !== 'string' || typeof r.url !== 'string') throw corrupted(path, `registries[${i}] needs name and url strings`);
    if (!Array.isArray(r.keys)) throw corrupted(path, `registries[${i}].keys is not an array`);
    for (const k of r.keys as unknown[]) {
      if (!isPlainObject(k) || typeof k.keyid !== 'string' || typeof k.publicKey !== 'string') {
        throw corrupted(path, `registries[${i}].keys holds an entry without keyid/publicKey strings`);
      }
      onlyKeys(k, ['keyid', 'publicKey'], `registries[${i}].keys`, path);
    }
    if (r.addedAt !== undefined && typeof r.addedAt !== 'string') throw corrupted(path, `registries[${i}].addedAt is not a string`);
  });
  const policy = value.policy ?? {};
  if (!isPlainObject(policy)) throw corrupted(path, 'policy is not an object');
  onlyKeys(policy, ['minLevel'], 'policy', path);
  if (policy.minLevel !== undefined && !TRUST_LEVELS.includes(policy.minLevel as TrustLevel)) {
    throw corrupted(path, `policy.minLevel must be one of ${TRUST_LEVELS.join(', ')}`);
  }
  return {
    version: 1,
    lastUpdated: (value.lastUpdated as string | undefined) ?? new Date(0).toISOString(),
    packages: packages as MpakConfig['packages'],
    registries: (registries as RegistryConfig[]).map((r) => ({ ...r, addedAt: r.addedAt ?? new Date(0).toISOString() })),
    policy: policy as MpakConfig['policy'],
  };
}

/** Reads the config; a missing file is the empty config and is NOT created (reads never write). */
export async function readConfig(configFile: string): Promise<MpakConfig> {
  let text: string;
  try {
    text = await readFile(configFile, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptyConfig();
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw corrupted(configFile, `bad JSON (${(err as Error).message})`);
  }
  return parseConfig(json, configFile);
}

/** Writes the config atomically, mode 0600, creating its directory 0700 when absent. */
export async function writeConfig(configFile: string, config: MpakConfig, now = new Date()): Promise<void> {
  const dir = dirname(configFile);
  const created = await mkdir(dir, { recursive: true, mode: 0o700 });
  if (created !== undefined) await chmod(dir, 0o700);
  const out: MpakConfig = { ...config, lastUpdated: now.toISOString() };
  await writeFileAtomic(configFile, `${JSON.stringify(out, null, 2)}\n`, { mode: 0o600 });
  await chmod(configFile, 0o600);
}

/** Read, change, write: the one way commands modify the config. */
export async function updateConfig(configFile: string, change: (config: MpakConfig) => void | Promise<void>): Promise<MpakConfig> {
  const config = await readConfig(configFile);
  await change(config);
  await writeConfig(configFile, config);
  return config;
}
