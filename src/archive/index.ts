/**
 * Bundle archives: deterministic writing, file selection, pack, the strict safe reader, atomic
 * unpack, and the bundle summary.
 */
export { writeDeterministicZip } from './zip-writer.js';
export type { ZipEntryInput, WriteZipOptions, WriteZipResult } from './zip-writer.js';
export { collectBundleFiles, DEFAULT_EXCLUDES } from './select.js';
export type { BundleSelection, SelectedFile, ExcludedPath, CollectOptions } from './select.js';
export { packBundle, defaultOutputName, sanitizeFileName } from './pack.js';
export type { PackOptions, PackResult } from './pack.js';
export { openArchive, DEFAULT_LIMITS } from './reader.js';
export type { SafeArchive, ArchiveEntry, OpenArchiveOptions, ArchiveLimits } from './reader.js';
export { unpackArchive } from './unpack.js';
export type { UnpackOptions, UnpackResult } from './unpack.js';
export { readBundle, bundleInfo } from './bundle.js';
export type { Bundle, BundleInfo } from './bundle.js';
export { dosDateTimeFromEpoch, normalizedMode } from './zip-format.js';
