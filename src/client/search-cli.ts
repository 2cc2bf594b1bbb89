import { mpakPaths } from '../config/paths.js';
import { makeClientContext } from './context.js';
import { activeRegistries } from './registries.js';
import { formatSearchTable, searchRegistries, type SearchResult } from './search.js';

/**
 * The fast path of `mpak search` / `mpak bundle search`: loading @oclif/core alone costs about
 * three times a bare `node -e 0`, so bin/run.js hands plain searches here and only falls back to
 * oclif for anything this parser does not fully understand (help, unknown or invalid flags,
 * errors), which then renders exactly as usual. Returns what to print instead of printing.
 */
export interface FastOutput {
  stdout: string;
  stderr: string;
  exitCode: number;
  result: SearchResult;
}

const TYPES = ['node', 'python', 'binary', 'uv'];
const LEVELS = ['L0', 'L1', 'L2', 'L3', 'L4'];

interface Parsed {
  kind?: 'bundle';
  query: string;
  json: boolean;
  type?: string;
  minLevel?: string;
  limit: number;
}

/** Parses exactly the flags the oclif commands declare; undefined = let oclif handle it. */
export function parseFastSearchArgs(argv: string[]): Parsed | undefined {
  let rest: string[];
  let kind: 'bundle' | undefined;
  if (argv[0] === 'search') rest = argv.slice(1);
  else if (argv[0] === 'bundle' && argv[1] === 'search') {
    rest = argv.slice(2);
    kind = 'bundle';
  } else return undefined;
  const parsed: Parsed = { kind, query: '', json: false, limit: 50 };
  let query: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') ? (eq > 0 ? arg.slice(0, eq) : arg) : undefined;
    const value = () => (eq > 0 ? arg.slice(eq + 1) : rest[++i]);
    if (name === '--json' && eq < 0) parsed.json = true;
    else if (name === '--type') {
      const v = value();
      if (v === undefined || !TYPES.includes(v)) return undefined;
      parsed.type = v;
    } else if (name === '--min-level') {
      const v = value();
      if (v === undefined || !LEVELS.includes(v)) return undefined;
      parsed.minLevel = v;
    } else if (name === '--limit') {
      const v = value();
      if (v === undefined || !/^[1-9]\d*$/.test(v)) return undefined;
      parsed.limit = Number(v);
    } else if (arg.startsWith('-')) return undefined;
    else if (query === undefined) query = arg;
    else return undefined;
  }
  parsed.query = query ?? '';
  return parsed;
}

export async function fastSearch(argv: string[], env: Record<string, string | undefined>, columns?: number): Promise<FastOutput | undefined> {
  const parsed = parseFastSearchArgs(argv);
  if (!parsed) return undefined;
  try {
    const ctx = makeClientContext({ env, paths: mpakPaths(env) });
    const registries = await activeRegistries(ctx);
    const result = await searchRegistries(ctx, registries, {
      query: parsed.query,
      kind: parsed.kind,
      type: parsed.type,
      minLevel: parsed.minLevel ? Number(parsed.minLevel.slice(1)) : undefined,
      limit: parsed.limit,
    });
    let stderr = '';
    if (registries.length === 0) stderr += 'No registry configured. Add one: mpak registry add <name> <url>\n';
    for (const name of result.uncached) stderr += `Warning: registry ${name} has no cached index; run: mpak registry update\n`;
    let stdout = '';
    if (parsed.json) stdout = `${JSON.stringify(result, null, 2)}\n`;
    else if (result.hits.length === 0) stderr += `No results for ${JSON.stringify(parsed.query)}.\n`;
    else stdout = `${formatSearchTable(result.hits, { showKind: !parsed.kind, width: columns || 160 })}\n`;
    return { stdout, stderr, exitCode: 0, result };
  } catch {
    // Any error (a corrupted config, an unreadable cache) is rendered by the oclif command.
    return undefined;
  }
}
