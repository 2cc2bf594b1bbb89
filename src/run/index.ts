export { builtinVariables, substituteString, substituteArgs, substituteEnv, type SubstitutionContext, type SubstitutionValue } from './substitute.js';
export {
  resolveServerConfig,
  resolveOptions,
  planLaunch,
  isUsable,
  missingOptionsError,
  type RunManifest,
  type ResolvedServerConfig,
  type ResolvedOptions,
  type MissingOption,
  type LaunchPlan,
} from './resolve.js';
export { currentPlatform, checkCompatibility, applyRunnerFixes, spawnServer, whichSync } from './spawn.js';
export { startGuard, GUARD_REFUSED_CODE, type GuardMode, type DeclaredTool } from './guard.js';
export { runBundle, planBundleLaunch, readRunManifest, type RunBundleOptions } from './run-bundle.js';
