/**
 * The compatibility probe corpus of mcpb-format.md §1.5: each case changes a minimal valid
 * manifest of 0.1 (or the first version that has the field). Shared by the acceptance test, the
 * official-validator oracle test and the JSON Schema agreement test.
 */
export type Version = '0.1' | '0.2' | '0.3' | '0.4';

export interface ProbeCase {
  row: number;
  label: string;
  manifest: Record<string, unknown>;
  accept: boolean;
}

export function minimal(version: Version = '0.1'): Record<string, any> {
  return {
    manifest_version: version,
    name: 'probe',
    version: '1.0.0',
    description: 'A probe manifest',
    author: { name: 'Probe Author' },
    server: {
      type: 'node',
      entry_point: 'server/index.js',
      mcp_config: { command: 'node', args: ['${__dirname}/server/index.js'] },
    },
  };
}

function edit(version: Version, change: (m: Record<string, any>) => void): Record<string, any> {
  const m = minimal(version);
  change(m);
  return m;
}

const option = (extra: Record<string, unknown> = {}) => ({ type: 'string', title: 'Opt', description: 'An option', ...extra });

export const PROBE_CORPUS: ProbeCase[] = [
  { row: 1, label: 'minimal 0.1', manifest: minimal('0.1'), accept: true },
  {
    row: 1,
    label: 'dxt_version 0.1 instead',
    manifest: edit('0.1', (m) => {
      delete m.manifest_version;
      m.dxt_version = '0.1';
    }),
    accept: true,
  },
  { row: 2, label: 'no version field', manifest: edit('0.1', (m) => delete m.manifest_version), accept: false },
  { row: 2, label: 'manifest_version as the number 0.3', manifest: edit('0.1', (m) => (m.manifest_version = 0.3)), accept: false },
  { row: 2, label: 'manifest_version "0.5"', manifest: edit('0.1', (m) => (m.manifest_version = '0.5')), accept: false },
  { row: 2, label: 'manifest_version "1.0"', manifest: edit('0.1', (m) => (m.manifest_version = '1.0')), accept: false },
  { row: 2, label: 'manifest_version 0.3 with dxt_version 0.1', manifest: edit('0.3', (m) => (m.dxt_version = '0.1')), accept: false },
  { row: 3, label: 'version "banana"', manifest: edit('0.1', (m) => (m.version = 'banana')), accept: true },
  { row: 3, label: 'empty name', manifest: edit('0.1', (m) => (m.name = '')), accept: true },
  { row: 3, label: 'name "My Ext ✓"', manifest: edit('0.1', (m) => (m.name = 'My Ext ✓')), accept: true },
  { row: 3, label: 'user_config key "my key"', manifest: edit('0.1', (m) => (m.user_config = { 'my key': option() })), accept: true },
  { row: 4, label: 'no author', manifest: edit('0.1', (m) => delete m.author), accept: false },
  { row: 4, label: 'author.email "nope"', manifest: edit('0.1', (m) => (m.author.email = 'nope')), accept: false },
  { row: 4, label: 'author.url "example.com"', manifest: edit('0.1', (m) => (m.author.url = 'example.com')), accept: false },
  { row: 5, label: 'homepage ftp://x.org', manifest: edit('0.1', (m) => (m.homepage = 'ftp://x.org')), accept: true },
  { row: 5, label: 'mcp_config without args', manifest: edit('0.1', (m) => delete m.server.mcp_config.args), accept: true },
  { row: 6, label: 'repository as a string', manifest: edit('0.1', (m) => (m.repository = 'https://github.com/x/y')), accept: false },
  { row: 6, label: 'compatibility.my_client', manifest: edit('0.1', (m) => (m.compatibility = { my_client: '>=1' })), accept: false },
  { row: 6, label: 'compatibility.platforms freebsd', manifest: edit('0.1', (m) => (m.compatibility = { platforms: ['freebsd'] })), accept: false },
  {
    row: 7,
    label: 'platform_overrides keyed freebsd',
    manifest: edit('0.1', (m) => (m.server.mcp_config.platform_overrides = { freebsd: { command: 'node20' } })),
    accept: true,
  },
  {
    row: 7,
    label: 'platform_overrides keyed darwin-arm64',
    manifest: edit('0.1', (m) => (m.server.mcp_config.platform_overrides = { 'darwin-arm64': { args: [] } })),
    accept: true,
  },
  {
    row: 8,
    label: 'override with cwd',
    manifest: edit('0.1', (m) => (m.server.mcp_config.platform_overrides = { linux: { cwd: '/tmp' } })),
    accept: false,
  },
  { row: 8, label: 'mcp_config without command', manifest: edit('0.1', (m) => delete m.server.mcp_config.command), accept: false },
  { row: 8, label: 'number env value', manifest: edit('0.1', (m) => (m.server.mcp_config.env = { PORT: 8080 })), accept: false },
  ...(['0.1', '0.2', '0.3'] as const).map((v) => ({
    row: 9,
    label: `server.type uv in ${v}`,
    manifest: edit(v, (m) => (m.server.type = 'uv')),
    accept: false,
  })),
  {
    row: 9,
    label: 'uv in 0.4 without mcp_config',
    manifest: edit('0.4', (m) => {
      m.server.type = 'uv';
      delete m.server.mcp_config;
    }),
    accept: false,
  },
  { row: 10, label: 'uv in 0.4 with mcp_config', manifest: edit('0.4', (m) => (m.server.type = 'uv')), accept: true },
  {
    row: 11,
    label: 'string option with multiple, min>max, default ["a"]',
    manifest: edit('0.1', (m) => (m.user_config = { s: option({ multiple: true, min: 5, max: 1, default: ['a'] }) })),
    accept: true,
  },
  {
    row: 12,
    label: 'option without title',
    manifest: edit('0.1', (m) => {
      const o: Record<string, unknown> = option();
      delete o.title;
      m.user_config = { k: o };
    }),
    accept: false,
  },
  {
    row: 12,
    label: 'option without description',
    manifest: edit('0.1', (m) => {
      const o: Record<string, unknown> = option();
      delete o.description;
      m.user_config = { k: o };
    }),
    accept: false,
  },
  { row: 12, label: 'type select', manifest: edit('0.1', (m) => (m.user_config = { k: option({ type: 'select' }) })), accept: false },
  { row: 12, label: 'default {}', manifest: edit('0.1', (m) => (m.user_config = { k: option({ default: {} }) })), accept: false },
  { row: 13, label: 'privacy_policies in 0.1', manifest: edit('0.1', (m) => (m.privacy_policies = ['https://x.org/p'])), accept: false },
  { row: 13, label: 'privacy_policies not a url in 0.2', manifest: edit('0.2', (m) => (m.privacy_policies = ['not a url'])), accept: false },
  ...(['0.1', '0.2'] as const).flatMap((v) => [
    { row: 14, label: `icons in ${v}`, manifest: edit(v, (m) => (m.icons = [{ src: 'icon.png', size: '16x16' }])), accept: false },
    { row: 14, label: `_meta in ${v}`, manifest: edit(v, (m) => (m._meta = { 'x.y': {} })), accept: false },
  ]),
  { row: 14, label: 'icons[0].size "16"', manifest: edit('0.3', (m) => (m.icons = [{ src: 'icon.png', size: '16' }])), accept: false },
  {
    row: 14,
    label: 'icons[0].theme ""',
    manifest: edit('0.3', (m) => (m.icons = [{ src: 'icon.png', size: '16x16', theme: '' }])),
    accept: false,
  },
  {
    row: 14,
    label: 'localization without default_locale',
    manifest: edit('0.3', (m) => (m.localization = { resources: 'res/${locale}.json' })),
    accept: false,
  },
  {
    row: 14,
    label: 'default_locale "en_us"',
    manifest: edit('0.3', (m) => (m.localization = { resources: 'res/${locale}.json', default_locale: 'en_us' })),
    accept: false,
  },
  {
    row: 15,
    label: 'resources with ${LOCALE}',
    manifest: edit('0.3', (m) => (m.localization = { resources: 'res/${LOCALE}.json', default_locale: 'en-US' })),
    accept: true,
  },
  { row: 15, label: '_meta {"x.y": {}}', manifest: edit('0.3', (m) => (m._meta = { 'x.y': {} })), accept: true },
  {
    row: 15,
    label: 'nesting under a _meta key',
    manifest: edit('0.3', (m) => (m._meta = { 'x.y': { a: { b: [1, { c: null }] }, d: 'e' } })),
    accept: true,
  },
  { row: 16, label: 'prompt without text', manifest: edit('0.1', (m) => (m.prompts = [{ name: 'p' }])), accept: false },
  {
    row: 16,
    label: 'tool with inputSchema',
    manifest: edit('0.1', (m) => (m.tools = [{ name: 't', inputSchema: { type: 'object' } }])),
    accept: false,
  },
  { row: 16, label: 'tools_generated "yes"', manifest: edit('0.1', (m) => (m.tools_generated = 'yes')), accept: false },
  ...['id', 'scripts', 'permissions'].map((k) => ({
    row: 16,
    label: `extra top-level key ${k}`,
    manifest: edit('0.1', (m) => (m[k] = k === 'id' ? 'x' : {})),
    accept: false,
  })),
  ...([['string', 'str'], ['array', []], ['null', null]] as const).map(([kind, value]) => ({
    row: 16,
    label: `_meta value that is ${kind}`,
    manifest: edit('0.3', (m) => (m._meta = { 'x.y': value })),
    accept: false,
  })),
];

