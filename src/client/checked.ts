import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256 } from '../util/hash.js';
import { writeFileAtomic } from '../util/fs-atomic.js';
import type { ClientContext } from './context.js';

/**
 * Runs `check` once per content hash and remembers a success in `cache/checked/` (keyed by the
 * hash and the checker's version), so schema validation with zod runs on the first start only.
 * A failed check is not remembered.
 */
export async function checkedOnce(ctx: ClientContext, kind: string, bytes: Buffer | string, checkerVersion: string, check: () => Promise<boolean>): Promise<boolean> {
  const stamp = join(ctx.paths.cacheDir, 'checked', `${kind}-${sha256(bytes)}-${checkerVersion.replace(/[^a-zA-Z0-9.+-]/g, '_')}`);
  const known = await readFile(stamp, 'utf8').then(
    (t) => t === 'ok\n',
    () => false,
  );
  if (known) return true;
  if (!(await check())) return false;
  await writeFileAtomic(stamp, 'ok\n').catch(() => undefined);
  return true;
}
