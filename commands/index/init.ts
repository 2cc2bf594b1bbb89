import { basename, join, resolve } from 'node:path';
import { Args, Flags } from '@oclif/core';
import { MpakCommand } from '../../cli/base.js';
import { forceFlag, levelFlag } from '../../cli/flags.js';
import { mpakPaths } from '../../src/config/paths.js';
import { initIndex, type InitIndexResult } from '../../src/registry/init.js';

export default class IndexInit extends MpakCommand {
  static override summary = 'Create a registry repository from the template.';
  static override description =
    'Writes registry.json (name, base URL, admission policy, index-signing public key), empty packages/ and skills/, the GitHub Actions workflows and the static web page, then runs git init and makes the first commit. A new Ed25519 index key is created under MPAK_HOME/keys unless --key is given.';
  static override examples = [
    '<%= config.bin %> index init ./my-registry --base-url https://acme.github.io/registry/ --min-level L2',
    '<%= config.bin %> index init ./reg --name acme --base-url https://mcp.acme.example/ --key ./index-key.pem',
  ];
  static override args = { dir: Args.string({ description: 'Folder to create the registry in (empty or missing).', required: true }) };
  static override flags = {
    name: Flags.string({ description: 'Short lowercase registry name (default: the folder name).' }),
    title: Flags.string({ description: 'Human title shown on the web page.' }),
    'base-url': Flags.string({ description: 'Where the published dist/ will be served, e.g. https://owner.github.io/registry/.', required: true }),
    'min-level': levelFlag('Minimum trust level a version needs to be admitted.'),
    key: Flags.string({ description: 'Use this Ed25519 private key (PEM) instead of creating one.' }),
    'no-git': Flags.boolean({ description: 'Do not run git init or commit.' }),
    force: forceFlag('Write into a non-empty folder.'),
  };

  async run(): Promise<InitIndexResult> {
    const { args, flags } = await this.parse(IndexInit);
    const dir = resolve(args.dir);
    const result = await initIndex({
      dir,
      templateDir: join(this.config.root, 'index-template'),
      name: flags.name ?? (basename(dir).toLowerCase().replace(/[^a-z0-9._-]/g, '-').replace(/^[^a-z0-9]+/, '') || 'registry'),
      ...(flags.title ? { title: flags.title } : {}),
      baseUrl: flags['base-url'],
      minLevel: Number((flags['min-level'] ?? 'L1').slice(1)),
      ...(flags.key ? { keyFile: resolve(flags.key) } : {}),
      keysDir: mpakPaths(process.env).keysDir,
      force: flags.force,
      git: !flags['no-git'],
    });
    if (!this.jsonEnabled()) {
      this.out(`Created registry ${result.config.name} in ${args.dir} (${result.files.length} files${result.commit ? `, commit ${result.commit.slice(0, 12)}` : ''})`);
      this.out(`Index key ${result.key.fingerprint}${result.key.created ? ` (new, private key at ${result.key.path})` : ''}`);
      this.info(`Next: mpak index add <bundle.mcpb> --index ${args.dir}, then mpak index build ${args.dir}`);
    }
    return result;
  }
}
