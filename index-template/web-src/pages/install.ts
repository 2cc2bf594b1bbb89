// "How to install": the client configurations that start a registry bundle through mpak.
import { h } from '../dom.js';
import { state } from '../state.js';
import { copyBlock } from '../widgets.js';

export function renderInstall(main: HTMLElement): void {
  const example = '@scope/name';
  const desktop = { mcpServers: { name: { command: 'mpak', args: ['bundle', 'run', example] } } };
  const vscode = { servers: { name: { type: 'stdio', command: 'mpak', args: ['bundle', 'run', example] } } };
  main.append(
    h('h1', null, 'How to install'),
    h(
      'p',
      { class: 'lead' },
      'Every client starts a bundle the same way: it runs ',
      h('code', null, 'mpak bundle run @scope/name'),
      ', which downloads the bundle once, verifies its SHA-256 (and signature, per your policy), checks the trust level against your minimum, asks for missing configuration and starts the server on stdio. ',
      'Replace ',
      h('code', null, example),
      ' with the package name shown on its page; every package page has these lines ready to copy.',
    ),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'cli' },
      h('h2', { id: 'cli' }, 'The mpak CLI'),
      h('p', null, 'Install mpak (Node.js 22 or newer), then point it at this registry if it is not your default.'),
      copyBlock('Install mpak', 'npm install -g mpak'),
      copyBlock('Add this registry', `mpak registry add ${registryName()} ${registryUrl()}`),
      copyBlock('Run a bundle', `mpak bundle run ${example}`),
    ),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'desktop' },
      h('h2', { id: 'desktop' }, 'Claude Desktop'),
      h('p', null, 'Add the server to claude_desktop_config.json (Settings → Developer → Edit Config), then restart Claude Desktop. Or let mpak write the entry:'),
      copyBlock('Let mpak configure Claude Desktop', `mpak bundle install ${example} --client claude-desktop`),
      copyBlock('claude_desktop_config.json', JSON.stringify(desktop, null, 2)),
    ),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'code' },
      h('h2', { id: 'code' }, 'Claude Code'),
      copyBlock('Add the server', `claude mcp add name -- mpak bundle run ${example}`),
      copyBlock('Or let mpak add it', `mpak bundle install ${example} --client claude-code`),
      h('p', null, 'Skills install into ~/.claude/skills, where Claude Code finds them:'),
      copyBlock('Install a skill', `mpak skill install ${example}`),
    ),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'cursor' },
      h('h2', { id: 'cursor' }, 'Cursor'),
      h('p', null, 'Let mpak add the server to ~/.cursor/mcp.json (all projects):'),
      copyBlock('Let mpak configure Cursor', `mpak bundle install ${example} --client cursor`),
      h('p', null, 'Or add it by hand to ~/.cursor/mcp.json, or to .cursor/mcp.json for one project:'),
      copyBlock('.cursor/mcp.json', JSON.stringify(desktop, null, 2)),
    ),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'vscode' },
      h('h2', { id: 'vscode' }, 'VS Code'),
      h('p', null, 'Let mpak add the server to your user-level mcp.json (all workspaces):'),
      copyBlock('Let mpak configure VS Code', `mpak bundle install ${example} --client vscode`),
      h('p', null, 'Or add it to .vscode/mcp.json in one workspace (VS Code uses "servers", not "mcpServers"):'),
      copyBlock('.vscode/mcp.json', JSON.stringify(vscode, null, 2)),
    ),
  );
}

function registryUrl(): string {
  return new URL('.', document.baseURI).href;
}

function registryName(): string {
  return state.index?.snapshot.registry.name ?? 'myregistry';
}
