import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import type { ScanFile } from '../types.js';

/** One archive entry as the loaders hand it to the engine. */
export interface BundleEntry {
  path: string;
  mode: number;
  bytes: Buffer;
}

const DEPENDENCY_DIRS = new Set(['node_modules', 'site-packages', 'dist-packages', '.venv', 'venv', 'vendor', 'deps']);
const TEST_DIRS = new Set(['test', 'tests', '__tests__', 'spec']);
const FIVE_MIB = 5 * 1024 * 1024;

/** §4.2: a path segment names a dependency directory (or `server/lib/` in a python bundle). */
export function inDependencyDirectory(path: string, pythonBundle: boolean): boolean {
  const segments = path.split('/');
  segments.pop();
  if (segments.some((s) => DEPENDENCY_DIRS.has(s))) return true;
  return pythonBundle && path.startsWith('server/lib/');
}

/** §4.2 test files. */
export function isTestPath(path: string): boolean {
  const segments = path.split('/');
  const base = segments.pop() ?? '';
  if (segments.some((s) => TEST_DIRS.has(s))) return true;
  return /\.(test|spec)\.[^/]+$/.test(base) || /^test_.*\.py$/.test(base) || /_test\.py$/.test(base) || base.endsWith('.d.ts');
}

function extensionOf(path: string): string {
  const base = posix.basename(path);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot).toLowerCase() : '';
}

function isBinaryBytes(bytes: Buffer): boolean {
  return bytes.subarray(0, 8192).includes(0);
}

function meanLineLength(bytes: Buffer): number {
  let lines = 1;
  for (let i = bytes.indexOf(10); i !== -1; i = bytes.indexOf(10, i + 1)) lines++;
  return bytes.length / lines;
}

/**
 * Ownership of dependency files (§4.2). npm: the nearest `node_modules/<name>` or
 * `node_modules/@scope/<name>` ancestor whose package.json has a name and version. Python: a
 * `*.dist-info/RECORD` or `*.egg-info/installed-files.txt` that lists the file.
 */
export interface Ownership {
  /** package root folder → purl (npm). */
  npmRoots: Map<string, string>;
  /** bundle path → purl (python RECORD listings). */
  pythonFiles: Map<string, string>;
}

/** The nearest `.../node_modules/<name>` or `.../node_modules/@scope/<name>` folder of a path. */
export function npmPackageRoot(path: string): string | undefined {
  const segments = path.split('/');
  for (let i = segments.length - 2; i >= 0; i--) {
    if (segments[i] !== 'node_modules') continue;
    const first = segments[i + 1];
    if (!first || first.startsWith('.') || i + 1 >= segments.length - 1) return undefined;
    if (first.startsWith('@')) {
      if (i + 2 >= segments.length - 1) return undefined;
      return segments.slice(0, i + 3).join('/');
    }
    return segments.slice(0, i + 2).join('/');
  }
  return undefined;
}

function ownerOf(path: string, ownership: Ownership): string | undefined {
  const py = ownership.pythonFiles.get(path);
  if (py) return py;
  // Walk up through nested node_modules: the nearest root with a valid package.json owns the file.
  let current: string | undefined = path;
  while (current) {
    const root = npmPackageRoot(current);
    if (!root) return undefined;
    const purl = ownership.npmRoots.get(root);
    if (purl) return purl;
    current = root;
  }
  return undefined;
}

class EntryFile implements ScanFile {
  readonly ext: string;
  readonly size: number;
  readonly isBinary: boolean;
  readonly sha256: string;
  isDependency = false;
  inDependencyDir = false;
  component?: string;
  readonly isTest: boolean;
  readonly isMinified: boolean;
  textRulesOnly = false;
  private cachedText?: string;

  constructor(
    readonly path: string,
    readonly mode: number,
    private readonly data: Buffer,
  ) {
    this.ext = extensionOf(path);
    this.size = data.length;
    this.isBinary = isBinaryBytes(data);
    this.sha256 = createHash('sha256').update(data).digest('hex');
    this.isTest = isTestPath(path);
    this.isMinified = !this.isBinary && (/\.min\.(c|m)?js$/i.test(path) || (data.length > 0 && meanLineLength(data) > 500));
  }

  async text(): Promise<string> {
    this.cachedText ??= this.data.toString('utf8');
    return this.cachedText;
  }

  async bytes(): Promise<Buffer> {
    return this.data;
  }
}

/** Builds the ScanFile list in one pass, classifying dependency, test, minified and binary files. */
export function buildScanFiles(entries: BundleEntry[], ownership: Ownership, pythonBundle: boolean): ScanFile[] {
  const files = entries.map((e) => new EntryFile(e.path, e.mode, e.bytes));
  for (const f of files) {
    f.inDependencyDir = inDependencyDirectory(f.path, pythonBundle);
    if (f.inDependencyDir) {
      const owner = ownerOf(f.path, ownership);
      if (owner) {
        f.isDependency = true;
        f.component = owner;
      }
    }
    f.textRulesOnly = f.isMinified || (f.isDependency && f.size > FIVE_MIB);
  }
  return files;
}
