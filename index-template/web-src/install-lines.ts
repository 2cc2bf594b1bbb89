// The copyable install lines of a package page. Only commands that mpak has are offered.

export interface InstallLine {
  label: string;
  text: string;
}

/** The bare name of `@scope/name` (the MCP server key used in client configurations). */
export function bareName(name: string): string {
  return name.includes('/') ? name.slice(name.indexOf('/') + 1) : name.replace(/^@/, '');
}

export function installLines(kind: 'bundle' | 'skill', name: string, version?: string): InstallLine[] {
  const ref = version ? `${name}@${version}` : name;
  if (kind === 'skill') {
    return [{ label: 'Install the skill (into ~/.claude/skills)', text: `mpak skill install ${ref}` }];
  }
  const key = bareName(name);
  const desktop = { mcpServers: { [key]: { command: 'mpak', args: ['bundle', 'run', ref] } } };
  return [
    { label: 'Run with the mpak CLI', text: `mpak bundle run ${ref}` },
    { label: 'Claude Desktop (claude_desktop_config.json)', text: JSON.stringify(desktop, null, 2) },
    { label: 'Claude Code', text: `claude mcp add ${key} -- mpak bundle run ${ref}` },
    { label: 'Cursor (writes ~/.cursor/mcp.json)', text: `mpak bundle install ${ref} --client cursor` },
    { label: 'VS Code (writes the user mcp.json)', text: `mpak bundle install ${ref} --client vscode` },
  ];
}
