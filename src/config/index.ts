export { mpakPaths, type MpakPaths } from './paths.js';
export {
  readConfig,
  writeConfig,
  updateConfig,
  parseConfig,
  emptyConfig,
  TRUST_LEVELS,
  type TrustLevel,
  type MpakConfig,
  type RegistryConfig,
  type PinnedKey,
  type ConfigValue,
} from './store.js';
export {
  parseAssignments,
  checkOptionValue,
  maskValue,
  maskPackageValues,
  setPackageConfig,
  getPackageConfig,
  listPackageConfig,
  unsetPackageConfig,
  assertPackageName,
  type UserConfigOption,
  type UserConfigSchema,
} from './values.js';
