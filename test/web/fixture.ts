// Registry fixtures for the web page tests and benchmark: source entries (a few hand-written
// packages, or N synthetic ones) built into a published index by the real `initIndex` +
// `buildIndex`, so the page is tested against exactly what `mpak index build` writes.
import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildIndex } from '../../src/registry/build.js';
import type { SourceEntry, VersionEntry } from '../../src/registry/format.js';
import { packageSourcePath } from '../../src/registry/format.js';
import { initIndex } from '../../src/registry/init.js';
import { readIndexSigningKey } from '../../src/registry/keys.js';
import { stableJson } from '../../src/util/canonical-json.js';

export const CONTROL_ORDER = [
  ['AI-01', 1], ['SC-01', 1], ['CQ-01', 1], ['CQ-02', 1], ['CD-01', 1],
  ['AI-02', 2], ['AI-05', 2], ['SC-02', 2], ['SC-03', 2], ['SC-04', 2], ['CQ-03', 2], ['CD-02', 2], ['CD-03', 2], ['PR-01', 2], ['PR-02', 2],
  ['AI-03', 3], ['SC-05', 3], ['CQ-04', 3], ['CQ-05', 3], ['CD-04', 3], ['PR-03', 3], ['PR-05', 3],
  ['AI-04', 4], ['CQ-06', 4], ['PR-04', 4],
] as const;

/** A per-control status map consistent with a level (mtf-controls §3): the first control above it fails. */
export function controlsFor(level: number): { controls: Record<string, 'pass' | 'fail' | 'unverified' | 'skip'>; score: number } {
  const controls: Record<string, 'pass' | 'fail' | 'unverified' | 'skip'> = {};
  let failed = false;
  for (const [id, l] of CONTROL_ORDER) {
    if (l <= level) controls[id] = id === 'CD-04' ? 'skip' : 'pass';
    else if (!failed) {
      controls[id] = 'fail';
      failed = true;
    } else controls[id] = l === 4 ? 'unverified' : 'pass';
  }
  const satisfied = Object.values(controls).filter((s) => s === 'pass' || s === 'skip').length;
  return { controls, score: satisfied * 4 };
}

export interface VersionOptions {
  version: string;
  description: string;
  level?: number;
  serverType?: string | undefined;
  platforms?: string[];
  keywords?: string[];
  publishedAt?: string;
  status?: VersionEntry['status'];
  tools?: Array<{ name: string; description?: string }>;
  repository?: string;
  kind?: 'bundle' | 'skill';
  longDescription?: string;
  details?: VersionEntry['scan']['details'];
}

export function versionEntry(name: string, o: VersionOptions): VersionEntry {
  const level = o.level ?? 2;
  const { controls, score } = controlsFor(level);
  const sha = (seed: string) => Buffer.from(`${name}@${o.version}:${seed}`.padEnd(32, '.')).toString('hex').slice(0, 64).padEnd(64, '0');
  const platforms = o.platforms ?? [];
  const artifacts = (platforms.length ? platforms : [undefined]).map((platform, i) => ({
    url: `https://github.example/${name.slice(1)}/releases/download/v${o.version}/${name.split('/')[1]}-${platform ?? 'any'}.mcpb`,
    sha256: sha(`artifact-${i}`),
    size: 120_000 + i * 1000,
    ...(platform ? { platform } : {}),
  }));
  const repository = o.repository ?? `https://github.com/${name.slice(1).split('/')[0]}/${name.split('/')[1]}`;
  return {
    version: o.version,
    publishedAt: o.publishedAt ?? '2026-10-01T12:00:00Z',
    artifacts,
    manifest: {
      displayName: name.split('/')[1]!.replace(/-/g, ' '),
      description: o.description,
      ...(o.longDescription ? { longDescription: o.longDescription } : {}),
      ...(o.kind === 'skill' ? {} : { serverType: o.serverType ?? 'node' }),
      tools: o.tools ?? (o.kind === 'skill' ? [] : [{ name: 'read_item', description: 'Reads one item.' }]),
      prompts: [],
      userConfig: o.kind === 'skill' ? [] : [{ key: 'api_token', type: 'string', title: 'API token', required: true, sensitive: true }],
      keywords: o.keywords ?? [],
      license: 'MIT',
      repository,
    },
    scan: {
      level,
      score,
      display: `L${level} ${score}`,
      degraded: false,
      controls,
      counts: { critical: 0, high: level < 2 ? 2 : 0, medium: 1, low: 3, info: 5 },
      scannerVersion: '0.1.0',
      ...(o.details ? { details: o.details } : {}),
    },
    signature: level >= 3 ? { status: 'trusted', signer: 'CN=Example Signer', fingerprint: `sha256:${sha('cert')}` } : { status: 'unsigned' },
    provenance: { repository, commit: sha('commit').slice(0, 40), tag: `v${o.version}`, workflow: '.github/workflows/release.yml' },
    status: o.status ?? 'active',
  };
}

