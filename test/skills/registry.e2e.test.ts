import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { repoRoot, runCli, tempDir } from '../helpers/cli.js';

/**
 * Skills through the whole registry loop with the built CLI: pack → index add → index build →
 * registry add → skill search / show → skill install @scope/name (hash-checked, atomic).
 */
describe('skills in a registry (CLI)', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let env: Record<string, string>;
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('mpak-skill-reg-'));
    env = { MPAK_HOME: join(dir, 'home'), HOME: join(dir, 'user') };
  });
  afterAll(() => cleanup());

  const cli = (args: string[]) => runCli(args, { cwd: dir, env, timeoutMs: 180_000 });

  it('indexes, finds, shows and installs a skill', { timeout: 300_000 }, async () => {
    const pack = await cli(['skill', 'pack', join(repoRoot, 'examples/skills/bundle-review'), '-o', 'bundle-review.skill', '--json']);
    expect(pack.code, pack.stderr).toBe(0);
    const init = await cli(['index', 'init', 'registry', '--name', 'skills', '--base-url', 'https://skills.example/', '--json']);
    expect(init.code, init.stderr).toBe(0);
    const add = await cli(['index', 'add', 'bundle-review.skill', '--index', 'registry', '--json']);
    expect(add.code, add.stderr + add.stdout).toBe(0);
    const added = JSON.parse(add.stdout);
    expect(added.kind).toBe('skill');
    expect(added.name).toBe('@mpak-examples/bundle-review');
    expect(added.entry.scan.display).toMatch(/^L2 \d+$/);
    const build = await cli(['index', 'build', 'registry', '-o', 'dist', '--json']);
    expect(build.code, build.stderr).toBe(0);
    expect((await cli(['registry', 'add', 'skills', join(dir, 'dist'), '--json'])).code).toBe(0);

    const search = await cli(['skill', 'search', 'review', '--json']);
    expect(search.code, search.stderr).toBe(0);
    const hits = JSON.parse(search.stdout).hits as { name: string; kind: string }[];
    expect(hits.map((h) => `${h.kind} ${h.name}`)).toEqual(['skill @mpak-examples/bundle-review']);
    const bundlesOnly = await cli(['bundle', 'search', 'review', '--json']);
    expect(JSON.parse(bundlesOnly.stdout).hits).toEqual([]);

    const show = await cli(['skill', 'show', '@mpak-examples/bundle-review', '--json']);
    expect(show.code, show.stderr).toBe(0);
    const shown = JSON.parse(show.stdout);
    expect(shown.install).toBe('mpak skill install @mpak-examples/bundle-review');
    expect(shown.version.scan.controls['CD-03']).toBe('pass');
    // per-control reasons travel into the registry entry, as for bundles
    expect(shown.version.scan.details['CD-01'].reason).toMatch(/a skill declares no tools/);

    const skillsDir = join(dir, 'installed');
    const install = await cli(['skill', 'install', '@mpak-examples/bundle-review', '--dir', skillsDir, '--json']);
    expect(install.code, install.stderr).toBe(0);
    const installed = JSON.parse(install.stdout);
    expect(installed.action).toBe('installed');
    expect(installed.sha256).toBe(JSON.parse(pack.stdout).sha256);
    expect(await readFile(join(skillsDir, 'bundle-review', 'SKILL.md'), 'utf8')).toContain('name: bundle-review');
    expect((await stat(join(skillsDir, 'bundle-review', 'scripts', 'summarize.py'))).mode & 0o111).not.toBe(0);

    const refused = await cli(['skill', 'install', '@mpak-examples/bundle-review', '--dir', join(dir, 'other'), '--min-level', 'L3', '--json']);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/--min-level/);
    await expect(stat(join(dir, 'other', 'bundle-review'))).rejects.toThrow();
  });
});
