import { inputError } from '../errors.js';
import type { PinnedKey, RegistryConfig } from '../config/store.js';
import { type ActiveRegistry, type ClientContext, registryId } from './context.js';
import { assertRegistryName, normaliseRegistryUrl, parseKeyOption, saveRegistry } from './registries.js';
import { refreshRegistry, type RefreshResult } from './refresh.js';
import { fetchRegistryKeys } from './registry-keys.js';

export interface AddRegistryOptions {
  name: string;
  url: string;
  /** `--key`: a fingerprint (`sha256:<hex>`) to pick from registry.json, or a public key file. */
  key?: string;
}

export interface AddRegistryResult {
  registry: RegistryConfig;
  /** Fingerprints pinned (`sha256:<keyid>`); shown on stderr so the user can compare out of band. */
  pinned: string[];
  /** True when the keys were taken from registry.json on first use (trust on first use). */
  firstUse: boolean;
  refresh: RefreshResult;
}

/**
 * Adds a registry: pins its index keys (from `--key`, or from its registry.json on first use),
 * then performs a first verified refresh. Nothing is saved unless that refresh verifies.
 */
export async function addRegistry(ctx: ClientContext, options: AddRegistryOptions): Promise<AddRegistryResult> {
  assertRegistryName(options.name);
  const url = normaliseRegistryUrl(options.url, ctx.cwd);
  const draft: ActiveRegistry = { name: options.name, url, keys: [], addedAt: new Date(0).toISOString(), origin: 'config', id: registryId(options.name, url) };
  const keyOption = options.key ? await parseKeyOption(options.key, ctx.cwd) : undefined;
  let keys: PinnedKey[];
  if (keyOption?.key) keys = [keyOption.key];
  else {
    const published = await fetchRegistryKeys(ctx, draft);
    if (keyOption?.fingerprint) {
      keys = published.filter((k) => k.keyid === keyOption.fingerprint);
      if (keys.length === 0) {
        throw inputError('REGISTRY_KEY_MISMATCH', `Registry ${options.name} publishes no key with fingerprint sha256:${keyOption.fingerprint}`, {
          details: { published: published.map((k) => `sha256:${k.keyid}`) },
          suggestions: ['Check the fingerprint with the registry maintainer.'],
        });
      }
    } else keys = published;
  }
  const entry: RegistryConfig = { name: options.name, url, keys, addedAt: (ctx.now ? ctx.now() : new Date()).toISOString() };
  const refresh = await refreshRegistry(ctx, { ...entry, origin: 'config', id: draft.id }, { keys });
  await saveRegistry(ctx, entry);
  return { registry: entry, pinned: keys.map((k) => `sha256:${k.keyid}`), firstUse: !keyOption, refresh };
}

