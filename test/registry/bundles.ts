import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packBundle } from '../../src/archive/index.js';

/** Packs a small, clean node bundle named `name`@`version` into `dir`; returns the .mcpb path. */
export async function makeBundle(dir: string, name: string, version: string, extra: Record<string, unknown> = {}): Promise<string> {
  await mkdir(dir, { recursive: true });
  const src = join(dir, `src-${name.replace(/[@/]/g, '_')}-${version}`);
  await mkdir(join(src, 'server'), { recursive: true });
  await writeFile(
    join(src, 'manifest.json'),
    JSON.stringify({
      manifest_version: '0.3',
      name,
      version,
      display_name: 'Weather',
      description: 'Weather forecasts for a city, read from a public service and returned as plain text for the model.',
      author: { name: 'Acme' },
      license: 'MIT',
      keywords: ['weather'],
      repository: { type: 'git', url: 'https://github.com/acme/weather-mcp' },
      server: { type: 'node', entry_point: 'server/index.js', mcp_config: { command: 'node', args: ['${__dirname}/server/index.js'] } },
      tools: [{ name: 'get_forecast', description: 'Forecast for a city' }],
      user_config: { units: { type: 'string', title: 'Units', description: 'metric or imperial', required: false } },
      ...extra,
    }),
  );
  await writeFile(join(src, 'server', 'index.js'), `// ${name} ${version}\nprocess.stdin.resume();\n`);
  const out = join(dir, `${name.replace(/[@/]/g, '_')}-${version}.mcpb`);
  await packBundle({ dir: src, output: out, cwd: dir, sourceDateEpoch: 1_700_000_000 });
  return out;
}
