import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Config, Parser } from '@oclif/core';
import { Ajv } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli.js';

/**
 * The workflows shipped in index-template/ must be valid GitHub workflows, pin every action to a
 * commit, keep tokens minimal, and call only mpak command lines that mpak's own parser accepts
 * (the command classes are loaded from the build and their flags/args parsed for real).
 */
const templateDir = join(repoRoot, 'index-template');
const workflowFiles = [
  '.github/workflows/validate.yml',
  '.github/workflows/publish.yml',
  '.github/workflows/poll.yml',
  'author/release.yml',
];

interface Step {
  uses?: string;
  run?: string;
}
interface Job {
  permissions?: Record<string, string>;
  steps?: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
  concurrency?: unknown;
}

/** Splits a shell line into words: quotes removed, `${{ expr }}` kept as one word. */
function shellWords(line: string): string[] {
  const words: string[] = [];
  let current = '';
  let quote: string | null = null;
  let started = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && i + 1 < line.length) current += line[++i];
      else current += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      started = true;
    } else if (/\s/.test(c)) {
      if (started) words.push(current);
      current = '';
      started = false;
    } else if (c === '#' && !started) break;
    else if ((c === ';' || c === '|' || c === '&' || c === '>') && !started) break;
    else {
      current += c;
      started = true;
    }
  }
  if (quote) throw new Error(`unterminated quote in: ${line}`);
  if (started) words.push(current);
  return words;
}

/** Every `mpak …` invocation in a run script (continuation lines joined). */
function mpakLines(script: string): string[] {
  return script
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^mpak\s/.test(l));
}

describe('index-template workflows', () => {
  let workflows: Map<string, { text: string; doc: Workflow }>;
  let config: Config;

  beforeAll(async () => {
    workflows = new Map();
    for (const file of workflowFiles) {
      const text = await readFile(join(templateDir, file), 'utf8');
      workflows.set(file, { text, doc: parseYaml(text) as Workflow });
    }
    config = await Config.load(repoRoot);
  });

  it('ships exactly the expected workflow files', async () => {
    expect((await readdir(join(templateDir, '.github/workflows'))).sort()).toEqual(['poll.yml', 'publish.yml', 'validate.yml']);
  });

  it('validate against the GitHub workflow JSON Schema', async () => {
    const schema = JSON.parse(await readFile('/work/shared/schemas/github-workflow.schema.json', 'utf8'));
    const ajv = new Ajv({ strict: false, allErrors: true });
    const validate = ajv.compile(schema);
    for (const [file, { doc }] of workflows) expect(validate(doc), `${file}: ${JSON.stringify(validate.errors?.slice(0, 3))}`).toBe(true);
  });

  it('pin every action to a full commit SHA with the version beside it', () => {
    let count = 0;
    for (const [file, { text }] of workflows) {
      for (const line of text.split('\n')) {
        const m = /^\s*(?:-\s+)?uses:\s*(\S+)(.*)$/.exec(line);
        if (!m) continue;
        count++;
        expect(m[1], `${file}: ${line}`).toMatch(/^[\w.-]+\/[\w.-]+(\/[\w./-]+)?@[0-9a-f]{40}$/);
        expect(m[2], `${file}: ${line}`).toMatch(/#\s*v\d+(\.\d+)*/);
      }
    }
    expect(count).toBeGreaterThanOrEqual(10);
  });

  it('keep tokens minimal: read-only by default, writes only where needed', () => {
    for (const [file, { doc }] of workflows) expect(doc.permissions, file).toEqual({ contents: 'read' });
    const validate = workflows.get('.github/workflows/validate.yml')!.doc;
    expect(Object.keys(validate.on)).toEqual(['pull_request_target']);
    expect(validate.jobs.validate!.permissions).toEqual({ contents: 'read', 'pull-requests': 'read' });
    expect(validate.jobs.comment!.permissions).toEqual({ 'pull-requests': 'write' });
    // the pull request's code is never checked out: only the default branch is
    for (const step of validate.jobs.validate!.steps ?? []) {
      if (step.uses?.startsWith('actions/checkout@')) expect((step as { with?: Record<string, string> }).with?.ref).toContain('default_branch');
    }
    expect(JSON.stringify(validate)).not.toMatch(/secrets\./);
    const publish = workflows.get('.github/workflows/publish.yml')!.doc;
    expect(publish.concurrency).toMatchObject({ group: 'publish', 'cancel-in-progress': false });
    expect(publish.jobs.deploy!.permissions).toEqual({ pages: 'write', 'id-token': 'write' });
    const uses = (wf: Workflow) => Object.values(wf.jobs).flatMap((j) => (j.steps ?? []).map((s) => s.uses?.split('@')[0]));
    expect(uses(publish)).toEqual(expect.arrayContaining(['actions/configure-pages', 'actions/upload-pages-artifact', 'actions/deploy-pages']));
    expect(uses(workflows.get('author/release.yml')!.doc)).toContain('github/codeql-action/upload-sarif');
  });

  it('call mpak only with command lines its own parser accepts', async () => {
    const seen = new Set<string>();
    for (const [file, { doc }] of workflows) {
      for (const job of Object.values(doc.jobs)) {
        for (const step of job.steps ?? []) {
          for (const line of mpakLines(step.run ?? '')) {
            const words = shellWords(line).slice(1);
            let id = '';
            let rest = words;
            for (let n = Math.min(3, words.length); n >= 1; n--) {
              const candidate = words.slice(0, n).join(':');
              if (config.findCommand(candidate)) {
                id = candidate;
                rest = words.slice(n);
                break;
              }
            }
            expect(id, `${file}: unknown mpak command in "${line}"`).not.toBe('');
            const command = await config.findCommand(id)!.load();
            await expect(
              Parser.parse(rest, {
                flags: { ...command.baseFlags, ...command.flags, json: { type: 'boolean', name: 'json', allowNo: false, parse: async (b: boolean) => b } as never },
                args: command.args ?? {},
                strict: command.strict ?? true,
                context: undefined as never,
              }),
              `${file}: ${line}`,
            ).resolves.toBeDefined();
            seen.add(id);
          }
        }
      }
    }
    expect([...seen].sort()).toEqual(
      expect.arrayContaining(['bundle:attest', 'bundle:pack', 'bundle:scan', 'bundle:sign', 'index:add', 'index:build', 'index:check', 'index:poll', 'index:verify']),
    );
  });

  it('rejects a broken command line (the parser check can fail)', async () => {
    const command = await config.findCommand('index:build')!.load();
    await expect(
      Parser.parse(['.', '--no-such-flag'], { flags: { ...command.baseFlags, ...command.flags }, args: command.args ?? {}, strict: true, context: undefined as never }),
    ).rejects.toThrow(/no-such-flag/);
  });
});
