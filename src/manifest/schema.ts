import * as z from 'zod';
import type { ManifestVersion } from './constants.js';
import { isWhatwgUrl, isZod3Email } from './formats.js';

/**
 * The MCPB manifest schemas, one per manifest_version, exactly as strict as the official
 * validator (@anthropic-ai/mcpb 2.1.2, zod 3.25): every object closed, no coercion, the same
 * email and URL rules (mcpb-format.md §1.2–1.3). Each version only adds to the one before.
 */

const url = () =>
  z
    .string()
    .refine(isWhatwgUrl, { message: 'Invalid url: expected a URL that WHATWG `new URL()` parses' })
    .meta({ format: 'uri' });

const email = () =>
  z
    .string()
    .refine(isZod3Email, { message: 'Invalid email: expected an email address' })
    .meta({ format: 'email' });

const LOCALE_PLACEHOLDER_REGEX = /\$\{locale\}/i;
const BCP47_REGEX = /^[A-Za-z0-9]{2,8}(?:-[A-Za-z0-9]{1,8})*$/;
const ICON_SIZE_REGEX = /^\d+x\d+$/;

export const McpServerConfigSchema = z.strictObject({
  command: z.string(),
  args: z.array(z.string()).optional(),
  env: z.record(z.string(), z.string()).optional(),
});

export const PlatformOverrideSchema = McpServerConfigSchema.partial();

export const McpConfigSchema = McpServerConfigSchema.extend({
  platform_overrides: z.record(z.string(), PlatformOverrideSchema).optional(),
});

export const AuthorSchema = z.strictObject({
  name: z.string(),
  email: email().optional(),
  url: url().optional(),
});

export const RepositorySchema = z.strictObject({
  type: z.string(),
  url: url(),
});

const serverSchema = <T extends readonly [string, ...string[]]>(types: T) =>
  z.strictObject({
    type: z.enum(types),
    entry_point: z.string(),
    mcp_config: McpConfigSchema,
  });

export const ServerSchemaV0_1 = serverSchema(['python', 'node', 'binary'] as const);
export const ServerSchemaV0_4 = serverSchema(['python', 'node', 'binary', 'uv'] as const);

export const CompatibilitySchema = z.strictObject({
  claude_desktop: z.string().optional(),
  platforms: z.array(z.enum(['darwin', 'win32', 'linux'])).optional(),
  runtimes: z
    .strictObject({
      python: z.string().optional(),
      node: z.string().optional(),
    })
    .optional(),
});

export const ToolSchema = z.strictObject({
  name: z.string(),
  description: z.string().optional(),
});

export const PromptSchema = z.strictObject({
  name: z.string(),
  description: z.string().optional(),
  arguments: z.array(z.string()).optional(),
  text: z.string(),
});

export const UserConfigOptionSchema = z.strictObject({
  type: z.enum(['string', 'number', 'boolean', 'directory', 'file']),
  title: z.string(),
  description: z.string(),
  required: z.boolean().optional(),
  default: z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]).optional(),
  multiple: z.boolean().optional(),
  sensitive: z.boolean().optional(),
  min: z.number().optional(),
  max: z.number().optional(),
});

export const LocalizationSchema = z.strictObject({
  resources: z.string().regex(LOCALE_PLACEHOLDER_REGEX, 'resources must include a "${locale}" placeholder'),
  default_locale: z.string().regex(BCP47_REGEX, 'default_locale must be a valid BCP 47 locale identifier'),
});

export const IconSchema = z.strictObject({
  src: z.string(),
  size: z.string().regex(ICON_SIZE_REGEX, 'size must be in the format "WIDTHxHEIGHT" (e.g., "16x16")'),
  theme: z.string().min(1, 'theme cannot be empty when provided').optional(),
});

/** `_meta`: reverse-DNS key → any object (a string, array or null value is rejected). */
export const MetaSchema = z.record(z.string(), z.record(z.string(), z.any()));

const versionFields = <V extends ManifestVersion>(v: V) => ({
  $schema: z.string().optional(),
  dxt_version: z.literal(v).optional().describe('@deprecated Use manifest_version instead'),
  manifest_version: z.literal(v).optional(),
});

const baseFields = {
  name: z.string(),
  display_name: z.string().optional(),
  version: z.string(),
  description: z.string(),
  long_description: z.string().optional(),
  author: AuthorSchema,
  repository: RepositorySchema.optional(),
  homepage: url().optional(),
  documentation: url().optional(),
  support: url().optional(),
  icon: z.string().optional(),
  screenshots: z.array(z.string()).optional(),
  server: ServerSchemaV0_1,
  tools: z.array(ToolSchema).optional(),
  tools_generated: z.boolean().optional(),
  prompts: z.array(PromptSchema).optional(),
  prompts_generated: z.boolean().optional(),
  keywords: z.array(z.string()).optional(),
  license: z.string().optional(),
  compatibility: CompatibilitySchema.optional(),
  user_config: z.record(z.string(), UserConfigOptionSchema).optional(),
};

export const ManifestSchemaV0_1 = z.strictObject({ ...versionFields('0.1'), ...baseFields });

export const ManifestSchemaV0_2 = z.strictObject({
  ...versionFields('0.2'),
  ...baseFields,
  privacy_policies: z.array(url()).optional(),
});

const v03Fields = {
  ...baseFields,
  icons: z.array(IconSchema).optional(),
  localization: LocalizationSchema.optional(),
  privacy_policies: z.array(url()).optional(),
  _meta: MetaSchema.optional(),
};

export const ManifestSchemaV0_3 = z.strictObject({ ...versionFields('0.3'), ...v03Fields });

export const ManifestSchemaV0_4 = z.strictObject({
  ...versionFields('0.4'),
  ...v03Fields,
  server: ServerSchemaV0_4,
});

export const MANIFEST_SCHEMAS = {
  '0.1': ManifestSchemaV0_1,
  '0.2': ManifestSchemaV0_2,
  '0.3': ManifestSchemaV0_3,
  '0.4': ManifestSchemaV0_4,
} as const;

type V04 = z.infer<typeof ManifestSchemaV0_4>;

/** A manifest of any supported version (the 0.4 shape is a superset of the earlier ones). */
export type Manifest = Omit<V04, 'manifest_version' | 'dxt_version'> & {
  manifest_version?: ManifestVersion;
  dxt_version?: ManifestVersion;
};
export type ManifestServer = z.infer<typeof ServerSchemaV0_4>;
export type ServerType = ManifestServer['type'];
export type McpConfig = z.infer<typeof McpConfigSchema>;
export type PlatformOverride = z.infer<typeof PlatformOverrideSchema>;
export type UserConfigOption = z.infer<typeof UserConfigOptionSchema>;
export type ManifestAuthor = z.infer<typeof AuthorSchema>;
export type ManifestTool = z.infer<typeof ToolSchema>;
export type ManifestPrompt = z.infer<typeof PromptSchema>;
export type ManifestIcon = z.infer<typeof IconSchema>;
export type ManifestLocalization = z.infer<typeof LocalizationSchema>;
export type ManifestCompatibility = z.infer<typeof CompatibilitySchema>;
