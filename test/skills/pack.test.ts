import { afterEach, describe, expect, it } from 'vitest';
import { cp, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packSkill } from '../../src/skills/pack.js';
import { repoRoot, tempDir } from '../helpers/cli.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('skill pack', () => {
  it('packs the example reproducibly, whatever the mtimes', async () => {
    const t = await tempDir();
    cleanups.push(t.cleanup);
    const a = await packSkill({ dir: join(repoRoot, 'examples/skills/bundle-review'), cwd: t.dir });
    expect(a.path).toBe(join(t.dir, 'bundle-review-1.0.0.skill'));
    expect(a.files).toBe(3);
    const copy = join(t.dir, 'copy', 'bundle-review');
    await cp(join(repoRoot, 'examples/skills/bundle-review'), copy, { recursive: true });
    await utimes(join(copy, 'SKILL.md'), new Date(2001, 1, 1), new Date(2001, 1, 1));
    const b = await packSkill({ dir: copy, cwd: t.dir, output: 'again.skill' });
    expect(b.sha256).toBe(a.sha256);
    expect(b.sha256).toMatch(/^[a-f0-9]{64}$/);
  });

  it('refuses an invalid skill and names the problems', async () => {
    const t = await tempDir();
    cleanups.push(t.cleanup);
    const dir = join(t.dir, 'broken');
    await cp(join(repoRoot, 'examples/skills/bundle-review'), dir, { recursive: true });
    await expect(packSkill({ dir, cwd: t.dir })).rejects.toMatchObject({ code: 'SKILL_INVALID', exitCode: 2 });
    await writeFile(join(dir, 'SKILL.md'), '---\nname: broken\ndescription: ok\n---\n');
    const r = await packSkill({ dir, cwd: t.dir });
    expect(r.version).toBeNull();
    expect(r.path).toBe(join(t.dir, 'broken.skill'));
  });
});
