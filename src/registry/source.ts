import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inputError } from '../errors.js';
import { stableJson } from '../util/canonical-json.js';
import { writeFileAtomic } from '../util/fs-atomic.js';
import {
  REGISTRY_CONFIG_PATH,
  RegistryConfig,
  SourceEntry,
  packageSourcePath,
  sortVersionsDescending,
  type PackageKind,
} from './format.js';

/**
 * Reading and writing the source side of a registry (registry.json and one JSON file per
 * package). Files are written as stable JSON (sorted keys, two-space indent, final newline,
 * versions semver-descending) so diffs in PRs show only what changed.
 */

/** Reads and validates `registry.json` of a source registry folder. */
export async function readRegistryConfig(dir: string): Promise<RegistryConfig> {
  const path = join(dir, REGISTRY_CONFIG_PATH);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw inputError('INDEX_NOT_FOUND', `No registry.json in ${dir}: not a registry source folder.`, {
      suggestions: [`mpak index init ${dir}`],
    });
  }
  return parseJsonWith(RegistryConfig, text, path);
}

export async function writeRegistryConfig(dir: string, config: RegistryConfig): Promise<void> {
  await writeFileAtomic(join(dir, REGISTRY_CONFIG_PATH), stableJson(RegistryConfig.parse(config)));
}

/** Reads one package's source entry; undefined when the package is not in the registry yet. */
export async function readSourceEntry(dir: string, name: string, kind: PackageKind): Promise<SourceEntry | undefined> {
  const rel = packageSourcePath(name, kind);
  let text: string;
  try {
    text = await readFile(join(dir, rel), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const entry = parseJsonWith(SourceEntry, text, rel);
  checkEntryPath(entry, rel);
  return entry;
}

/** The stable text of an entry: what `writeSourceEntry` writes and what `index add --dry-run` compares. */
export function sourceEntryText(entry: SourceEntry): string {
  return stableJson(SourceEntry.parse({ ...entry, versions: sortVersionsDescending(entry.versions) }));
}

/** Writes one package's source entry atomically; returns its registry-relative path. */
export async function writeSourceEntry(dir: string, entry: SourceEntry): Promise<string> {
  const rel = packageSourcePath(entry.name, entry.kind);
  await writeFileAtomic(join(dir, rel), sourceEntryText(entry));
  return rel;
}

/** The path of an entry must equal its name and kind, so one file can never shadow another package. */
export function checkEntryPath(entry: SourceEntry, rel: string): void {
  const expected = packageSourcePath(entry.name, entry.kind);
  if (expected !== rel) {
    throw inputError('INDEX_ENTRY_PATH', `${rel} holds ${entry.kind} "${entry.name}", which belongs at ${expected}.`, {
      suggestions: [`git mv ${rel} ${expected}`],
    });
  }
}

/** Parses JSON text with a zod schema; errors name the file and the first bad paths. */
export function parseJsonWith<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } } }, text: string, label: string): T {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw inputError('INDEX_FILE_INVALID', `${label} is not valid JSON: ${(err as Error).message}`);
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const issues = result.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    throw inputError('INDEX_FILE_INVALID', `${label} does not match the registry format: ${issues}`, {
      details: result.error.issues,
    });
  }
  return result.data;
}
