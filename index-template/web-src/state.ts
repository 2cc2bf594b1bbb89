// Shared page state: the verified index once loaded, and the hash route.
import type { LoadedIndex } from './load.js';
import type { SearchIndex } from './search.js';

export interface AppState {
  index?: LoadedIndex;
  search?: SearchIndex;
  /** Set when loading failed; pages show the banner instead of data. */
  failure?: { tampered: boolean; message: string };
}

export const state: AppState = {};

export interface Route {
  page: 'home' | 'package' | 'trust' | 'install' | 'not-found';
  /** Path segments after the page name (package name, control id). */
  arg?: string;
  params: URLSearchParams;
}

/** Parses `#/package/@scope/name?version=1.0.0`-style hashes; the page works on any static host. */
export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, '');
  const [path = '', query = ''] = raw.split('?', 2) as [string?, string?];
  const params = new URLSearchParams(query);
  const parts = path.split('/').filter(Boolean).map((p) => safeDecode(p));
  const [head, ...rest] = parts;
  if (!head) return { page: 'home', params };
  if (head === 'package' && rest.length) return { page: 'package', arg: rest.join('/'), params };
  if (head === 'trust') return { page: 'trust', arg: rest[0], params };
  if (head === 'install') return { page: 'install', params };
  return { page: 'not-found', params };
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

export function packageHref(name: string, version?: string): string {
  return `#/package/${name}${version ? `?version=${encodeURIComponent(version)}` : ''}`;
}

export function controlHref(id: string): string {
  return `#/trust/${id}`;
}