/** The hand-written packages of the e2e test: kinds, levels, types, platforms and one hostile description. */
export function samplePackages(): SourceEntry[] {
  const bundle = (name: string, versions: VersionOptions[]): SourceEntry => ({
    kind: 'bundle',
    name,
    claim: { maintainers: ['octo-dev'], repository: `https://github.com/${name.slice(1)}` },
    versions: versions.map((v) => versionEntry(name, v)),
  });
  return [
    bundle('@acme/filesystem', [
      {
        version: '1.2.0',
        level: 3,
        keywords: ['files', 'directories'],
        platforms: ['darwin-arm64', 'linux-x64'],
        description:
          'Secure **filesystem** access for MCP clients.\n\n## Features\n\n- Read and write files inside allowed folders\n- Search by glob\n\nSee [the docs](https://docs.example/fs) or `mpak bundle run @acme/filesystem`.',
        tools: [
          { name: 'read_file', description: 'Reads a file inside an allowed directory.' },
          { name: 'list_directory', description: 'Lists a directory.' },
        ],
        details: {
          'AI-04': { reason: 'Tool descriptions ask the model to <b>ignore</b> earlier instructions.', findings: { high: 2, low: 1 } },
          'AI-03': { reason: 'All 2 tool descriptions checked.' },
        },
      },
      { version: '1.1.0', level: 2, description: 'Filesystem access.', publishedAt: '2026-06-01T00:00:00Z', status: 'deprecated' },
    ]),
    bundle('@acme/postgres-query', [
      {
        version: '0.4.1',
        level: 2,
        serverType: 'python',
        keywords: ['database', 'sql'],
        description: 'Read-only PostgreSQL queries with schema inspection.',
        longDescription: '## Setup\n\nSet `DATABASE_URL`. <script>window.__mpakXss = 4</script> [docs](javascript:window.__mpakXss=5) and [site](https://pg.example/)',
      },
    ]),
    bundle('@weather/forecast', [{ version: '2.0.0', level: 1, serverType: 'binary', platforms: ['win32-x64'], keywords: ['weather'], description: 'Weather forecasts and severe weather alerts.', publishedAt: '2026-11-01T00:00:00Z' }]),
    bundle('@evil/xss-probe', [
      {
        version: '0.0.1',
        level: 0,
        description:
          'Harmless <script>window.__mpakXss = 1</script> text <img src=x onerror="window.__mpakXss = 2"> and [a link](javascript:window.__mpakXss=3) <b>bold?</b>',
      },
    ]),
    {
      kind: 'skill',
      name: '@acme/code-review',
      claim: { maintainers: ['octo-dev'] },
      versions: [versionEntry('@acme/code-review', { version: '1.0.0', kind: 'skill', level: 2, keywords: ['review'], description: 'A skill that reviews pull requests for security issues.' })],
    },
  ];
}

// Synthetic corpus for the benchmark: deterministic (a seeded generator), with a
// realistic vocabulary size so the typo search scans tens of thousands of distinct tokens.
const WORDS = (
  'access account alert analytics api archive audit auth backup bank billing blob browser build cache calendar chart chat ' +
  'check cloud cluster code commit config container content convert cost crawl cron csv dashboard data database deploy ' +
  'design diff dns docker document domain download email embed encrypt event excel export feed file finance firewall ' +
  'fetch form git github gitlab graph health http image inbox index invoice issue jira json kafka kubernetes label lint ' +
  'log mail map markdown media memory metric monitor music network note notion oauth order pdf payment photo pipeline ' +
  'playlist podcast post print project queue redis release report repo resource review rss s3 scan schedule schema ' +
  'search secret sheet shell slack snapshot sql storage stream task template test ticket time todo token trace ' +
  'translate tweet upload user vault video vector weather webhook wiki workflow yaml zip'
).split(' ');
const VERBS = 'reads writes lists searches summarises queries exports imports syncs monitors creates updates deletes tags'.split(' ');

/**
 * `count` synthetic packages. `lean` leaves out tools, user_config and provenance: with them, the
 * builder's catalog.json passes its 16 MiB cap at 10,000 packages (19.3 MB measured), and the
 * page never reads the catalog anyway.
 */
