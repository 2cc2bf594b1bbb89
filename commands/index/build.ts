import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Args, Flags } from '@oclif/core';
import { MpakCommand } from '../../cli/base.js';
import { mpakPaths } from '../../src/config/paths.js';
import { inputError } from '../../src/errors.js';
import { buildIndex, type BuildIndexResult } from '../../src/registry/build.js';
import { indexSigningKeyFromPem, readIndexSigningKey, type IndexSigningKey } from '../../src/registry/keys.js';
import { readRegistryConfig } from '../../src/registry/source.js';

export default class IndexBuild extends MpakCommand {
  static override summary = 'Generate the signed, published files of a registry.';
  static override description =
    'Deterministic: the same source commit gives byte-identical output (versions and times come from the commit). Writes timestamp.json, snapshot/, summary/, packages/, skills/, the /v0.1 export, catalog.json, blobs and the web page into the output folder, replaced atomically. The signing key comes from --key, MPAK_INDEX_KEY (PEM text or a path), or the matching key in MPAK_HOME/keys.';
  static override examples = [
    '<%= config.bin %> index build ./my-registry -o ./my-registry/dist',
    'MPAK_INDEX_KEY="$(cat index.pem)" <%= config.bin %> index build . -o dist --json',
  ];
  static override args = { dir: Args.string({ description: 'The registry source folder (a git checkout).', default: '.' }) };
  static override flags = {
    output: Flags.string({ char: 'o', description: 'Output folder (default: <dir>/dist).' }),
    key: Flags.string({ description: 'Ed25519 private key (PEM file) that signs the index.' }),
  };

  async run(): Promise<BuildIndexResult> {
    const { args, flags } = await this.parse(IndexBuild);
    const dir = resolve(args.dir);
    const key = await this.signingKey(dir, flags.key);
    const result = await buildIndex({ dir, outDir: resolve(flags.output ?? join(dir, 'dist')), key });
    if (result.dirty) this.info('Warning: packages/, skills/ or registry.json have uncommitted changes; the output is not reproducible from the commit.');
    if (!this.jsonEnabled()) {
      this.out(`Built index version ${result.version} (commit ${result.commit.slice(0, 12)}, expires ${result.expires})`);
      this.out(`  ${result.packages.bundle} bundles, ${result.packages.skill} skills, ${result.versions} versions, ${result.files} files, ${result.blobs} blobs`);
      this.out(`  summary: ${result.summary.shards} shard(s), ${result.summary.bytes} bytes → ${result.outDir}`);
    }
    return result;
  }

  private async signingKey(dir: string, flag: string | undefined): Promise<IndexSigningKey> {
    if (flag) return readIndexSigningKey(resolve(flag));
    const env = process.env.MPAK_INDEX_KEY;
    if (env) return env.trimStart().startsWith('-----BEGIN') ? indexSigningKeyFromPem(env, 'MPAK_INDEX_KEY') : readIndexSigningKey(resolve(env));
    const config = await readRegistryConfig(dir);
    const keysDir = mpakPaths(process.env).keysDir;
    const names = await readdir(keysDir).catch(() => [] as string[]);
    for (const k of config.keys) {
      const name = `index-${k.keyid.slice(0, 16)}.pem`;
      if (names.includes(name)) return indexSigningKeyFromPem(await readFile(join(keysDir, name), 'utf8'), join(keysDir, name));
    }
    throw inputError('INDEX_KEY_MISSING', 'No index signing key: none of registry.json\'s keys is in MPAK_HOME/keys.', {
      suggestions: ['mpak index build --key <index-key.pem>', 'export MPAK_INDEX_KEY="$(cat index-key.pem)"'],
    });
  }
}
