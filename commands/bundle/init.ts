import { Args, Flags } from '@oclif/core';
import { relative, resolve } from 'node:path';
import { MpakCommand } from '../../cli/base.js';
import { forceFlag } from '../../cli/flags.js';
import { inputError } from '../../src/errors.js';
import { defaultEntryPoint, detectServer, initBundle, type InitAnswers, type Manifest, type ServerType } from '../../src/manifest/index.js';

export interface BundleInitResult {
  manifest: Manifest;
  manifestPath: string;
  written: string[];
  /** Where each default came from (package.json, pyproject.toml, a flag, a prompt...). */
  sources: Record<string, string>;
}

const TYPES = ['node', 'python', 'binary', 'uv'] as const;

export default class BundleInit extends MpakCommand {
  static override summary = 'Create manifest.json and .mcpbignore for a node, python, binary or uv server.';
  static override description =
    'Detects the server type from the folder (package.json → node; pyproject.toml + uv.lock → uv, manifest 0.4; pyproject.toml or *.py → python; an executable → binary) and writes a manifest_version 0.3 manifest with the official defaults. Asks for each value on a TTY; --yes takes the defaults; without a TTY the detected defaults are used and reported on stderr. Never overwrites manifest.json without --force.';
  static override examples = [
    '<%= config.bin %> bundle init',
    '<%= config.bin %> bundle init ./my-server --yes --name @acme/weather --author "Ada <ada@example.com>"',
    '<%= config.bin %> bundle init . --type python --entry-point server/main.py --yes',
  ];
  static override args = { dir: Args.string({ description: 'The server folder.', default: '.' }) };
  static override flags = {
    yes: Flags.boolean({ char: 'y', description: 'Accept the detected defaults without asking.' }),
    force: forceFlag('Overwrite an existing manifest.json.'),
    name: Flags.string({ description: 'Bundle name, e.g. @scope/my-server.' }),
    version: Flags.string({ description: 'Bundle version (semver), e.g. 1.0.0.' }),
    description: Flags.string({ description: 'One-line description.' }),
    author: Flags.string({ description: 'Author as "Name <email> (url)".' }),
    type: Flags.string({ description: 'Server type.', options: [...TYPES] }),
    'entry-point': Flags.string({ description: 'Entry point relative to the folder, e.g. server/index.js.' }),
  };

  async run(): Promise<BundleInitResult> {
    const { args, flags } = await this.parse(BundleInit);
    const dir = resolve(args.dir);
    const d = await detectServer(dir);
    const type = (flags.type as ServerType | undefined) ?? d.type;
    const sources: Record<string, string> = { ...d.sources };
    const answers: Partial<InitAnswers> = {
      type,
      entryPoint: flags['entry-point'] ?? (flags.type && flags.type !== d.type ? defaultEntryPoint(flags.type as ServerType) : d.entryPoint),
      name: flags.name ?? d.name,
      version: flags.version ?? d.version,
      description: flags.description ?? d.description,
      author: flags.author ?? d.author,
      license: d.license,
    };
    for (const f of ['name', 'version', 'description', 'author', 'type', 'entry-point'] as const) if (flags[f] !== undefined) sources[f === 'entry-point' ? 'entryPoint' : f] = 'flag';

    const interactive = !flags.yes && process.stdin.isTTY && process.stderr.isTTY && process.env.CI !== 'true';
    if (interactive) {
      Object.assign(answers, await askInitQuestions(answers, flags));
      for (const k of Object.keys(answers)) sources[k] ??= 'prompt';
    } else if (!answers.type) {
      throw inputError('INIT_TYPE_UNKNOWN', `cannot tell what kind of server ${args.dir} holds (no package.json, pyproject.toml, *.py or executable)`, {
        suggestions: [`Name it: mpak bundle init ${args.dir} --type node --entry-point server/index.js`],
      });
    } else if (!flags.yes) {
      this.info(`No TTY: using detected defaults (pass --yes to silence this, or flags to change them):`);
      for (const [k, v] of Object.entries(answers)) if (v !== undefined) this.info(`  ${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}  (${sources[k] ?? 'default'})`);
    }
    if (!answers.entryPoint) answers.entryPoint = defaultEntryPoint(answers.type!);

    const result = await initBundle(dir, answers as InitAnswers, { force: flags.force });
    if (!this.jsonEnabled()) {
      for (const p of result.written) this.out(`wrote ${relative(process.cwd(), p) || p}`);
      this.info(`Next: mpak bundle validate ${args.dir} && mpak bundle pack ${args.dir}`);
    }
    return { manifest: result.manifest, manifestPath: result.manifestPath, written: result.written, sources };
  }
}

/** One question per value not given as a flag, default shown in brackets; stderr so stdout stays the result. */
async function askInitQuestions(current: Partial<InitAnswers>, given: Record<string, unknown>): Promise<Partial<InitAnswers>> {
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const ask = async (label: string, def: string | undefined, flag: string) => {
      if (given[flag] !== undefined) return def;
      const answer = (await rl.question(`${label}${def ? ` [${def}]` : ''}: `)).trim();
      return answer === '' ? def : answer;
    };
    const out: Partial<InitAnswers> = {};
    let type: string | undefined;
    do {
      type = await ask(`Server type (${TYPES.join('/')})`, current.type, 'type');
    } while (!type || !(TYPES as readonly string[]).includes(type));
    out.type = type as ServerType;
    const entryDefault = out.type === current.type ? current.entryPoint : defaultEntryPoint(out.type);
    out.entryPoint = await ask('Entry point', entryDefault, 'entry-point');
    out.name = await ask('Name', current.name, 'name');
    out.version = await ask('Version', current.version, 'version');
    out.description = await ask('Description', current.description, 'description');
    const a = current.author;
    const authorText = typeof a === 'string' ? a : a ? `${a.name}${a.email ? ` <${a.email}>` : ''}${a.url ? ` (${a.url})` : ''}` : undefined;
    out.author = await ask('Author', authorText, 'author');
    return out;
  } finally {
    rl.close();
  }
}
