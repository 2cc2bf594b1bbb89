// The web page's built assets are committed (so `npm run build` and `mpak index build` never need
// esbuild); this fails when index-template/assets is stale: run `npm run build:web` and commit.
import { spawnSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot, tempDir } from '../helpers/cli.js';

describe('index-template/assets', () => {
  let cleanup: (() => Promise<void>) | undefined;
  afterAll(() => cleanup?.());

  it('is exactly what scripts/build-web.js builds from web-src', async () => {
    const tmp = await tempDir('mpak-web-assets-');
    cleanup = tmp.cleanup;
    const r = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'build-web.js'), '--outdir', tmp.dir], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const committedDir = join(repoRoot, 'index-template', 'assets');
    const built = (await readdir(tmp.dir)).sort();
    expect((await readdir(committedDir)).sort()).toEqual(built);
    expect(built).toEqual(['app.css', 'app.js']);
    for (const name of built) {
      const fresh = await readFile(join(tmp.dir, name), 'utf8');
      const committed = await readFile(join(committedDir, name), 'utf8');
      expect(committed === fresh, `${name} is stale: run npm run build:web and commit index-template/assets`).toBe(true);
    }
  });

  it('stays small and never references another origin', async () => {
    const js = await readFile(join(repoRoot, 'index-template', 'assets', 'app.js'), 'utf8');
    const html = await readFile(join(repoRoot, 'index-template', 'index.html'), 'utf8');
    expect(js.length).toBeLessThan(120_000);
    expect(js).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function/);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(html).toContain("default-src 'none'");
  });
});
