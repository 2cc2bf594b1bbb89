/**
 * The static, git-backed registry (spec/registry.md): data formats, init, add, build, verify,
 * serve, the GitHub release source and the poll.
 */
export * from './format.js';
export { initIndex, type InitIndexOptions, type InitIndexResult } from './init.js';
export { addToIndex, type AddToIndexOptions, type AddToIndexResult, type AddOutcome } from './add.js';
export { buildIndex, fileText, shardRecords, type BuildIndexOptions, type BuildIndexResult } from './build.js';
export { verifyIndex, type VerifyIndexOptions, type VerifyIndexResult, type VerifyProblem, type VerifyProblemKind } from './verify.js';
export { startStaticServer, resolveCandidates, type StaticServer, type StaticServerOptions } from './serve.js';
export { openPublished, readCapped, isSafeRelativePath, TooLargeError, type PublishedReader, type OpenPublishedOptions } from './reader.js';
export { parseRegistryLocation, isGitLocation, httpReader, folderReader, gitReader, readBodyCapped, type RegistryLocation, type RegistryReader, type ReadOptions, type FetchResult } from './transport.js';
export { serverResponse, cutAtWord, absoluteArtifactUrl, SERVER_SCHEMA_URL, type ServerResponse, type ServerList } from './export-v01.js';
export { readRegistryConfig, writeRegistryConfig, readSourceEntry, writeSourceEntry, sourceEntryText } from './source.js';
export {
  createIndexSigningKey,
  readIndexSigningKey,
  indexSigningKeyFromPem,
  indexKeyFingerprint,
  registryKeyOf,
  type IndexSigningKey,
} from './keys.js';
export { bundleKind, skillKind, DEFAULT_KINDS, kindFor, withControlDetails, type KindHandler, type Inspection, type InspectContext } from './kinds.js';
export { createOctokit, getRelease, downloadAsset, readClaim, parseGitHubSource, type GitHubOptions, type GitHubRelease, type GitHubAsset } from './github.js';
export { checkEntryChange, type CheckEntryOptions, type CheckEntryResult } from './check.js';
export { pollWatched, type PollOptions, type PollItem } from './poll.js';
