/**
 * `mpak bundle pack`: validate the manifest, select the files, apply the pack checks of
 * mcpb-format §1.6, optionally record content hashes in the packed manifest, and write the
 * reproducible archive.
 */
import { lstat, open, readFile } from 'node:fs/promises';
import { isAbsolute, join, posix, resolve } from 'node:path';
import { inputError } from '../errors.js';
import { sha256File } from '../util/hash.js';
import { checkBundleContext, MAX_MANIFEST_BYTES, MPAK_META_KEY, parseManifestText, type Problem } from '../manifest/index.js';
import { collectBundleFiles, type ExcludedPath } from './select.js';
import { writeDeterministicZip, type ZipEntryInput } from './zip-writer.js';

export interface PackOptions {
  /** The bundle folder. */
  dir: string;
  /** Output file; default `<cwd>/<slug>-<version>.mcpb`. */
  output?: string;
  /** Base for a relative `dir`/`output` and the default output. */
  cwd: string;
  /** Write `_meta["dev.mpak"].files` (sorted `{path, sha256, size}`) into the packed manifest. */
  contentHashes?: boolean;
  /** Select and check, but write nothing. */
  dryRun?: boolean;
  /** SOURCE_DATE_EPOCH for the entry timestamps. */
  sourceDateEpoch?: string | number;
  /** Overwrite an existing output file. */
  force?: boolean;
  /** Pack even when the entry point (or `<entry>.exe`) is not in the packed set. */
  allowMissingEntryPoint?: boolean;
  /** Pack even when a `binary` entry point has no executable bit. */
  allowNonExecutableEntryPoint?: boolean;
  /** Pack even when `.mcpbignore` matches manifest.json (it is included regardless). */
  allowIgnoredManifest?: boolean;
  /** zlib level (6 by default). */
  level?: number;
}

export interface PackResult {
  name: string;
  version: string;
  manifestVersion: string;
  /** The file written (or that would be written with `dryRun`). */
  output: string;
  written: boolean;
  files: number;
  /** Archive size in bytes; absent on a dry run. */
  packedSize?: number;
  unpackedSize: number;
  /** SHA-256 of the archive (lowercase hex); absent on a dry run. */
  sha256?: string;
  included: string[];
  excluded: ExcludedPath[];
  excludedByDefault: number;
  excludedByIgnoreFile: number;
  emptyDirectories: string[];
  contentHashes: boolean;
  /** Pack errors that a flag turned into warnings, and manifest warnings. */
  warnings: string[];
}

/**
 * Packs the bundle folder `dir` into a reproducible `.mcpb`. Throws `MpakError` (exit 2) for an
 * invalid manifest (with the problems in `details`), a pack error not overridden by its flag, an
 * unreadable tree (symlink outside the root, special file, case collision) or an existing output
 * without `force`.
 */
