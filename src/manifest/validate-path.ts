import { open, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fromFsError, inputError } from '../errors.js';
import { MAX_MANIFEST_BYTES } from './constants.js';
import { checkBundleContext, folderBundleFiles, type BundleFiles } from './context.js';
import { problem } from './problems.js';
import { parseManifestText, type ManifestCheck, type ValidateOptions } from './validate.js';

/** Moves warnings into errors for `--strict`, and recomputes validity. */
export function applyStrict(check: ManifestCheck, strict: boolean | undefined): ManifestCheck {
  if (!strict || check.warnings.length === 0) return check;
  const errors = [...check.errors, ...check.warnings.map((w) => ({ ...w, severity: 'error' as const }))];
  return { ...check, valid: false, manifest: undefined, errors, warnings: [] };
}

/**
 * Validates manifest bytes and, when the schema accepts them, the bundle-context checks over
 * `files` (icon, icons, entry point). Shared by folders, bare manifest.json files and archives.
 */
export async function checkManifestWithFiles(
  bytes: Uint8Array,
  files: BundleFiles,
  opts: ValidateOptions & { entryPoint?: boolean; source?: string } = {},
): Promise<ManifestCheck> {
  const check = parseManifestText(bytes, { source: opts.source });
  if (check.manifest) {
    for (const p of await checkBundleContext(check.manifest, files, { entryPoint: opts.entryPoint })) {
      (p.severity === 'error' ? check.errors : check.warnings).push(p);
    }
    if (check.errors.length > 0) {
      check.valid = false;
      delete check.manifest;
    }
  }
  return applyStrict(check, opts.strict);
}

/** Reads at most MAX_MANIFEST_BYTES + 1 bytes so a huge file is refused without loading it. */
async function readCapped(path: string): Promise<Uint8Array> {
  const handle = await open(path, 'r').catch((err) => {
    throw fromFsError(err, `cannot read ${path}`);
  });
  try {
    const buf = Buffer.alloc(MAX_MANIFEST_BYTES + 1);
    let total = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buf, total, buf.length - total, total);
      if (bytesRead === 0 || total + bytesRead >= buf.length) {
        total += bytesRead;
        break;
      }
      total += bytesRead;
    }
    return buf.subarray(0, total);
  } finally {
    await handle.close();
  }
}

export interface ManifestPathCheck extends ManifestCheck {
  /** The manifest file that was checked. */
  manifestPath: string;
  kind: 'folder' | 'manifest';
}

/**
 * Validates a bundle folder (its manifest.json plus every bundle-context check) or a bare
 * manifest file (schema plus the icon checks, relative to the file's folder, as the official
 * tool does). Throws `MANIFEST_NOT_FOUND` (exit 2) when there is nothing to read.
 */
export async function validateManifestPath(path: string, opts: ValidateOptions = {}): Promise<ManifestPathCheck> {
  const st = await stat(path).catch((err) => {
    throw fromFsError(err, `cannot read ${path}`);
  });
  const kind = st.isDirectory() ? 'folder' : 'manifest';
  const manifestPath = kind === 'folder' ? join(path, 'manifest.json') : path;
  const root = kind === 'folder' ? path : dirname(path);
  const mst = await stat(manifestPath).catch(() => undefined);
  if (!mst?.isFile()) {
    throw inputError('MANIFEST_NOT_FOUND', `no manifest.json in ${path}`, {
      suggestions: [`Create one: mpak bundle init ${path}`],
    });
  }
  if (mst.size > MAX_MANIFEST_BYTES) {
    const p = problem('error', [], `${basename(manifestPath)} is ${mst.size} bytes; the limit is ${MAX_MANIFEST_BYTES} (1 MiB)`);
    return { valid: false, errors: [p], warnings: [], manifestPath, kind };
  }
  const bytes = await readCapped(manifestPath);
  const files = await folderBundleFiles(root);
  const check = await checkManifestWithFiles(bytes, files, { ...opts, entryPoint: kind === 'folder' });
  return { ...check, manifestPath, kind };
}
