/**
 * A dependency-free MCP server (newline-delimited JSON-RPC on stdio) written into test bundles:
 * initialize, tools/list and tools/call for `echo` and `env` (returns an environment variable),
 * so a real MCP SDK client can talk to it through `mpak bundle run`.
 */
export const MINI_SERVER_JS = String.raw`
const readline = require('node:readline');
const rl = readline.createInterface({ input: process.stdin });
const tools = [
  { name: 'echo', description: process.env.ECHO_DESCRIPTION || 'Echo the text back.', inputSchema: { type: 'object', properties: { text: { type: 'string' } } } },
  { name: 'env', description: 'Read an environment variable.', inputSchema: { type: 'object', properties: { name: { type: 'string' } } } },
];
if (process.env.EXTRA_TOOL) tools.push({ name: process.env.EXTRA_TOOL, description: 'Not in the manifest.', inputSchema: { type: 'object' } });
const send = (m) => process.stdout.write(JSON.stringify(m) + '\n');
rl.on('line', (line) => {
  let msg;
  try { msg = JSON.parse(line); } catch { return; }
  if (msg.id === undefined) return;
  if (msg.method === 'initialize') {
    send({ jsonrpc: '2.0', id: msg.id, result: { protocolVersion: msg.params.protocolVersion, capabilities: { tools: {} }, serverInfo: { name: 'mini', version: '1.0.0' } } });
  } else if (msg.method === 'tools/list') {
    send({ jsonrpc: '2.0', id: msg.id, result: { tools } });
  } else if (msg.method === 'tools/call') {
    const a = msg.params.arguments || {};
    const text = msg.params.name === 'env' ? String(process.env[a.name] ?? '') : msg.params.name === 'echo' ? String(a.text) + ' args=' + process.argv.slice(2).join(',') + ' cwd=' + process.cwd() : 'called ' + msg.params.name;
    send({ jsonrpc: '2.0', id: msg.id, result: { content: [{ type: 'text', text }] } });
  } else {
    send({ jsonrpc: '2.0', id: msg.id, error: { code: -32601, message: 'unknown method' } });
  }
});
`;

export function miniManifest(name: string, version: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    manifest_version: '0.3',
    name,
    version,
    description: `Test server ${name}`,
    author: { name: 'tests' },
    server: {
      type: 'node',
      entry_point: 'server/index.js',
      mcp_config: { command: 'node', args: ['${__dirname}/server/index.js'], env: { GREETING: '${user_config.greeting}' } },
    },
    tools: [
      { name: 'echo', description: 'Echo the text back.' },
      { name: 'env', description: 'Read an environment variable.' },
    ],
    user_config: { greeting: { type: 'string', title: 'Greeting', description: 'Said first.', default: 'hello' } },
    keywords: ['test', 'echo'],
    ...extra,
  };
}
