import { afterEach, describe, expect, it } from 'vitest';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkSkillText, validateSkillFolder } from '../../src/skills/validate.js';
import { repoRoot, tempDir } from '../helpers/cli.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function skillFolder(name: string, skillMd: string, extra: Record<string, string> = {}) {
  const t = await tempDir();
  cleanups.push(t.cleanup);
  const dir = join(t.dir, name);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'SKILL.md'), skillMd);
  for (const [rel, content] of Object.entries(extra)) {
    await mkdir(join(dir, rel, '..'), { recursive: true });
    await writeFile(join(dir, rel), content);
  }
  return dir;
}

describe('SKILL.md validation', () => {
  it('accepts the shipped example skill', async () => {
    const r = await validateSkillFolder(join(repoRoot, 'examples/skills/bundle-review'));
    expect(r.errors).toEqual([]);
    expect(r.valid).toBe(true);
    expect(r.frontmatter?.name).toBe('bundle-review');
    expect(r.frontmatter?.version).toBe('1.0.0');
  });

  it.each([
    ['missing name', 'description: d', /name: required field is missing/, 2],
    ['uppercase name', 'name: My-Skill\ndescription: d', /name: must be lowercase/, 2],
    ['double hyphen', 'name: my--skill\ndescription: d', /name: must be lowercase/, 2],
    ['name too long', `name: ${'a'.repeat(65)}\ndescription: d`, /at most 64/, 2],
    ['empty description', 'name: ok\ndescription: ""', /description: must not be empty/, 3],
    ['long description', `name: ok\ndescription: ${'x'.repeat(1025)}`, /at most 1024/, 3],
    ['metadata not strings', 'name: ok\ndescription: d\nmetadata:\n  n: 1', /metadata\.n/, 5],
    ['bad version', 'name: ok\ndescription: d\nversion: one', /semantic version/, 4],
    ['bad yaml', 'name: ok\ndescription: [unclosed', /YAML/, 3],
  ])('rejects %s with a line number', (_label, yaml, message, line) => {
    const r = checkSkillText(`---\n${yaml}\n---\n# body\n`);
    expect(r.valid).toBe(false);
    const hit = r.errors.find((e) => message.test(e.message));
    expect(hit, JSON.stringify(r.errors)).toBeDefined();
    expect(hit?.line).toBe(line);
  });

  it('reports every problem at once, and unknown keys as warnings', () => {
    const r = checkSkillText('---\nname: Bad Name\ndescription: ""\ncolour: blue\n---\n');
    expect(r.errors.map((e) => e.path[0]).sort()).toEqual(['description', 'name']);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]?.message).toMatch(/colour: unknown/);
    expect(r.warnings[0]?.line).toBe(4);
  });

  it('requires a frontmatter block', () => {
    expect(checkSkillText('# just markdown\n').errors[0]?.message).toMatch(/must start with a YAML frontmatter/);
    expect(checkSkillText('---\nname: x\n').errors[0]?.message).toMatch(/not closed/);
  });

  it('requires name to equal the folder name', async () => {
    const dir = await skillFolder('other-name', '---\nname: my-skill\ndescription: d\n---\n');
    const r = await validateSkillFolder(dir);
    expect(r.valid).toBe(false);
    expect(r.errors[0]?.message).toMatch(/must equal the skill's folder name "other-name"/);
  });

  it('checks that linked files exist and stay inside the skill', async () => {
    const md = '---\nname: linky\ndescription: d\n---\nSee [a](ref/a.md), [b](ref/missing.md), [c](../escape.md), [web](https://example.org/x).\n';
    const dir = await skillFolder('linky', md, { 'ref/a.md': '# a' });
    const r = await validateSkillFolder(dir);
    const messages = r.errors.map((e) => e.message);
    expect(messages).toHaveLength(2);
    expect(messages[0]).toMatch(/ref\/missing\.md" refers to a file that is not in the skill/);
    expect(messages[1]).toMatch(/points outside/);
    expect(r.errors[0]?.line).toBe(5);
  });

  it('reports a folder without SKILL.md', async () => {
    const t = await tempDir();
    cleanups.push(t.cleanup);
    const r = await validateSkillFolder(t.dir);
    expect(r.valid).toBe(false);
    expect(r.errors[0]?.message).toMatch(/no SKILL.md/);
  });
});
