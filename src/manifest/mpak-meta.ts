import * as z from 'zod';
import { MPAK_META_KEY } from './constants.js';
import { PlatformOverrideSchema, type PlatformOverride } from './schema.js';

/**
 * `_meta["dev.mpak"]`: mpak's own extension. `platform_overrides` keyed `<os>-<arch>` (applied by
 * mpak's runner, ignored by official hosts) and `files`, the optional content-hash list that left
 * MTF on 2026-02-10 (mcpb-format.md §1.6, §2).
 */

export const ARCH_OVERRIDE_KEY = /^(darwin|linux|win32)-(x64|arm64)$/;

export const ContentHashEntrySchema = z.strictObject({
  path: z.string(),
  sha256: z.string().regex(/^[a-f0-9]{64}$/, 'sha256 must be 64 lowercase hex characters'),
  size: z.int().min(0),
});

export const MpakMetaSchema = z.strictObject({
  platform_overrides: z.record(z.string(), PlatformOverrideSchema).optional(),
  files: z.array(ContentHashEntrySchema).optional(),
});

export type ContentHashEntry = z.infer<typeof ContentHashEntrySchema>;
export type MpakMeta = z.infer<typeof MpakMetaSchema>;

export interface MpakMetaReading {
  present: boolean;
  valid: boolean;
  /** Architecture overrides keyed `<os>-<arch>` (only well-formed keys and values). */
  platformOverrides: Record<string, PlatformOverride>;
  /** Content hashes: ours first, else the legacy `_meta["org.mpaktrust"].files`. */
  files?: ContentHashEntry[];
  /** Where `files` came from. */
  filesSource?: 'dev.mpak' | 'org.mpaktrust';
  raw?: Record<string, unknown>;
}

/** Reads `_meta["dev.mpak"]` (and the legacy MTF `files[]` as a fallback). Never throws. */
export function readMpakMeta(manifest: unknown): MpakMetaReading {
  const meta = (manifest as { _meta?: unknown } | null)?._meta;
  const metaObj = meta && typeof meta === 'object' && !Array.isArray(meta) ? (meta as Record<string, unknown>) : {};
  const raw = metaObj[MPAK_META_KEY];
  const out: MpakMetaReading = { present: false, valid: true, platformOverrides: {} };
  if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
    out.present = true;
    out.raw = raw as Record<string, unknown>;
    const parsed = MpakMetaSchema.safeParse(raw);
    out.valid = parsed.success;
    const overrides = (raw as Record<string, unknown>).platform_overrides;
    if (overrides && typeof overrides === 'object' && !Array.isArray(overrides)) {
      for (const [key, value] of Object.entries(overrides)) {
        const v = PlatformOverrideSchema.safeParse(value);
        if (ARCH_OVERRIDE_KEY.test(key) && v.success) out.platformOverrides[key] = v.data;
      }
    }
    const files = z.array(ContentHashEntrySchema).safeParse((raw as Record<string, unknown>).files);
    if (files.success) {
      out.files = files.data;
      out.filesSource = 'dev.mpak';
    }
  } else if (raw !== undefined) {
    out.valid = false;
  }
  if (!out.files) {
    const mtf = metaObj['org.mpaktrust'];
    const legacy = mtf && typeof mtf === 'object' ? (mtf as Record<string, unknown>).files : undefined;
    const files = z.array(ContentHashEntrySchema).safeParse(legacy);
    if (legacy !== undefined && files.success) {
      out.files = files.data;
      out.filesSource = 'org.mpaktrust';
    }
  }
  return out;
}
