/**
 * The MCPB manifest: schemas for manifest_version 0.1–0.4 (exactly as strict as the official
 * validator), mpak's warnings, the `_meta` extensions and bundle-context checks.
 */
export { MPAK_META_KEY, MTF_META_KEY, MANIFEST_VERSIONS, INIT_MANIFEST_VERSION, MAX_MANIFEST_BYTES } from './constants.js';
export type { ManifestVersion } from './constants.js';
export { validateManifest, parseManifestText, resolveManifestVersion } from './validate.js';
export type { ManifestCheck, ValidateOptions, ParseOptions } from './validate.js';
export { formatPath, problem } from './problems.js';
export type { Problem } from './problems.js';
export { MANIFEST_SCHEMAS, ManifestSchemaV0_1, ManifestSchemaV0_2, ManifestSchemaV0_3, ManifestSchemaV0_4, UserConfigOptionSchema } from './schema.js';
export type {
  Manifest,
  ManifestServer,
  ServerType,
  McpConfig,
  PlatformOverride,
  UserConfigOption,
  ManifestAuthor,
  ManifestTool,
  ManifestPrompt,
  ManifestIcon,
  ManifestLocalization,
  ManifestCompatibility,
} from './schema.js';
export { readMtfExtension, MtfExtensionSchema } from './mtf.js';
export type { MtfExtension, MtfPermissions, MtfCredential, MtfReading, ResolvedMtfPermissions } from './mtf.js';
export { readMpakMeta, ARCH_OVERRIDE_KEY } from './mpak-meta.js';
export type { MpakMeta, MpakMetaReading, ContentHashEntry } from './mpak-meta.js';
export { isZod3Email, isWhatwgUrl } from './formats.js';
export { checkBundleContext, folderBundleFiles, isPng } from './context.js';
export type { BundleFiles } from './context.js';
export { validateManifestPath, checkManifestWithFiles, applyStrict } from './validate-path.js';
export type { ManifestPathCheck } from './validate-path.js';
export { detectServer, initBundle, buildInitManifest, defaultMcpConfig, defaultEntryPoint, defaultMcpbIgnore } from './init.js';
export type { ServerDetection, InitAnswers, InitResult } from './init.js';
export { ProblemSchema, BundleValidateResultSchema } from './result-schema.js';
export type { BundleValidateResult } from './result-schema.js';
