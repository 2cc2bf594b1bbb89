import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { clientConfigPath, installSnippets, installToClient, lineDiff } from '../../src/client/install.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('bundle install into AI client configs', () => {
  it('knows each client config path per OS', () => {
    const o = (platform: string) => ({ platform, home: '/h', env: {} });
    expect(clientConfigPath('claude-desktop', o('darwin'))).toBe('/h/Library/Application Support/Claude/claude_desktop_config.json');
    expect(clientConfigPath('claude-desktop', o('linux'))).toBe('/h/.config/Claude/claude_desktop_config.json');
    expect(clientConfigPath('claude-desktop', { platform: 'win32', home: '/h', env: { APPDATA: '/ad' } })).toBe('/ad/Claude/claude_desktop_config.json');
    expect(clientConfigPath('cursor', o('linux'))).toBe('/h/.cursor/mcp.json');
    expect(clientConfigPath('vscode', o('linux'))).toBe('/h/.config/Code/User/mcp.json');
    expect(clientConfigPath('claude-code', o('darwin'))).toBe('/h/.claude.json');
  });

  it('writes the entry, keeps other settings, backs up, shows a diff, and is idempotent', async () => {
    const t = await tempDir();
    cleanups.push(t.cleanup);
    const file = join(t.dir, 'claude_desktop_config.json');
    await writeFile(file, JSON.stringify({ theme: 'dark', mcpServers: { other: { command: 'x' } } }, null, 2));
    const first = await installToClient({ client: 'claude-desktop', ref: '@acme/weather@^1', configPath: file });
    expect(first.written).toBe(true);
    expect(first.backup).toBe(`${file}.mpak-backup`);
    expect(first.diff.some((l) => l.startsWith('+') && l.includes('"weather"'))).toBe(true);
    const written = JSON.parse(await readFile(file, 'utf8'));
    expect(written).toEqual({ theme: 'dark', mcpServers: { other: { command: 'x' }, weather: { command: 'mpak', args: ['bundle', 'run', '@acme/weather@^1'] } } });
    const again = await installToClient({ client: 'claude-desktop', ref: '@acme/weather@^1', configPath: file });
    expect([again.changed, again.written, again.diff]).toEqual([false, false, []]);
  });

  it('--print does not write; VS Code uses servers with type stdio; comments are refused', async () => {
    const t = await tempDir();
    cleanups.push(t.cleanup);
    const file = join(t.dir, 'mcp.json');
    const printed = await installToClient({ client: 'vscode', ref: '@acme/weather', configPath: file, print: true });
    expect(printed.written).toBe(false);
    await expect(readFile(file)).rejects.toThrow();
    await installToClient({ client: 'vscode', ref: '@acme/weather', configPath: file });
    expect(JSON.parse(await readFile(file, 'utf8')).servers.weather).toEqual({ type: 'stdio', command: 'mpak', args: ['bundle', 'run', '@acme/weather'] });
    await writeFile(file, '// comment\n{}');
    await expect(installToClient({ client: 'vscode', ref: '@acme/weather', configPath: file })).rejects.toThrow(/not plain JSON/);
  });

  it('renders install snippets and line diffs', () => {
    expect(installSnippets('@acme/weather').claudeCode).toBe('claude mcp add weather -- mpak bundle run @acme/weather');
    expect(lineDiff('a\nb\n', 'a\nc\n')).toEqual(['+ c', '- b']);
  });
});