export async function packBundle(options: PackOptions): Promise<PackResult> {
  const dir = resolve(options.cwd, options.dir);
  const manifestPath = join(dir, 'manifest.json');
  const manifestBytes = await readManifestBytes(manifestPath, options.dir);
  const check = parseManifestText(manifestBytes, { source: 'manifest.json' });
  if (!check.valid || !check.manifest || !check.version) throw manifestInvalid(check.errors, options.dir);
  const manifest = check.manifest;
  const warnings = check.warnings.map((w) => `${w.pathText ? `${w.pathText}: ` : ''}${w.message}`);

  const selection = await collectBundleFiles(dir);
  const byPath = new Map(selection.files.map((f) => [f.path, f]));

  const packErrors: { message: string; flag: string; allowed: boolean | undefined }[] = [];
  if (selection.ignoreFileExcludesManifest) {
    packErrors.push({ message: '.mcpbignore excludes manifest.json (it is packed anyway: a bundle needs it)', flag: '--allow-ignored-manifest', allowed: options.allowIgnoredManifest });
  }
  const entry = entryPointIn(manifest.server.entry_point, byPath);
  if (!entry.found) {
    const ex = selection.excluded.find((e) => e.path === entry.normalized || (e.path.endsWith('/') && entry.normalized.startsWith(e.path)));
    const why = ex ? ` (excluded by ${ex.source === 'default' ? 'the default pattern' : 'the .mcpbignore pattern'} ${ex.pattern})` : '';
    packErrors.push({
      message: `server.entry_point ${JSON.stringify(manifest.server.entry_point)} is not in the packed files${why}`,
      flag: '--allow-missing-entry-point',
      allowed: options.allowMissingEntryPoint,
    });
  } else if (manifest.server.type === 'binary' && !entry.found.endsWith('.exe') && process.platform !== 'win32') {
    if ((byPath.get(entry.found)!.mode & 0o111) === 0) {
      packErrors.push({
        message: `binary entry point ${entry.found} is not executable (chmod +x ${entry.found})`,
        flag: '--allow-non-executable-entry-point',
        allowed: options.allowNonExecutableEntryPoint,
      });
    }
  }
  const refused = packErrors.filter((e) => !e.allowed);
  if (refused.length > 0) {
    throw inputError('PACK_CHECK_FAILED', refused.map((e) => e.message).join('; '), {
      suggestions: refused.map((e) => `Fix it, or run mpak bundle pack ${options.dir} ${e.flag}`),
      details: { problems: refused.map(({ message, flag }) => ({ message, flag })) },
    });
  }
  warnings.push(...packErrors.map((e) => `${e.message} (allowed by ${e.flag})`));

  // Icons and the other bundle-context checks run over the packed set, not the folder.
  const context = await checkBundleContext(manifest, {
    has: (p) => byPath.has(p),
    read: async (p) => new Uint8Array(await readFile(byPath.get(p)!.source)),
  }, { entryPoint: false });
  const contextErrors = context.filter((p) => p.severity === 'error');
  if (contextErrors.length > 0) throw manifestInvalid(contextErrors, options.dir);
  warnings.push(...context.filter((p) => p.severity !== 'error').map((w) => `${w.pathText ? `${w.pathText}: ` : ''}${w.message}`));

  const entries: ZipEntryInput[] = selection.files.map((f) => ({ path: f.path, source: f.source, mode: f.mode, size: f.size }));
  if (options.contentHashes) {
    const manifestEntry = entries.find((e) => e.path === 'manifest.json')!;
    manifestEntry.data = await manifestWithContentHashes(manifestBytes, check.version, selection.files, options.dir);
    delete manifestEntry.source;
  }

  const output = resolve(options.cwd, options.output ?? defaultOutputName(manifest.name, manifest.version));
  const unpackedSize = entries.reduce((sum, e) => sum + (e.data ? e.data.length : byPath.get(e.path)!.size), 0);
  const base = {
    name: manifest.name,
    version: manifest.version,
    manifestVersion: check.version,
    output,
    files: entries.length,
    included: selection.files.map((f) => f.path),
    excluded: selection.excluded,
    excludedByDefault: selection.excludedByDefault,
    excludedByIgnoreFile: selection.excludedByIgnoreFile,
    emptyDirectories: selection.emptyDirectories,
    contentHashes: Boolean(options.contentHashes),
    warnings,
  };
  if (options.dryRun) return { ...base, written: false, unpackedSize };

  const existing = await lstat(output).catch(() => undefined);
  if (existing?.isDirectory()) throw inputError('OUTPUT_IS_DIRECTORY', `${output} is a folder; give a file name with -o`);
  if (existing && !options.force) {
    throw inputError('OUTPUT_EXISTS', `${output} already exists`, { suggestions: [`mpak bundle pack ${options.dir} -o ${output} --force`] });
  }
  const written = await writeDeterministicZip(entries, output, {
    ...(options.sourceDateEpoch !== undefined ? { sourceDateEpoch: options.sourceDateEpoch } : {}),
    ...(options.level !== undefined ? { level: options.level } : {}),
  });
  return { ...base, written: true, files: written.files, packedSize: written.size, unpackedSize: written.unpackedSize, sha256: written.sha256 };
}

