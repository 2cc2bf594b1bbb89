import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ScanContext } from '../types.js';

/**
 * A path to the bundle as a file, for verifiers that read files: the `.mcpb` as given, or (for a
 * folder argument) the in-memory pack written once to a temp file that lives for the process.
 */
export function bundleFile(ctx: ScanContext): Promise<string> {
  if (!ctx.bundle.isDirectory) return Promise.resolve(ctx.bundle.path);
  return ctx.shared('d1:bundle-file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mpak-scan-pack-'));
    const file = join(dir, 'bundle.mcpb');
    await writeFile(file, await ctx.bundle.archive());
    process.once('exit', () => void rm(dir, { recursive: true, force: true }));
    return file;
  });
}
