/**
 * A bundle = a safe archive plus its parsed manifest. `readBundle` is what scan, sign, index and
 * run build on; `bundleInfo` is the summary behind `mpak bundle info`.
 */
import { inputError } from '../errors.js';
import { MAX_MANIFEST_BYTES, parseManifestText, type ManifestCheck } from '../manifest/index.js';
import { openArchive, type OpenArchiveOptions, type SafeArchive } from './reader.js';

export interface Bundle {
  archive: SafeArchive;
  manifestText: string;
  /** Schema validation of the manifest (not the bundle-context checks). */
  manifestCheck: ManifestCheck;
}

/**
 * Opens a `.mcpb` safely and reads its manifest. A manifest over 1 MiB is refused
 * (`ARCHIVE_HOSTILE`); invalid UTF-8, JSON or schema problems come back in `manifestCheck`.
 * The caller closes `archive`.
 */
export async function readBundle(path: string, options: Omit<OpenArchiveOptions, 'requireRoot'> = {}): Promise<Bundle> {
  const archive = await openArchive(path, { ...options, requireRoot: 'manifest.json' });
  try {
    const entry = archive.entries.find((e) => e.name === 'manifest.json')!;
    if (entry.size > MAX_MANIFEST_BYTES) {
      throw inputError('ARCHIVE_HOSTILE', `${path}: manifest.json declares ${entry.size} bytes; the limit is ${MAX_MANIFEST_BYTES} (1 MiB)`);
    }
    const bytes = await archive.readEntry('manifest.json', MAX_MANIFEST_BYTES);
    const manifestCheck = parseManifestText(bytes, { source: `${path}!manifest.json` });
    return { archive, manifestText: bytes.toString('utf8'), manifestCheck };
  } catch (err) {
    await archive.close();
    throw err;
  }
}

export interface BundleInfo {
  path: string;
  name?: string;
  displayName?: string;
  version?: string;
  description?: string;
  manifestVersion?: string;
  author?: string;
  serverType?: string;
  entryPoint?: string;
  manifestValid: boolean;
  manifestErrors: string[];
  tools: { name: string; description?: string }[];
  prompts: { name: string; description?: string }[];
  userConfig: { key: string; type: string; title: string; required: boolean; sensitive: boolean }[];
  files: number;
  packedSize: number;
  unpackedSize: number;
  sha256: string;
  /** SHA-256 of the bundle without its signature (equal to `sha256` when unsigned). */
  unsignedSha256: string;
  /** From the trailer alone; `mpak bundle verify` checks the signature itself. */
  signature: { state: 'unsigned' | 'signed' | 'malformed'; reason?: string; warnings: string[] };
}

/** Summary of a `.mcpb`: manifest, tools, prompts, user_config, sizes, SHA-256, signature presence. */
export async function bundleInfo(path: string): Promise<BundleInfo> {
  const { archive, manifestCheck } = await readBundle(path);
  try {
    const m = manifestCheck.manifest;
    const files = archive.entries.filter((e) => !e.isDirectory).length;
    return {
      path,
      ...(m
        ? {
            name: m.name,
            ...(m.display_name ? { displayName: m.display_name } : {}),
            version: m.version,
            description: m.description,
            author: m.author.name,
            serverType: m.server.type,
            entryPoint: m.server.entry_point,
          }
        : {}),
      ...(manifestCheck.version ? { manifestVersion: manifestCheck.version } : {}),
      manifestValid: manifestCheck.valid,
      manifestErrors: manifestCheck.errors.map((p) => `${p.pathText ? `${p.pathText}: ` : ''}${p.message}`),
      tools: (m?.tools ?? []).map((t) => ({ name: t.name, ...(t.description ? { description: t.description } : {}) })),
      prompts: (m?.prompts ?? []).map((p) => ({ name: p.name, ...(p.description ? { description: p.description } : {}) })),
      userConfig: Object.entries(m?.user_config ?? {}).map(([key, o]) => ({
        key,
        type: o.type,
        title: o.title,
        required: o.required ?? false,
        sensitive: o.sensitive ?? false,
      })),
      files,
      packedSize: archive.size,
      unpackedSize: archive.unpackedSize,
      sha256: archive.sha256,
      unsignedSha256: archive.unsignedSha256,
      signature: {
        state: archive.trailer.state,
        ...(archive.trailer.reason ? { reason: archive.trailer.reason } : {}),
        warnings: archive.trailer.warnings,
      },
    };
  } finally {
    await archive.close();
  }
}
