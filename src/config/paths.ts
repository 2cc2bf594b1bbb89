import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** Every place mpak keeps state under `MPAK_HOME`, computed once from the environment. */
export interface MpakPaths {
  home: string;
  configFile: string;
  cacheDir: string;
  /** Content-addressed downloads: `cache/blobs/sha256/<hex>`. */
  blobsDir: string;
  /** Extracted registry bundles: `cache/bundles/<scope>/<name>/<version>/`. */
  bundlesDir: string;
  /** Extracted local `.mcpb` files, keyed by file SHA-256: `cache/_local/<hex>/`. */
  localBundlesDir: string;
  /** Verified copies of each registry's published files: `cache/registries/<id>/`. */
  registriesCacheDir: string;
  /** Security state that must survive a cache wipe (highest index version seen, pinned keys for env registries). */
  stateDir: string;
  keysDir: string;
  tmpDir: string;
}

/** `MPAK_HOME` from the given environment, else `~/.mpak`. */
export function mpakPaths(env: Record<string, string | undefined> = {}, home = homedir()): MpakPaths {
  const root = env.MPAK_HOME && env.MPAK_HOME.length > 0 ? resolve(env.MPAK_HOME) : join(home, '.mpak');
  const cacheDir = join(root, 'cache');
  return {
    home: root,
    configFile: join(root, 'config.json'),
    cacheDir,
    blobsDir: join(cacheDir, 'blobs', 'sha256'),
    bundlesDir: join(cacheDir, 'bundles'),
    localBundlesDir: join(cacheDir, '_local'),
    registriesCacheDir: join(cacheDir, 'registries'),
    stateDir: join(root, 'state'),
    keysDir: join(root, 'keys'),
    tmpDir: join(cacheDir, 'tmp'),
  };
}
