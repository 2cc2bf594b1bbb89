import { copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inputError } from '../errors.js';
import { writeFileAtomic } from '../util/fs-atomic.js';

/**
 * `mpak bundle install --client …`: registers `mpak bundle run <ref>` as an MCP server in an
 * AI client's config file. Idempotent; other settings are preserved; the previous file is kept
 * as `<file>.mpak-backup`; a line diff of the change is returned for stderr.
 */

export const CLIENTS = ['claude-desktop', 'claude-code', 'cursor', 'vscode'] as const;
export type ClientName = (typeof CLIENTS)[number];

/** Where each client keeps its MCP server list, per OS. */
export function clientConfigPath(client: ClientName, o: { platform: string; home: string; env: Record<string, string | undefined> }): string {
  const appData = o.env.APPDATA ?? join(o.home, 'AppData', 'Roaming');
  const xdgConfig = o.env.XDG_CONFIG_HOME ?? join(o.home, '.config');
  const macSupport = join(o.home, 'Library', 'Application Support');
  switch (client) {
    case 'claude-desktop':
      if (o.platform === 'darwin') return join(macSupport, 'Claude', 'claude_desktop_config.json');
      if (o.platform === 'win32') return join(appData, 'Claude', 'claude_desktop_config.json');
      return join(xdgConfig, 'Claude', 'claude_desktop_config.json');
    case 'claude-code':
      return join(o.home, '.claude.json');
    case 'cursor':
      return join(o.home, '.cursor', 'mcp.json');
    case 'vscode':
      if (o.platform === 'darwin') return join(macSupport, 'Code', 'User', 'mcp.json');
      if (o.platform === 'win32') return join(appData, 'Code', 'User', 'mcp.json');
      return join(xdgConfig, 'Code', 'User', 'mcp.json');
  }
}

/** The server entry every client gets: mpak resolves, verifies and runs the bundle. */
export function serverEntry(client: ClientName, ref: string): Record<string, unknown> {
  const base = { command: 'mpak', args: ['bundle', 'run', ref] };
  return client === 'vscode' ? { type: 'stdio', ...base } : client === 'claude-code' ? { type: 'stdio', ...base, env: {} } : base;
}

/** The key the server is listed under: the bare package name (`@acme/weather` → `weather`). */
export function serverKey(ref: string): string {
  const at = ref.lastIndexOf('@');
  const name = at > 0 ? ref.slice(0, at) : ref;
  return name.split('/').pop()!.replace(/[^a-zA-Z0-9._-]/g, '-');
}

/** Install lines shown by `mpak bundle show`: Claude Desktop JSON and the Claude Code command. */
export function installSnippets(ref: string): { claudeDesktop: string; claudeCode: string } {
  const key = serverKey(ref);
  return {
    claudeDesktop: JSON.stringify({ mcpServers: { [key]: serverEntry('claude-desktop', ref) } }, null, 2),
    claudeCode: `claude mcp add ${key} -- mpak bundle run ${ref}`,
  };
}

export interface InstallOptions {
  client: ClientName;
  ref: string;
  configPath: string;
  /** Compute the change without writing. */
  print?: boolean;
}

export interface InstallResult {
  client: ClientName;
  configPath: string;
  key: string;
  entry: Record<string, unknown>;
  changed: boolean;
  written: boolean;
  backup?: string;
  diff: string[];
}

export async function installToClient(o: InstallOptions): Promise<InstallResult> {
  let before = '';
  let config: Record<string, any> = {};
  try {
    before = await readFile(o.configPath, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (before.trim()) {
    try {
      config = JSON.parse(before);
    } catch {
      throw inputError('CLIENT_CONFIG_INVALID', `${o.configPath} is not plain JSON (comments?); refusing to rewrite it`, {
        suggestions: [`Add it by hand; print the entry with: mpak bundle install ${o.ref} --client ${o.client} --print`],
      });
    }
    if (typeof config !== 'object' || config === null || Array.isArray(config)) {
      throw inputError('CLIENT_CONFIG_INVALID', `${o.configPath} does not hold a JSON object`);
    }
  }
  const listKey = o.client === 'vscode' ? 'servers' : 'mcpServers';
  const key = serverKey(o.ref);
  const entry = serverEntry(o.client, o.ref);
  const servers = { ...(config[listKey] ?? {}) };
  const changed = JSON.stringify(servers[key]) !== JSON.stringify(entry);
  servers[key] = entry;
  const after = `${JSON.stringify({ ...config, [listKey]: servers }, null, 2)}\n`;
  const diff = changed ? lineDiff(before, after) : [];
  const result: InstallResult = { client: o.client, configPath: o.configPath, key, entry, changed, written: false, diff };
  if (!changed || o.print) return result;
  if (before) {
    result.backup = `${o.configPath}.mpak-backup`;
    await copyFile(o.configPath, result.backup);
  }
  await writeFileAtomic(o.configPath, after, { mode: 0o600 });
  result.written = true;
  return result;
}

/** A minimal line diff (LCS) for showing config changes: `- old`, `+ new` lines only. */
export function lineDiff(before: string, after: string): string[] {
  const a = before ? before.replace(/\n$/, '').split('\n') : [];
  const b = after.replace(/\n$/, '').split('\n');
  const n = a.length;
  const m = b.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      i++;
      j++;
    } else if (j < m && (i >= n || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) out.push(`+ ${b[j++]}`);
    else out.push(`- ${a[i++]}`);
  }
  return out;
}
