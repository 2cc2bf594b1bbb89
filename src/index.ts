/**
 * mpak as a library: the same core functions the CLI calls, for scripts, CI and GitHub Actions.
 * Each capability re-exports its public API here.
 */
export { MpakError, ExitCode, inputError, negativeError, environmentError, isMpakError } from './errors.js';
export { canonicalJson, stableJson } from './util/canonical-json.js';
export { sha256File, sha256 } from './util/hash.js';
export * from './manifest/index.js';
export * from './archive/index.js';
export * from './sign/index.js';
export { scanBundle, scanBundleDetailed, summarizeScan, toSarif, evaluateGate } from './scan/index.js';
export type { ScanReport, ScanOptions, ScanSummary } from './scan/index.js';
export {
  initIndex,
  addToIndex,
  buildIndex,
  verifyIndex,
  checkEntryChange,
  pollWatched,
  startStaticServer,
  openPublished,
  parsePackageRef,
  packageSourcePath,
  packageDocumentPath,
  serverNameOf,
  summaryRecords,
  RegistryConfig,
  SourceEntry,
  TimestampFile,
  SnapshotFile,
  PackageDocument,
  SummaryShard,
  Catalog,
} from './registry/index.js';
export type { InitIndexOptions, AddToIndexOptions, AddToIndexResult, BuildIndexOptions, BuildIndexResult, VerifyIndexOptions, VerifyIndexResult, PackageRef, SummaryRecord, VersionEntry } from './registry/index.js';
export { mpakPaths, readConfig, setPackageConfig, getPackageConfig, unsetPackageConfig, listPackageConfig, maskValue } from './config/index.js';
export type { MpakPaths, MpakConfig, ConfigValue, UserConfigOption } from './config/index.js';
export {
  makeClientContext,
  addRegistry,
  activeRegistries,
  removeRegistry,
  refreshRegistry,
  searchRegistries,
  resolvePackage,
  pullBundle,
  prepareLocalBundle,
  outdatedBundles,
  updateBundles,
  installToClient,
  clientConfigPath,
} from './client/index.js';
export type { ClientContext, ActiveRegistry, RefreshResult, SearchResult, SearchHit, PullOptions, PullResult, InstallResult } from './client/index.js';
export { runBundle, planBundleLaunch, readRunManifest, planLaunch, resolveServerConfig, startGuard } from './run/index.js';
export type { RunBundleOptions, LaunchPlan, RunManifest, GuardMode } from './run/index.js';
