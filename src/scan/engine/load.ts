import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromFsError, inputError } from '../../errors.js';
import type { BundleInfo } from '../types.js';
import type { BundleEntry } from './files.js';

export interface LoadedBundle {
  entries: BundleEntry[];
  info: BundleInfo;
}

/**
 * Loads a bundle for scanning (§5 "Archive"): a `.mcpb` through the strict reader (hostile or
 * corrupt archives throw exit-2 errors), or a directory selected like `mpak bundle pack` does
 * (default excludes + `.mcpbignore`) and packed by the deterministic packer so `bundle.sha256`
 * is the digest the packed bundle would have.
 */
export async function loadBundle(path: string): Promise<LoadedBundle> {
  const st = await stat(path).catch((err) => {
    throw fromFsError(err, 'bundle');
  });
  return st.isDirectory() ? loadDirectory(path) : loadArchive(path, st.size);
}

async function loadDirectory(root: string): Promise<LoadedBundle> {
  // TODO(archive index): import from '../../archive/index.js' once it exists.
  const { collectBundleFiles } = await import('../../archive/select.js');
  const { writeDeterministicZip } = await import('../../archive/zip-writer.js');
  const selection = await collectBundleFiles(root);
  if (!selection.files.some((f) => f.path === 'manifest.json')) {
    throw inputError('ARCHIVE_NO_MANIFEST', `${root} has no manifest.json at its root`, {
      suggestions: [`mpak bundle init ${root}`],
    });
  }
  const entries: BundleEntry[] = [];
  for (const f of selection.files) entries.push({ path: f.path, mode: f.mode & 0o111 ? 0o755 : 0o644, bytes: await readFile(f.source) });
  const dir = await mkdtemp(join(tmpdir(), 'mpak-scan-'));
  try {
    const out = join(dir, 'bundle.mcpb');
    const packed = await writeDeterministicZip(entries.map((e) => ({ path: e.path, data: e.bytes, mode: e.mode })), out);
    const archive = await readFile(out);
    return {
      entries,
      info: {
        path: root,
        isDirectory: true,
        sha256: packed.sha256,
        unsigned_sha256: packed.sha256,
        size: packed.size,
        archive: async () => archive,
        entryTime: new Date(Date.UTC(1980, 0, 1)),
      },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function loadArchive(path: string, size: number): Promise<LoadedBundle> {
  const archivePath = '../../archive/index.js';
  const archiveModule: any = await import(archivePath);
  const whole = await readFile(path);
  const sha256 = createHash('sha256').update(whole).digest('hex');
  const opened = await archiveModule.openArchive(path);
  try {
    const entries: BundleEntry[] = [];
    let entryTime: Date | undefined;
    let sameTime = true;
    for (const e of opened.entries) {
      if (e.isDirectory) continue;
      entries.push({ path: e.path, mode: e.mode & 0o111 ? 0o755 : 0o644, bytes: await opened.read(e) });
      if (e.mtime) {
        if (entryTime && entryTime.getTime() !== e.mtime.getTime()) sameTime = false;
        entryTime ??= e.mtime;
      }
    }
    const unsigned: Buffer = opened.unsignedBytes ? await opened.unsignedBytes() : whole;
    return {
      entries,
      info: {
        path,
        isDirectory: false,
        sha256,
        unsigned_sha256: createHash('sha256').update(unsigned).digest('hex'),
        size,
        archive: async () => unsigned,
        ...(entryTime && sameTime ? { entryTime } : {}),
      },
    };
  } finally {
    await opened.close?.();
  }
}
