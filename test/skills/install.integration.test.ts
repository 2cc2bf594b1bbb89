import { afterEach, describe, expect, it } from 'vitest';
import { cp, readFile, stat, writeFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { installSkill } from '../../src/skills/install.js';
import { packSkill } from '../../src/skills/pack.js';
import { repoRoot, tempDir } from '../helpers/cli.js';
import { buildRawZip } from '../archive/helpers/raw-zip.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function workspace() {
  const t = await tempDir();
  cleanups.push(t.cleanup);
  const skill = join(t.dir, 'src', 'bundle-review');
  await cp(join(repoRoot, 'examples/skills/bundle-review'), skill, { recursive: true });
  return { root: t.dir, skill, skillsDir: join(t.dir, 'home', '.claude', 'skills') };
}

describe('skill install', () => {
  it('installs a .skill file with modes kept, and is idempotent', async () => {
    const w = await workspace();
    const packed = await packSkill({ dir: w.skill, cwd: w.root });
    const r = await installSkill({ source: packed.path, skillsDir: w.skillsDir });
    expect(r.action).toBe('installed');
    expect(r.path).toBe(join(w.skillsDir, 'bundle-review'));
    expect(await readFile(join(r.path, 'SKILL.md'), 'utf8')).toContain('name: bundle-review');
    expect((await stat(join(r.path, 'scripts/summarize.py'))).mode & 0o777).toBe(0o755);
    expect((await stat(join(r.path, 'checklist.md'))).mode & 0o777).toBe(0o644);
    const again = await installSkill({ source: packed.path, skillsDir: w.skillsDir });
    expect(again.action).toBe('unchanged');
  });

  it('installs from a folder and refuses to overwrite different content without --force', async () => {
    const w = await workspace();
    await installSkill({ source: w.skill, skillsDir: w.skillsDir });
    await writeFile(join(w.skill, 'SKILL.md'), (await readFile(join(w.skill, 'SKILL.md'), 'utf8')).replace('version: 1.0.0', 'version: 1.1.0'));
    await expect(installSkill({ source: w.skill, skillsDir: w.skillsDir })).rejects.toMatchObject({ code: 'SKILL_EXISTS', exitCode: 2 });
    const forced = await installSkill({ source: w.skill, skillsDir: w.skillsDir, force: true });
    expect(forced.action).toBe('replaced');
    expect(forced.previousVersion).toBe('1.0.0');
    expect(forced.version).toBe('1.1.0');
    expect(await readdir(w.skillsDir)).toEqual(['bundle-review']);
  });

  it('refuses a hostile .skill archive and writes nothing', async () => {
    const w = await workspace();
    const evil = join(w.root, 'evil.skill');
    await writeFile(
      evil,
      buildRawZip([
        { name: 'SKILL.md', content: Buffer.from('---\nname: evil\ndescription: d\n---\n') },
        { name: '../../escape.txt', content: Buffer.from('x') },
      ]),
    );
    await expect(installSkill({ source: evil, skillsDir: w.skillsDir })).rejects.toMatchObject({ exitCode: 2 });
    await expect(stat(join(w.skillsDir, 'evil'))).rejects.toThrow();
    await expect(stat(join(w.root, 'escape.txt'))).rejects.toThrow();
  });

  it('checks the expected hash before installing', async () => {
    const w = await workspace();
    const packed = await packSkill({ dir: w.skill, cwd: w.root });
    await expect(
      installSkill({ source: packed.path, skillsDir: w.skillsDir, expectedSha256: '0'.repeat(64) }),
    ).rejects.toMatchObject({ code: 'SKILL_INTEGRITY' });
    await expect(stat(w.skillsDir)).rejects.toThrow();
  });
});
