import { inputError } from '../errors.js';
import type { PinnedKey } from '../config/store.js';
import type { ActiveRegistry, ClientContext } from './context.js';
import { LIMITS, openReader } from './refresh.js';

/** Reads the index-signing keys a registry publishes in its registry.json (checked: key id = hash of key). */
export async function fetchRegistryKeys(ctx: ClientContext, reg: ActiveRegistry): Promise<PinnedKey[]> {
  const { RegistryConfig: RegistrySchema, REGISTRY_CONFIG_PATH } = await import('../registry/format.js');
  const { keyIdOf } = await import('../sign/index-keys.js');
  const reader = await openReader(ctx, reg);
  const got = await reader.read(REGISTRY_CONFIG_PATH, { maxBytes: LIMITS.other });
  let parsed;
  try {
    parsed = RegistrySchema.safeParse(JSON.parse(got.bytes!.toString('utf8')));
  } catch {
    parsed = undefined;
  }
  if (!parsed?.success) {
    throw inputError('REGISTRY_CONFIG_INVALID', `${reader.describe(REGISTRY_CONFIG_PATH)} is not a valid registry.json`, {
      suggestions: [`Pass the index key explicitly: mpak registry add ${reg.name} ${reg.url} --key <public-key-file>`],
    });
  }
  const keys: PinnedKey[] = [];
  for (const k of parsed.data.keys) {
    let id: string;
    try {
      id = keyIdOf(k.publicKey);
    } catch {
      continue;
    }
    if (id === k.keyid) keys.push({ keyid: id, publicKey: k.publicKey });
  }
  if (keys.length === 0) throw inputError('REGISTRY_CONFIG_INVALID', `${reader.describe(REGISTRY_CONFIG_PATH)} lists no usable Ed25519 key`);
  return keys;
}
