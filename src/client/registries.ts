import { readFile, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { inputError } from '../errors.js';
import { readConfig, updateConfig, type PinnedKey, type RegistryConfig } from '../config/store.js';
import { type ActiveRegistry, type ClientContext, registryCacheDir, registryId, registryStateFile } from './context.js';
import { parseRegistryLocation } from '../registry/transport.js';

const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/**
 * The registries of this run. `MPAK_REGISTRY` (comma-separated `url` or `name=url` items)
 * replaces the configured list for one run and is never written to the config.
 */
export async function activeRegistries(ctx: ClientContext): Promise<ActiveRegistry[]> {
  const fromEnv = ctx.env.MPAK_REGISTRY?.trim();
  if (fromEnv) {
    return fromEnv
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((item, i) => {
        const eq = item.indexOf('=');
        const named = eq > 0 && !/^[a-z]+:\/\//i.test(item.slice(0, eq + 3)) && NAME.test(item.slice(0, eq));
        const name = named ? item.slice(0, eq) : i === 0 ? 'env' : `env${i + 1}`;
        const url = named ? item.slice(eq + 1) : item;
        return { name, url, keys: [], addedAt: new Date(0).toISOString(), origin: 'env' as const, id: registryId(`env.${name}`, url) };
      });
  }
  const config = await readConfig(ctx.paths.configFile);
  return config.registries.map((r) => ({ ...r, origin: 'config' as const, id: registryId(r.name, r.url) }));
}

export function assertRegistryName(name: string): void {
  if (!NAME.test(name)) {
    throw inputError('REGISTRY_NAME_INVALID', `Invalid registry name ${JSON.stringify(name)}: use lowercase letters, digits, . _ -`, {
      suggestions: ['mpak registry add acme https://acme.github.io/registry/'],
    });
  }
}

/** Normalises what the user typed: folders become absolute paths, other URLs stay. */
export function normaliseRegistryUrl(url: string, cwd?: string): string {
  const location = parseRegistryLocation(url, cwd);
  return location.kind === 'folder' && !/^file:\/\//i.test(url) ? location.dir : url.trim();
}

/** Saves a registry entry (after the caller verified its first refresh). */
export async function saveRegistry(ctx: ClientContext, entry: RegistryConfig): Promise<void> {
  await updateConfig(ctx.paths.configFile, (c) => {
    c.registries = [...c.registries.filter((r) => r.name !== entry.name), entry];
  });
}

export async function listRegistries(ctx: ClientContext): Promise<ActiveRegistry[]> {
  return activeRegistries(ctx);
}

/** Removes a configured registry and its cached files (its rollback state is dropped too). */
export async function removeRegistry(ctx: ClientContext, name: string): Promise<RegistryConfig> {
  const config = await readConfig(ctx.paths.configFile);
  const found = config.registries.find((r) => r.name === name);
  if (!found) {
    throw inputError('REGISTRY_NOT_FOUND', `No registry named ${JSON.stringify(name)}`, { suggestions: ['mpak registry list'] });
  }
  await updateConfig(ctx.paths.configFile, (c) => {
    c.registries = c.registries.filter((r) => r.name !== name);
  });
  const reg = { id: registryId(found.name, found.url) };
  await rm(registryCacheDir(ctx, reg), { recursive: true, force: true });
  await rm(registryStateFile(ctx, reg), { force: true });
  return found;
}

/**
 * Parses a `--key` value: a fingerprint (`sha256:<hex>` or a bare 64-hex key id) selects the
 * matching key from registry.json; anything else is read as a public key file (base64 or PEM).
 */
export async function parseKeyOption(value: string, cwd?: string): Promise<{ fingerprint?: string; key?: PinnedKey }> {
  const hex = /^(?:sha256:)?([a-f0-9]{64})$/i.exec(value.trim());
  if (hex) return { fingerprint: hex[1]!.toLowerCase() };
  const { keyIdOf } = await import('../sign/index-keys.js');
  let text: string;
  try {
    text = (await readFile(resolve(cwd ?? '.', value), 'utf8')).trim();
  } catch {
    throw inputError('KEY_UNREADABLE', `--key ${value}: neither a sha256 fingerprint nor a readable public key file`, {
      suggestions: ['mpak registry add <name> <url> --key sha256:<64 hex>'],
    });
  }
  try {
    return { key: { keyid: keyIdOf(text), publicKey: text } };
  } catch (err) {
    throw inputError('KEY_INVALID', `--key ${value}: not an Ed25519 public key (${(err as Error).message})`);
  }
}
