import { createHash } from 'node:crypto';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { scanBundleDetailed, type ScanOptions } from '../../src/scan/index.js';
import type { ScanReport } from '../../src/scan/index.js';

export const NOW = '2026-11-29T12:00:00Z';

export interface FixtureOptions {
  manifest?: Record<string, unknown>;
  /** path → content (string or Buffer); a `{content, mode}` object for modes. */
  files?: Record<string, string | Buffer | { content: string | Buffer; mode: number }>;
  /** Raw manifest text instead of JSON-serialising `manifest`. */
  manifestText?: string;
  /** Add `_meta["dev.mpak"].files` for every file. */
  contentHashes?: boolean;
}

export function baseManifest(extra: Record<string, unknown> = {}): Record<string, any> {
  return {
    manifest_version: '0.3',
    name: '@acme/hello',
    version: '1.0.0',
    description: 'Says hello',
    author: { name: 'Acme', email: 'security@acme.example' },
    repository: { type: 'git', url: 'https://github.com/acme/hello' },
    server: { type: 'node', entry_point: 'server/index.js', mcp_config: { command: 'node', args: ['${__dirname}/server/index.js'] } },
    tools: [{ name: 'say_hello', description: 'Returns a greeting for a name.' }],
    _meta: { 'org.mpaktrust': { permissions: { filesystem: 'none', network: 'none', environment: 'none', subprocess: 'none', native: 'none' } } },
    ...extra,
  };
}

export const SERVER_JS = `import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';
const server = new McpServer({ name: 'hello', version: '1.0.0' });
server.tool('say_hello', 'Returns a greeting for a name.', { name: z.string().max(100) }, async ({ name }) => ({ content: [{ type: 'text', text: 'Hello ' + name }] }));
await server.connect(new StdioServerTransport());
`;

/** Writes a bundle folder. */
export async function writeBundle(dir: string, options: FixtureOptions = {}): Promise<string> {
  const files: Record<string, any> = { 'server/index.js': SERVER_JS, ...(options.files ?? {}) };
  const manifest = options.manifest ?? baseManifest();
  if (options.contentHashes) {
    const list = Object.entries(files)
      .map(([path, v]) => {
        const content = typeof v === 'string' || Buffer.isBuffer(v) ? v : v.content;
        const buf = Buffer.isBuffer(content) ? content : Buffer.from(content);
        return { path, sha256: createHash('sha256').update(buf).digest('hex'), size: buf.length };
      })
      .sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
    (manifest as any)._meta = { ...((manifest as any)._meta ?? {}), 'dev.mpak': { files: list } };
  }
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'manifest.json'), options.manifestText ?? JSON.stringify(manifest, null, 2));
  for (const [path, v] of Object.entries(files)) {
    const p = join(dir, path);
    await mkdir(dirname(p), { recursive: true });
    const content = typeof v === 'string' || Buffer.isBuffer(v) ? v : v.content;
    await writeFile(p, content);
    if (typeof v === 'object' && !Buffer.isBuffer(v)) await chmod(p, v.mode);
  }
  return dir;
}

export async function scan(path: string, options: Partial<ScanOptions> = {}): Promise<ScanReport> {
  return (await scanBundleDetailed({ path, now: NOW, ...options })).report;
}

export function control(report: ScanReport, id: string) {
  const c = report.controls.find((x) => x.id === id)!;
  return { ...c, found: report.findings.filter((f) => f.control === id) };
}

export function rules(report: ScanReport, id: string): string[] {
  return report.findings.filter((f) => f.control === id).map((f) => f.rule);
}
