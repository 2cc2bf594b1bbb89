import * as z from 'zod';
import { MTF_META_KEY } from './constants.js';
import { isJsonSchemaDate, isJsonSchemaUri } from './json-schema-formats.js';

/**
 * `_meta["org.mpaktrust"]`: the MTF v0.1 extension block, written to agree with the published
 * JSON Schema (https://mpaktrust.org/schemas/mtf/v0.1/mtf-extension.json, copied in
 * shared/schemas/mtf-extension.schema.json). Closed at the top level and in every sub-object, so
 * the legacy `files[]` is rejected here (mpak keeps content hashes under `_meta["dev.mpak"]`).
 */

const uri = () => z.string().refine(isJsonSchemaUri, { message: 'Invalid URI (RFC 3986, with a scheme)' });

export const MtfPermissionsSchema = z.strictObject({
  filesystem: z.enum(['none', 'read', 'write', 'full']).optional(),
  network: z.enum(['none', 'outbound', 'inbound', 'full']).optional(),
  environment: z.enum(['none', 'read', 'write']).optional(),
  subprocess: z.enum(['none', 'restricted', 'full']).optional(),
  native: z.enum(['none', 'required']).optional(),
});

export const MtfTokenHandlingSchema = z.strictObject({
  storage: z.enum(['memory', 'disk', 'keychain']).optional(),
  max_lifetime_seconds: z.int().min(0).optional(),
  refresh: z.boolean().optional(),
});

export const MtfCredentialSchema = z.strictObject({
  provider: z.string(),
  scopes: z.array(z.string()).min(1, 'scopes must list at least one scope'),
  justification: z.string(),
  token_handling: MtfTokenHandlingSchema.optional(),
});

export const MtfSourceSchema = z.strictObject({
  commit: z.string().regex(/^[a-f0-9]{40}$/, 'commit must be a full 40-character lowercase hex SHA-1'),
  signed: z.boolean().optional(),
});

export const MtfBuildSchema = z.strictObject({
  builder: z.string(),
  reproducible: z.boolean().optional(),
});

export const MtfSignatureSchema = z.strictObject({
  type: z.enum(['sigstore', 'gpg', 'minisign']),
  bundle_path: z.string().optional(),
  signature_path: z.string().optional(),
  public_key: z.string().optional(),
  signer_identity: uri().optional(),
});

export const MtfAttestationSchema = z.strictObject({
  type: z.literal('https://slsa.dev/provenance/v1'),
  bundle_path: z.string().optional(),
  bundle_url: uri().optional(),
});

export const MtfScorecardSchema = z.strictObject({
  score: z.number().min(0).max(10),
  checks: z.record(z.string(), z.number().min(-1).max(10)).optional(),
  scan_date: z.string().refine(isJsonSchemaDate, { message: 'Invalid date (expected YYYY-MM-DD)' }),
  report_url: uri().optional(),
});

export const MtfExtensionSchema = z.strictObject({
  mtf_version: z.string().regex(/^[0-9]+\.[0-9]+$/, 'mtf_version must look like "0.1"'),
  level: z.int().min(1).max(4).optional(),
  permissions: MtfPermissionsSchema.optional(),
  credentials: z.array(MtfCredentialSchema).optional(),
  source: MtfSourceSchema.optional(),
  build: MtfBuildSchema.optional(),
  signature: MtfSignatureSchema.optional(),
  attestation: MtfAttestationSchema.optional(),
  scorecard: MtfScorecardSchema.optional(),
});

export type MtfExtension = z.infer<typeof MtfExtensionSchema>;
export type MtfPermissions = z.infer<typeof MtfPermissionsSchema>;
export type MtfCredential = z.infer<typeof MtfCredentialSchema>;

/** Permissions with every omitted category filled with its schema default, `none`. */
export type ResolvedMtfPermissions = Required<MtfPermissions>;

export interface MtfReading {
  /** Whether the manifest has an `_meta["org.mpaktrust"]` object at all. */
  present: boolean;
  /** Whether the block satisfies the MTF v0.1 schema. */
  valid: boolean;
  /** The parsed block when valid. */
  extension?: MtfExtension;
  /** The raw block as found (an object), valid or not. */
  raw?: Record<string, unknown>;
  /** Permissions with defaults applied; from the raw block when it is invalid but `permissions` itself parses. */
  permissions: ResolvedMtfPermissions;
}

const NO_PERMISSIONS: ResolvedMtfPermissions = {
  filesystem: 'none',
  network: 'none',
  environment: 'none',
  subprocess: 'none',
  native: 'none',
};

/**
 * Reads the MTF extension block of a manifest (any version; a pre-0.3 manifest has no `_meta`).
 * Never throws: an invalid block comes back with `valid: false` (validateManifest reports why).
 */
export function readMtfExtension(manifest: unknown): MtfReading {
  const meta = (manifest as { _meta?: unknown } | null)?._meta;
  const raw = meta && typeof meta === 'object' ? (meta as Record<string, unknown>)[MTF_META_KEY] : undefined;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return { present: false, valid: false, permissions: { ...NO_PERMISSIONS } };
  const parsed = MtfExtensionSchema.safeParse(raw);
  const permsParsed = MtfPermissionsSchema.safeParse((raw as Record<string, unknown>).permissions ?? {});
  const permissions = { ...NO_PERMISSIONS, ...(permsParsed.success ? permsParsed.data : {}) };
  return parsed.success
    ? { present: true, valid: true, extension: parsed.data, raw: raw as Record<string, unknown>, permissions }
    : { present: true, valid: false, raw: raw as Record<string, unknown>, permissions };
}
