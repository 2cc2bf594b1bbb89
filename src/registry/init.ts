import { cp, mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inputError } from '../errors.js';
import { writeFileAtomic } from '../util/fs-atomic.js';
import { DEFAULT_EXPIRES_DAYS, REGISTRY_CONFIG_PATH, REGISTRY_FORMAT_VERSION, RegistryConfig, type TrustLevel } from './format.js';
import { createIndexSigningKey, readIndexSigningKey, registryKeyOf, type IndexSigningKey } from './keys.js';
import { openGit } from './git.js';
import { writeRegistryConfig } from './source.js';
import type { z } from 'zod';

export interface InitIndexOptions {
  /** The registry folder to create (may exist if empty, or with `force`). */
  dir: string;
  /** The `index-template/` folder shipped with mpak. */
  templateDir: string;
  name: string;
  title?: string;
  baseUrl: string;
  minLevel: z.infer<typeof TrustLevel>;
  /** An existing Ed25519 private key (PEM file); otherwise a new one is created in `keysDir`. */
  keyFile?: string;
  /** Where a new key goes (`MPAK_HOME/keys`). */
  keysDir: string;
  force?: boolean;
  /** Create the first commit (default true). */
  git?: boolean;
}

export interface InitIndexResult {
  dir: string;
  config: RegistryConfig;
  key: { keyid: string; fingerprint: string; path?: string; created: boolean };
  files: string[];
  commit?: string;
}

/** Template entries that are not copied into a registry: the web page's source is built into assets/. */
const TEMPLATE_SKIP = new Set(['web-src', 'node_modules', REGISTRY_CONFIG_PATH]);

/**
 * Creates a registry source repository from the template: registry.json (name, base URL,
 * admission policy, index-signing public key), empty packages/ and skills/, the workflows and
 * the web page, then `git init` and a first commit. Refuses a non-empty folder unless `force`.
 */
export async function initIndex(options: InitIndexOptions): Promise<InitIndexResult> {
  const { dir } = options;
  const existing = await readdir(dir).catch(() => [] as string[]);
  if (existing.length > 0 && !options.force) {
    throw inputError('INDEX_DIR_NOT_EMPTY', `${dir} is not empty.`, {
      suggestions: [`mpak index init ${dir} --force`, 'mpak index init <new-empty-folder>'],
    });
  }
  const baseUrl = options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`;
  let key: IndexSigningKey;
  let created = false;
  if (options.keyFile) key = await readIndexSigningKey(options.keyFile);
  else {
    key = await createIndexSigningKey(options.keysDir);
    created = true;
  }

  await mkdir(dir, { recursive: true });
  const templateConfig = JSON.parse(await readFile(join(options.templateDir, REGISTRY_CONFIG_PATH), 'utf8')) as Record<string, unknown>;
  const config = RegistryConfig.parse({
    ...templateConfig,
    name: options.name,
    title: options.title ?? `${options.name} MCP registry`,
    baseUrl,
    formatVersion: REGISTRY_FORMAT_VERSION,
    policy: { ...(templateConfig.policy as object), minLevel: options.minLevel },
    keys: [registryKeyOf(key.publicKey)],
    expiresDays: (templateConfig.expiresDays as number | undefined) ?? DEFAULT_EXPIRES_DAYS,
  });

  for (const entry of await readdir(options.templateDir, { withFileTypes: true })) {
    if (TEMPLATE_SKIP.has(entry.name)) continue;
    await cp(join(options.templateDir, entry.name), join(dir, entry.name), { recursive: true, force: true });
  }
  await writeRegistryConfig(dir, config);
  for (const folder of ['packages', 'skills']) {
    await writeFileAtomic(join(dir, folder, '.gitkeep'), '');
  }

  const files = await listFiles(dir);
  let commit: string | undefined;
  if (options.git !== false) {
    const { simpleGit } = await import('simple-git');
    await simpleGit({ baseDir: dir }).init(['--initial-branch=main']);
    const git = await openGit(dir);
    await git.add(files);
    await git.commit(`Create registry ${config.name}`, files);
    commit = (await git.revparse(['HEAD'])).trim();
  }
  return {
    dir,
    config,
    key: { keyid: key.keyid, fingerprint: config.keys[0]!.fingerprint, ...(key.path ? { path: key.path } : {}), created },
    files,
    ...(commit ? { commit } : {}),
  };
}

async function listFiles(root: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(join(root, prefix), { withFileTypes: true })) {
    if (entry.name === '.git') continue;
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await listFiles(root, rel)));
    else out.push(rel);
  }
  return out.sort();
}