export function syntheticPackages(count: number, options: { lean?: boolean } = {}): SourceEntry[] {
  // mulberry32: 32-bit integer arithmetic, so the sequence never degenerates the way a
  // floating-point LCG does once products pass 2^53.
  let seed = 42;
  const rand = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(list: readonly T[]) => list[Math.floor(rand() * list.length)]!;
  // Invented words make the vocabulary as diverse as real descriptions (product names, jargon).
  const syllables = 'ka lo mi nu pe ra si to vu xe zo bri cla dre fro gli'.split(' ');
  const invented = Array.from({ length: 4000 }, () => pick(syllables) + pick(syllables) + pick(syllables));
  const out: SourceEntry[] = [];
  const seen = new Set<string>();
  const levels = [0, 1, 1, 2, 2, 2, 3, 3, 4];
  const types = ['node', 'node', 'python', 'uv', 'binary'];
  const platforms = [[], [], ['linux-x64', 'darwin-arm64'], ['win32-x64']];
  for (let attempts = 0; out.length < count; attempts++) {
    if (attempts > count * 20) throw new Error(`could not generate ${count} distinct package names`);
    const scope = `org${Math.floor(rand() * 400)}`;
    const bare = `${pick(WORDS)}-${pick(WORDS)}${rand() < 0.5 ? `-${pick(invented)}` : ''}`;
    const name = `@${scope}/${bare}`;
    if (seen.has(name)) continue;
    seen.add(name);
    const words = Array.from({ length: 10 + Math.floor(rand() * 14) }, () => (rand() < 0.3 ? pick(invented) : pick(WORDS)));
    const description = `${pick(VERBS)} ${words.join(' ')}.`.replace(/^./, (c) => c.toUpperCase());
    const kind = rand() < 0.1 ? 'skill' : 'bundle';
    const day = 1 + Math.floor(rand() * 28);
    out.push({
      kind,
      name,
      claim: { maintainers: [scope] },
      versions: [
        lean(options.lean, versionEntry(name, {
          version: `${Math.floor(rand() * 5)}.${Math.floor(rand() * 20)}.${Math.floor(rand() * 10)}`,
          kind,
          description,
          level: pick(levels),
          serverType: kind === 'skill' ? undefined : pick(types),
          platforms: kind === 'skill' ? [] : pick(platforms),
          keywords: [pick(WORDS), pick(WORDS)],
          publishedAt: `2026-${String(1 + Math.floor(rand() * 11)).padStart(2, '0')}-${String(day).padStart(2, '0')}T10:00:00Z`,
        })),
      ],
    });
  }
  return out;
}

function lean(enabled: boolean | undefined, v: VersionEntry): VersionEntry {
  if (!enabled) return v;
  return { ...v, manifest: { ...v.manifest, tools: [], userConfig: [] }, provenance: {}, signature: { status: v.signature.status } };
}

export interface FixtureRegistry {
  source: string;
  dist: string;
}

/**
 * Creates a registry source folder from index-template (the committed web page included),
 * writes the entries, commits them at `committedAt`, and builds the published index into
 * `<root>/dist` with the real builder and a fresh index key.
 */
export async function buildFixtureRegistry(
  root: string,
  templateDir: string,
  entries: SourceEntry[],
  options: { committedAt?: string; expiresDays?: number; title?: string } = {},
): Promise<FixtureRegistry> {
  const source = join(root, 'registry');
  const init = await initIndex({
    dir: source,
    templateDir,
    name: 'fixture',
    title: options.title ?? 'Fixture MCP registry',
    baseUrl: 'http://127.0.0.1/',
    minLevel: 0,
    keysDir: join(root, 'keys'),
    git: false,
  });
  if (options.expiresDays) {
    const config = { ...init.config, expiresDays: options.expiresDays };
    await writeFile(join(source, 'registry.json'), stableJson(config));
  }
  for (const entry of entries) {
    const path = join(source, packageSourcePath(entry.name, entry.kind));
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, stableJson(entry));
  }
  const when = options.committedAt ?? new Date().toISOString();
  const env = { ...process.env, GIT_AUTHOR_DATE: when, GIT_COMMITTER_DATE: when, GIT_AUTHOR_NAME: 'fixture', GIT_AUTHOR_EMAIL: 'fixture@example.com', GIT_COMMITTER_NAME: 'fixture', GIT_COMMITTER_EMAIL: 'fixture@example.com' };
  for (const args of [['init', '-q', '--initial-branch=main'], ['add', '-A'], ['commit', '-q', '-m', 'fixture']]) {
    const r = spawnSync('git', args, { cwd: source, env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr}`);
  }
  const key = await readIndexSigningKey(init.key.path!);
  const dist = join(root, 'dist');
  await buildIndex({ dir: source, outDir: dist, key });
  return { source, dist };
}
