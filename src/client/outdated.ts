import type { TrustLevel } from '../config/store.js';
import type { ClientContext } from './context.js';
import { listCachedBundles } from './cache.js';
import { findPackage } from './resolve.js';
import { pullBundle, type PullResult } from './pull.js';

export interface OutdatedEntry {
  name: string;
  current: string;
  latest: string | null;
  registry: string;
  outdated: boolean;
}

/** Newest cached version of each registry bundle against the registry's latest (refreshing the index when stale). */
export async function outdatedBundles(ctx: ClientContext, options: { names?: string[]; refresh?: boolean } = {}): Promise<OutdatedEntry[]> {
  const semver = (await import('semver')).default;
  const newest = new Map<string, string>();
  for (const m of await listCachedBundles(ctx.paths)) {
    if (m.source !== 'registry' || !semver.valid(m.version)) continue;
    if (options.names && !options.names.includes(m.name)) continue;
    const prev = newest.get(m.name);
    if (!prev || semver.gt(m.version, prev)) newest.set(m.name, m.version);
  }
  const out: OutdatedEntry[] = [];
  for (const [name, current] of [...newest].sort(([a], [b]) => a.localeCompare(b))) {
    try {
      const { registry, document } = await findPackage(ctx, name, { refresh: options.refresh });
      out.push({ name, current, latest: document.latest, registry: registry.name, outdated: document.latest !== null && semver.gt(document.latest, current) });
    } catch (err) {
      ctx.warn?.(`${name}: ${(err as Error).message}`);
      out.push({ name, current, latest: null, registry: '', outdated: false });
    }
  }
  return out;
}

/** Pulls and extracts the latest version of each outdated cached bundle (or of the given names). */
export async function updateBundles(
  ctx: ClientContext,
  options: { names?: string[]; platform: string; minLevel: TrustLevel; force?: boolean },
): Promise<{ checked: OutdatedEntry[]; updated: PullResult[] }> {
  const checked = await outdatedBundles(ctx, { names: options.names, refresh: true });
  const updated: PullResult[] = [];
  for (const entry of checked.filter((e) => e.outdated && e.latest)) {
    updated.push(await pullBundle(ctx, { spec: `${entry.name}@${entry.latest}`, platform: options.platform, minLevel: options.minLevel, force: options.force, extract: true }));
  }
  return { checked, updated };
}
