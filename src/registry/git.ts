import type { SimpleGit } from 'simple-git';

/**
 * A simple-git client for a registry folder. When git has no identity configured (fresh CI
 * machines, test sandboxes) commits are made as `mpak <mpak@localhost>` instead of failing; a
 * configured identity always wins.
 */
export async function openGit(dir: string): Promise<SimpleGit> {
  const { simpleGit } = await import('simple-git');
  const probe = simpleGit({ baseDir: dir });
  const email = await probe.raw(['config', '--get', 'user.email']).catch(() => '');
  if (email.trim()) return probe;
  return simpleGit({ baseDir: dir, config: ['user.name=mpak', 'user.email=mpak@localhost'] });
}

/** The commit a registry folder is at: hash, committer time (ISO) and commit count. */
export async function headCommit(git: SimpleGit): Promise<{ commit: string; committedAt: string; count: number }> {
  const out = await git.raw(['log', '-1', '--format=%H %ct']);
  const [commit, seconds] = out.trim().split(' ');
  const count = Number((await git.raw(['rev-list', '--count', 'HEAD'])).trim());
  return { commit: commit!, committedAt: new Date(Number(seconds) * 1000).toISOString().replace('.000Z', 'Z'), count };
}