/**
 * `<slug>-<version>.mcpb`: the official filename sanitizer (lowercase, whitespace → `-`, keep
 * `[a-z0-9-_.]`, collapse and trim `-`, 100 characters) applied to the name without its leading
 * `@` and with `/` → `-`, so `@acme/weather` 1.2.0 gives `acme-weather-1.2.0.mcpb`.
 */
export function defaultOutputName(name: string, version: string): string {
  const slug = sanitizeFileName(name.replace(/^@/, '').replaceAll('/', '-')) || 'bundle';
  const ver = sanitizeFileName(version);
  return `${ver ? `${slug}-${ver}` : slug}.mcpb`;
}

export function sanitizeFileName(text: string): string {
  return text
    .toLowerCase()
    .replace(/\s+/g, '-')
    .replace(/[^a-z0-9\-_.]/g, '')
    .replace(/-+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 100);
}

async function readManifestBytes(path: string, shown: string): Promise<Uint8Array> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch {
    throw inputError('MANIFEST_NOT_FOUND', `no manifest.json in ${shown}`, { suggestions: [`mpak bundle init ${shown}`] });
  }
  try {
    const { size } = await handle.stat();
    if (size > MAX_MANIFEST_BYTES) throw inputError('MANIFEST_INVALID', `${shown}/manifest.json is ${size} bytes; the limit is ${MAX_MANIFEST_BYTES}`);
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

function manifestInvalid(problems: Problem[], dir: string) {
  const lines = problems.map((p) => `${p.pathText ? `${p.pathText}: ` : ''}${p.message}`);
  return inputError('MANIFEST_INVALID', `manifest.json is invalid, nothing was packed:\n  ${lines.join('\n  ')}`, {
    suggestions: [`mpak bundle validate ${dir}`],
    details: { problems },
  });
}

function entryPointIn(entryPoint: string, files: Map<string, unknown>): { found?: string; normalized: string } {
  if (isAbsolute(entryPoint) || entryPoint.includes('\\') || entryPoint.includes('\0')) return { normalized: entryPoint };
  const normalized = posix.normalize(entryPoint).replace(/^\.\//, '');
  if (files.has(normalized)) return { found: normalized, normalized };
  if (files.has(`${normalized}.exe`)) return { found: `${normalized}.exe`, normalized };
  return { normalized };
}

async function manifestWithContentHashes(
  manifestBytes: Uint8Array,
  version: string,
  files: { path: string; source: string }[],
  dir: string,
): Promise<Buffer> {
  if (Number(version) < 0.3) {
    throw inputError('CONTENT_HASHES_NEED_META', `--content-hashes writes _meta["${MPAK_META_KEY}"].files, and _meta needs manifest_version ≥ 0.3 (this manifest is ${version})`, {
      suggestions: [`Set "manifest_version": "0.3" in ${dir}/manifest.json, or pack without --content-hashes.`],
    });
  }
  const raw = JSON.parse(Buffer.from(manifestBytes).toString('utf8')) as Record<string, unknown>;
  const list = [];
  for (const f of files) {
    if (f.path === 'manifest.json') continue;
    const { sha256, size } = await sha256File(f.source);
    list.push({ path: f.path, sha256, size });
  }
  const meta = (raw._meta ?? {}) as Record<string, Record<string, unknown>>;
  raw._meta = { ...meta, [MPAK_META_KEY]: { ...(meta[MPAK_META_KEY] ?? {}), files: list } };
  const text = `${JSON.stringify(raw, null, 2)}\n`;
  const recheck = parseManifestText(text);
  if (!recheck.valid) throw manifestInvalid(recheck.errors, dir);
  return Buffer.from(text, 'utf8');
}
