/** `_meta` key of mpak's own extension (architecture overrides, content hashes). A project decision: keep it here only. */
export const MPAK_META_KEY = 'dev.mpak';
/** `_meta` key of the mpak Trust Framework block (mcpb-format.md §2). */
export const MTF_META_KEY = 'org.mpaktrust';

export const MANIFEST_VERSIONS = ['0.1', '0.2', '0.3', '0.4'] as const;
export type ManifestVersion = (typeof MANIFEST_VERSIONS)[number];

/** What `mpak bundle init` writes (mcpb-format.md §1.1): 0.3 for `_meta`, 0.4 only for uv. */
export const INIT_MANIFEST_VERSION: ManifestVersion = '0.3';

/** Refuse manifests larger than this before parsing: a manifest is a few KiB; 1 MiB is hostile. */
export const MAX_MANIFEST_BYTES = 1024 * 1024;

/** The first manifest version that accepts each version-gated top-level key. */
export const KEY_SINCE: Record<string, ManifestVersion> = {
  privacy_policies: '0.2',
  icons: '0.3',
  localization: '0.3',
  _meta: '0.3',
};