/** Extra edge cases beyond the table, compared against the official validator as an oracle. */
export const EXTRA_CASES: { label: string; manifest: Record<string, unknown> }[] = [
  ...['a@b.co', 'first.last+tag@sub.example.org', ".a@b.co", 'a..b@b.co', 'a.@b.co', 'a@b.c', 'a@-b.co', "o'neil@x.io", 'ü@x.io', 'a@b.co ', 'A@B.CO', 'a@[127.0.0.1]', 'a@b'].map(
    (email) => ({ label: `email ${JSON.stringify(email)}`, manifest: edit('0.1', (m) => (m.author.email = email)) }),
  ),
  ...['https://x', 'mailto:a@b', 'x:', ' http://x.org ', 'http://', 'javascript:alert(1)', 'http://[::1]', 'http://a b', 'urn:isbn:1', '//x.org'].map((u) => ({
    label: `url ${JSON.stringify(u)}`,
    manifest: edit('0.1', (m) => (m.homepage = u)),
  })),
  { label: 'icons in 0.4', manifest: edit('0.4', (m) => (m.icons = [{ src: 'a.png', size: '512x512', theme: 'dark' }])) },
  { label: 'default_locale "zh-Hant-TW"', manifest: edit('0.3', (m) => (m.localization = { resources: '${locale}', default_locale: 'zh-Hant-TW' })) },
  { label: 'default_locale "e"', manifest: edit('0.3', (m) => (m.localization = { resources: '${locale}', default_locale: 'e' })) },
  { label: 'manifest_version 0.2 + dxt_version 0.2', manifest: edit('0.2', (m) => (m.dxt_version = '0.2')) },
  { label: 'manifest_version 7 + dxt_version 0.2', manifest: edit('0.2', (m) => (m.manifest_version = 7, m.dxt_version = '0.2')) },
  { label: 'manifest_version "0.9" + dxt_version 0.2', manifest: edit('0.2', (m) => (m.manifest_version = '0.9', m.dxt_version = '0.2')) },
  { label: 'user_config min as string', manifest: edit('0.1', (m) => (m.user_config = { k: option({ min: '1' }) })) },
  { label: 'user_config default [1]', manifest: edit('0.1', (m) => (m.user_config = { k: option({ default: [1] }) })) },
  { label: 'args with a number', manifest: edit('0.1', (m) => (m.server.mcp_config.args = ['a', 1])) },
  { label: 'env as array', manifest: edit('0.1', (m) => (m.server.mcp_config.env = ['A=1'])) },
  { label: '$schema string', manifest: edit('0.1', (m) => (m.$schema = 'https://x.org/s.json')) },
  { label: '$schema number', manifest: edit('0.1', (m) => (m.$schema = 1)) },
  { label: 'compatibility.runtimes.bun', manifest: edit('0.1', (m) => (m.compatibility = { runtimes: { bun: '1' } })) },
  { label: 'repository object', manifest: edit('0.1', (m) => (m.repository = { type: 'git', url: 'https://github.com/x/y' })) },
  { label: 'prompt arguments numbers', manifest: edit('0.1', (m) => (m.prompts = [{ name: 'p', text: 't', arguments: [1] }])) },
  { label: 'screenshots ok', manifest: edit('0.1', (m) => (m.screenshots = ['a.png'])) },
  { label: 'server.type python', manifest: edit('0.1', (m) => (m.server.type = 'python')) },
  { label: 'server extra key', manifest: edit('0.1', (m) => (m.server.cwd = '.')) },
  { label: 'author extra key', manifest: edit('0.1', (m) => (m.author.twitter = '@x')) },
  { label: '_meta nested non-object', manifest: edit('0.3', (m) => (m._meta = { 'x.y': { a: 'str' } })) },
  { label: '__proto__ key at top', manifest: JSON.parse(JSON.stringify(minimal('0.1')).replace('{', '{"__proto__":{},')) },
];
