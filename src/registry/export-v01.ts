import { serverNameOf, type PackageDocument, type VersionEntry, type VersionStatus } from './format.js';

/**
 * The MCP Registry compatible static export (mcpb-format §7): one `ServerResponse` per version,
 * server names `dev.mpak.<scope>/<name>`, mcpb packages whose `identifier` is the https download
 * URL and `fileSha256` the SHA-256 of that exact file. mpak's own data (trust level, signature)
 * goes under the open outer `_meta["org.mpaktrust"]`.
 */

export const SERVER_SCHEMA_URL = 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json';
const OFFICIAL_META = 'io.modelcontextprotocol.registry/official';
const MPAK_META = 'org.mpaktrust';
const DESCRIPTION_MAX = 100;
const TITLE_MAX = 100;

export interface ServerResponse {
  server: Record<string, unknown>;
  _meta: Record<string, unknown>;
}

export interface ServerList {
  servers: ServerResponse[];
  metadata: { count: number };
}

/** Cuts text to at most `max` characters at a word boundary, with an ellipsis when cut. */
export function cutAtWord(text: string, max: number): string {
  const clean = text.replace(/\s+/g, ' ').trim();
  if (clean.length <= max) return clean;
  const room = clean.slice(0, max - 1);
  const space = room.lastIndexOf(' ');
  const head = (space > max / 2 ? room.slice(0, space) : room).replace(/[\s.,;:!?-]+$/, '');
  return `${head}…`;
}

/** The official registry's statuses: yanked versions are withdrawn, so they export as deleted. */
function officialStatus(status: VersionStatus): 'active' | 'deprecated' | 'deleted' {
  return status === 'yanked' ? 'deleted' : status;
}

/** Resolves an artifact URL (absolute, or registry-relative like `blobs/sha256/<hex>`) against the base URL. */
export function absoluteArtifactUrl(url: string, baseUrl: string): string {
  return new URL(url, baseUrl).toString();
}

function repositoryOf(url: string | undefined): Record<string, string> | undefined {
  if (!url) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url.replace(/^git\+/, '').replace(/\.git$/, ''));
  } catch {
    return undefined;
  }
  const host = parsed.hostname.toLowerCase();
  const source = host === 'github.com' ? 'github' : host === 'gitlab.com' ? 'gitlab' : host.split('.').slice(-2, -1)[0] ?? host;
  return { url: parsed.toString(), source };
}

function isUri(value: string | undefined): value is string {
  if (!value) return false;
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

/** One `ServerResponse` for a version of a bundle package. */
export function serverResponse(doc: PackageDocument, entry: VersionEntry, baseUrl: string): ServerResponse {
  const m = entry.manifest;
  const repository = repositoryOf(m.repository ?? entry.provenance.repository);
  const server: Record<string, unknown> = {
    $schema: SERVER_SCHEMA_URL,
    name: serverNameOf(doc.name),
    description: cutAtWord(m.description || m.displayName || doc.name, DESCRIPTION_MAX) || doc.name,
    version: entry.version,
    ...(m.displayName ? { title: cutAtWord(m.displayName, TITLE_MAX) } : {}),
    ...(isUri(m.homepage) ? { websiteUrl: m.homepage } : {}),
    ...(repository ? { repository } : {}),
    ...(m.icon?.startsWith('https://') && m.icon.length <= 255 ? { icons: [{ src: m.icon }] } : {}),
    packages: entry.artifacts.map((a) => ({
      registryType: 'mcpb',
      identifier: absoluteArtifactUrl(a.url, baseUrl),
      fileSha256: a.sha256,
      version: entry.version,
      transport: { type: 'stdio' },
      ...(m.serverType ? { runtimeHint: m.serverType === 'python' || m.serverType === 'uv' ? 'python' : m.serverType === 'node' ? 'node' : undefined } : {}),
    })),
  };
  return {
    server,
    _meta: {
      [OFFICIAL_META]: {
        status: officialStatus(entry.status),
        ...(entry.statusMessage ? { statusMessage: entry.statusMessage } : entry.status === 'yanked' ? { statusMessage: 'yanked' } : {}),
        statusChangedAt: entry.publishedAt,
        publishedAt: entry.publishedAt,
        updatedAt: entry.publishedAt,
        isLatest: doc.latest === entry.version,
      },
      [MPAK_META]: {
        package: doc.name,
        level: entry.scan.level,
        score: entry.scan.score,
        display: entry.scan.display,
        degraded: entry.scan.degraded,
        signature: entry.signature.status,
      },
    },
  };
}
