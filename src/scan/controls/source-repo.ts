import { GitRepository } from '../git/repository.js';
import type { ScanContext } from '../types.js';

export interface SourceCheckout {
  repo: GitRepository;
  /** The commit scanned: `_meta["org.mpaktrust"].source.commit` when set and present, else HEAD. */
  commit?: string;
  head?: string;
  error?: string;
}

/** Opens the `--source` checkout once per scan (mpak's own git reader; no git binary). */
export function sourceCheckout(ctx: ScanContext): Promise<SourceCheckout | undefined> {
  if (!ctx.options.source) return Promise.resolve(undefined);
  return ctx.shared('d1:source', async () => {
    const repo = await GitRepository.open(ctx.options.source!);
    const head = await repo.resolve('HEAD');
    const wanted = ctx.manifest?._meta?.['org.mpaktrust']?.source?.commit;
    const commit = typeof wanted === 'string' && (await repo.resolve(wanted)) ? wanted : head;
    return { repo, ...(commit ? { commit } : {}), ...(head ? { head } : {}) };
  });
}
