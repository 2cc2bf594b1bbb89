/**
 * Builds bundle folders from the official MCP reference servers installed as devDependencies:
 * the server package under `server/`, its npm dependency closure under `node_modules/`, and a
 * manifest listing the tools. Nothing is downloaded; nothing is committed.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findNodeModules(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const candidate = dir.endsWith('node_modules') ? dir : join(dir, 'node_modules');
    if (existsSync(join(candidate, '@modelcontextprotocol', 'sdk'))) return candidate;
    dir = dirname(dir);
  }
  throw new Error('node_modules with @modelcontextprotocol/sdk not found');
}

const NODE_MODULES = findNodeModules();

function packageDir(name: string, from: string[]): string | undefined {
  for (const base of from) {
    const p = join(base, name);
    if (existsSync(join(p, 'package.json'))) return p;
  }
  return undefined;
}

/** The runtime dependency closure of an installed package: name → folder. */
export function dependencyClosure(name: string): Map<string, string> {
  const out = new Map<string, string>();
  const queue: [string, string[]][] = [[name, [NODE_MODULES]]];
  while (queue.length > 0) {
    const [dep, search] = queue.shift()!;
    const dir = packageDir(dep, search);
    if (!dir || out.has(dep)) continue;
    out.set(dep, dir);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const nested = [join(dir, 'node_modules'), NODE_MODULES];
    for (const d of Object.keys({ ...(pkg.dependencies ?? {}), ...(pkg.optionalDependencies ?? {}) })) queue.push([d, nested]);
  }
  return out;
}

export const REFERENCE_SERVERS = ['@modelcontextprotocol/server-filesystem', '@modelcontextprotocol/server-memory', '@modelcontextprotocol/server-everything'];

/** Writes `<dest>/manifest.json`, `<dest>/server/**` and `<dest>/node_modules/**`; returns dest. */
export function buildReferenceBundle(name: string, dest: string): string {
  const closure = dependencyClosure(name);
  const serverDir = closure.get(name)!;
  closure.delete(name);
  const pkg = JSON.parse(readFileSync(join(serverDir, 'package.json'), 'utf8'));
  mkdirSync(dest, { recursive: true });
  cpSync(serverDir, join(dest, 'server'), { recursive: true, dereference: true, filter: (src) => !src.includes(`${serverDir}/node_modules`) });
  for (const [dep, dir] of closure) {
    cpSync(dir, join(dest, 'node_modules', dep), { recursive: true, dereference: true, filter: (src) => !src.slice(dir.length).includes('/node_modules/') });
  }
  const entry = typeof pkg.bin === 'string' ? pkg.bin : Object.values(pkg.bin ?? { x: 'dist/index.js' })[0];
  const manifest = {
    manifest_version: '0.3',
    name: pkg.name.replace(/^@[^/]+\//, ''),
    version: pkg.version,
    description: pkg.description ?? 'reference server',
    author: { name: 'MCP reference servers' },
    server: { type: 'node', entry_point: `server/${entry}`, mcp_config: { command: 'node', args: [`\${__dirname}/server/${entry}`] } },
    tools_generated: true,
    tools: [],
  };
  writeFileSync(join(dest, 'manifest.json'), JSON.stringify(manifest, null, 2));
  return dest;
}
