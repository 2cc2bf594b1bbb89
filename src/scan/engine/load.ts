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
export async function loadBundle(path: string, kind: 'bundle' | 'skill' = 'bundle'): Promise<LoadedBundle> {
  const st = await stat(path).catch((err) => {
    throw fromFsError(err, kind);
  });
  return st.isDirectory() ? loadDirectory(path, kind) : loadArchive(path, kind);
}

/** What marks the root of each kind: a bundle's manifest, a skill's SKILL.md (and its ignore file). */
const ROOTS = {
  bundle: { file: 'manifest.json', ignore: '.mcpbignore', code: 'NOT_A_BUNDLE', fix: (p: string) => `mpak bundle init ${p}` },
  skill: { file: 'SKILL.md', ignore: '.skillignore', code: 'NOT_A_SKILL', fix: (p: string) => `mpak skill validate ${p}` },
} as const;

async function loadDirectory(root: string, kind: 'bundle' | 'skill'): Promise<LoadedBundle> {
  const { collectBundleFiles, writeDeterministicZip } = await import('../../archive/index.js');
  const marker = ROOTS[kind];
  const selection = await collectBundleFiles(root, { extraIgnoreFile: marker.ignore });
  if (!selection.files.some((f) => f.path === marker.file)) {
    throw inputError(marker.code, `${root} has no ${marker.file} at its root`, { suggestions: [marker.fix(root)] });
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
        entryTime: dosTimeOf(archive),
      },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The DOS timestamp of the first local header (the packer writes one timestamp for all entries). */
function dosTimeOf(zip: Buffer): Date | undefined {
  if (zip.length < 30 || zip.readUInt32LE(0) !== 0x04034b50) return undefined;
  const time = zip.readUInt16LE(10);
  const date = zip.readUInt16LE(12);
  return new Date(Date.UTC(1980 + (date >> 9), ((date >> 5) & 15) - 1, date & 31, time >> 11, (time >> 5) & 63, (time & 31) * 2));
}

async function loadArchive(path: string, kind: 'bundle' | 'skill'): Promise<LoadedBundle> {
  const { openArchive } = await import('../../archive/index.js');
  const archive = await openArchive(path, { requireRoot: ROOTS[kind].file });
  try {
    const entries: BundleEntry[] = [];
    for (const e of archive.entries) {
      if (e.isDirectory) continue;
      entries.push({ path: e.name, mode: e.mode & 0o111 ? 0o755 : 0o644, bytes: await archive.readEntry(e.name, Number.MAX_SAFE_INTEGER) });
    }
    const t = archive.trailer;
    let unsigned: Buffer | undefined;
    const unsignedBytes = async () => {
      if (unsigned) return unsigned;
      const whole = await readFile(path);
      unsigned = Buffer.from(whole.subarray(0, t.zipLength));
      if (t.trailers.length && t.eocdOffset !== undefined && t.originalCommentLength !== undefined) unsigned.writeUInt16LE(t.originalCommentLength, t.eocdOffset + 20);
      return unsigned;
    };
    const head = await unsignedBytes();
    return {
      entries,
      info: {
        path,
        isDirectory: false,
        sha256: archive.sha256,
        unsigned_sha256: archive.unsignedSha256,
        size: archive.size,
        archive: unsignedBytes,
        ...(dosTimeOf(head) ? { entryTime: dosTimeOf(head) } : {}),
      },
    };
  } finally {
    await archive.close();
  }
}
