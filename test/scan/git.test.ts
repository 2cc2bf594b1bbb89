import { execFileSync } from 'node:child_process';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { GitRepository } from '../../src/scan/git/repository.js';

let tmp: { dir: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  tmp = await tempDir('mpak-scan-git-');
});
afterAll(() => tmp.cleanup());

const git = (cwd: string, ...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@acme.example', '-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8' }).trim();

async function repoWithHistory(name: string, format: 'sha1' | 'sha256'): Promise<string> {
  const dir = join(tmp.dir, name);
  await mkdir(join(dir, 'src'), { recursive: true });
  git(dir, 'init', '-q', `--object-format=${format}`);
  // Enough similar revisions that `git gc` stores deltas (OFS_DELTA) in the packfile.
  for (let i = 0; i < 6; i++) {
    await writeFile(join(dir, 'src', 'big.txt'), `${'line of text that repeats\n'.repeat(400)}revision ${i}\n`);
    await writeFile(join(dir, 'README.md'), `# repo ${i}\n`);
    git(dir, 'add', '.');
    git(dir, 'commit', '-qm', `c${i}`);
  }
  git(dir, 'tag', '-a', 'v1.0.0', '-m', 'release');
  return dir;
}

describe('git object reader (no git binary at scan time)', () => {
  for (const format of ['sha1', 'sha256'] as const) {
    it(`reads ${format} commits, trees, blobs and annotated tags, loose and packed`, async () => {
      const dir = await repoWithHistory(`r-${format}`, format);
      const head = git(dir, 'rev-parse', 'HEAD');
      const check = async () => {
        const repo = await GitRepository.open(dir);
        expect(repo.algorithm).toBe(format);
        expect(await repo.resolve('HEAD')).toBe(head);
        expect(await repo.resolve('refs/tags/v1.0.0')).toBe(head);
        const files = await repo.files(head);
        expect([...files.keys()].sort()).toEqual(['README.md', 'src/big.txt']);
        const content = await readFile(join(dir, 'src', 'big.txt'));
        expect(files.get('src/big.txt')).toBe(repo.blobId(content));
        expect(files.get('src/big.txt')).toBe(git(dir, 'rev-parse', 'HEAD:src/big.txt'));
        const parent = (await repo.commit(head)).parents[0]!;
        expect(parent).toBe(git(dir, 'rev-parse', 'HEAD~1'));
        const older = await repo.files(git(dir, 'rev-parse', 'HEAD~5'));
        expect((await repo.blobText(older.get('src/big.txt')!)).endsWith('revision 0\n')).toBe(true);
      };
      await check();
      git(dir, 'gc', '-q', '--aggressive');
      await check();
    });
  }

  it('rejects a folder that is not a repository', async () => {
    await expect(GitRepository.open(join(tmp.dir))).rejects.toThrow(/not a git checkout/);
  });
});
