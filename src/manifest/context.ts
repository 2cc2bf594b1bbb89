import { posix } from 'node:path';
import { problem, type Problem } from './problems.js';
import type { Manifest } from './schema.js';

/** What the bundle-context checks need to know about the bundle's files (a folder or an archive). */
export interface BundleFiles {
  /** Whether a bundle-relative path (forward slashes) exists as a file. */
  has(path: string): boolean;
  read(path: string): Promise<Uint8Array>;
  /** Whether the file has an executable bit; omit when the source cannot tell. */
  isExecutable?(path: string): boolean;
}

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && PNG_MAGIC.every((b, i) => bytes[i] === b);
}

function isAbsoluteAnyOs(p: string): boolean {
  return p.startsWith('/') || p.startsWith('\\') || /^[A-Za-z]:/.test(p);
}

/** Bundle-relative form of a manifest path, or undefined when it escapes the bundle. */
function bundlePath(p: string): string | undefined {
  const n = posix.normalize(p.replaceAll('\\', '/'));
  if (n === '..' || n.startsWith('../')) return undefined;
  return n.replace(/^\.\//, '');
}

async function checkPngFile(
  files: BundleFiles,
  raw: string,
  path: (string | number)[],
  severity: Problem['severity'],
): Promise<Problem | undefined> {
  const rel = bundlePath(raw);
  if (rel === undefined) return problem(severity, path, `Icon path points outside the bundle: ${raw}`, { value: raw });
  if (!files.has(rel)) {
    return problem(severity, path, `Icon file not found at path: ${raw}`, { value: raw, fix: `Add ${rel} to the bundle or fix the path.` });
  }
  let bytes: Uint8Array;
  try {
    bytes = await files.read(rel);
  } catch (err) {
    return problem(severity, path, `Unable to read icon file at "${raw}": ${(err as Error).message}`, { value: raw });
  }
  if (!isPng(bytes)) {
    return problem(severity, path, `Icon file must be PNG format. The file at "${raw}" does not appear to be a valid PNG file.`, {
      value: raw,
    });
  }
  return undefined;
}

/**
 * Checks a valid manifest against the files of its bundle (mcpb-format.md §1.4, §1.6): the
 * top-level `icon` with the official outcomes (remote URL → warning; `${__dirname}`, absolute,
 * missing, not PNG → error), each `icons[].src` (warnings), the entry point (or `<entry>.exe`)
 * present, and a `binary` entry point executable. `entryPoint: false` skips the entry point (a
 * bare manifest.json in a source tree may name a file that a build creates later).
 */
export async function checkBundleContext(
  manifest: Manifest,
  files: BundleFiles,
  options: { entryPoint?: boolean } = {},
): Promise<Problem[]> {
  const out: Problem[] = [];
  const icon = manifest.icon;
  if (icon) {
    const path = ['icon'];
    const remote = icon.startsWith('http://') || icon.startsWith('https://');
    const dirnameVar = icon.includes('${__dirname}');
    const absolute = isAbsoluteAnyOs(icon);
    if (remote) {
      out.push(
        problem('warning', path, 'Icon path uses a remote URL; Claude Desktop only supports local icon files in bundles', {
          value: icon,
          fix: 'Ship the icon in the bundle: "icon": "icon.png".',
        }),
      );
    }
    if (dirnameVar) {
      out.push(
        problem('error', path, 'Icon path should not use ${__dirname} variable substitution', {
          value: icon,
          fix: 'Use a simple relative path like "icon.png" instead of "${__dirname}/icon.png".',
        }),
      );
    }
    if (absolute) {
      out.push(problem('error', path, `Icon path must be relative to the bundle root, not an absolute path. Found: "${icon}"`, { value: icon }));
    }
    if (!remote && !dirnameVar && !absolute) {
      const p = await checkPngFile(files, icon, path, 'error');
      if (p) out.push(p);
    }
  }

  for (const [i, entry] of (manifest.icons ?? []).entries()) {
    const path = ['icons', i, 'src'];
    if (/^https?:\/\//.test(entry.src)) continue;
    if (entry.src.includes('${__dirname}') || isAbsoluteAnyOs(entry.src)) {
      out.push(problem('warning', path, 'icons[].src must be a path relative to the bundle root', { value: entry.src }));
      continue;
    }
    const p = await checkPngFile(files, entry.src, path, 'warning');
    if (p) out.push(p);
  }

  if (options.entryPoint === false) return out;
  const entry = manifest.server.entry_point;
  const entryPath = ['server', 'entry_point'];
  const rel = bundlePath(entry);
  if (rel === undefined || isAbsoluteAnyOs(entry)) {
    out.push(problem('error', entryPath, `entry_point must be a path inside the bundle, found ${JSON.stringify(entry)}`, { value: entry }));
  } else {
    const found = files.has(rel) ? rel : files.has(`${rel}.exe`) ? `${rel}.exe` : undefined;
    if (!found) {
      out.push(
        problem('error', entryPath, `entry_point not found in the bundle: ${rel}`, {
          value: entry,
          fix: `Add ${rel} (or fix server.entry_point); check .mcpbignore does not exclude it.`,
        }),
      );
    } else if (manifest.server.type === 'binary' && !found.endsWith('.exe')) {
      if (!files.isExecutable) {
        out.push(problem('warning', entryPath, `unverified: cannot tell whether the binary entry point ${found} is executable`, { value: entry }));
      } else if (!files.isExecutable(found)) {
        out.push(
          problem('error', entryPath, `binary entry point ${found} is not executable`, { value: entry, fix: `chmod +x ${found}` }),
        );
      }
    }
  }
  return out;
}

/** BundleFiles over a folder on disk (paths resolved inside `root`; symlinks followed by the OS). */
export async function folderBundleFiles(root: string): Promise<BundleFiles> {
  const { statSync } = await import('node:fs');
  const { readFile } = await import('node:fs/promises');
  const { join } = await import('node:path');
  const stat = (rel: string) => {
    try {
      return statSync(join(root, ...rel.split('/')));
    } catch {
      return undefined;
    }
  };
  return {
    has: (rel) => stat(rel)?.isFile() ?? false,
    read: async (rel) => new Uint8Array(await readFile(join(root, ...rel.split('/')))),
    // Windows has no executable bit to read: leave the check unverified there.
    ...(process.platform === 'win32' ? {} : { isExecutable: (rel: string) => ((stat(rel)?.mode ?? 0) & 0o111) !== 0 }),
  };
}
