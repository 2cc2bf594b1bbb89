#!/usr/bin/env node
// mpak entry point. Loading @oclif/core alone costs about three times a bare `node -e 0`, so the
// commands where start-up time matters answer without it when their arguments are plain and fully
// understood; anything else (help, other flags, errors, cache misses) falls through to oclif, which
// reads oclif.manifest.json so startup does not load every command. MPAK_NO_FAST_PATH=1 forces oclif.
//   --version (and oclif.additionalVersionFlags): the same user agent line oclif prints.
//   search / bundle search: dist/src/client/search-cli.js.
//   bundle run of a cached bundle: dist/src/run/run-cli.js.
import { existsSync, readFileSync } from 'node:fs';
import { arch, platform, release } from 'node:os';

const argv = process.argv.slice(2);
const fast = process.env.MPAK_NO_FAST_PATH !== '1';
let handled = false;

function readPackageJson() {
  return JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
}

/** oclif's platform string, unless this may be WSL (oclif then says `wsl`: let it answer). */
function plainPlatform() {
  const p = platform();
  if (p !== 'linux') return p;
  if (release().toLowerCase().includes('microsoft')) return undefined;
  try {
    if (readFileSync('/proc/version', 'utf8').toLowerCase().includes('microsoft')) return undefined;
  } catch {
    // no /proc/version: like is-wsl, keep looking
  }
  if (existsSync('/proc/sys/fs/binfmt_misc/WSLInterop') || existsSync('/run/WSL')) return undefined;
  return p;
}

if (fast && argv.length > 0 && (argv[0] === '--version' || argv[0] === '-v' || argv[0] === 'version')) {
  const pjson = readPackageJson();
  const flags = new Set(['--version', ...(pjson.oclif?.additionalVersionFlags ?? [])]);
  const os = plainPlatform();
  if (flags.has(argv[0]) && os) {
    const cpu = arch() === 'ia32' ? 'x86' : arch();
    process.stdout.write(`${pjson.name}/${pjson.version || '0.0.0'} ${os}-${cpu} node-${process.version}\n`);
    handled = true;
  }
}
if (fast && !handled && (argv[0] === 'search' || (argv[0] === 'bundle' && argv[1] === 'search'))) {
  const { fastSearch } = await import('../dist/src/client/search-cli.js').catch(() => ({ fastSearch: async () => undefined }));
  const out = await fastSearch(argv, process.env, process.stdout.columns);
  if (out) {
    process.stderr.write(out.stderr);
    process.stdout.write(out.stdout);
    process.exitCode = out.exitCode;
    handled = true;
  }
}
if (fast && !handled && argv[0] === 'bundle' && argv[1] === 'run') {
  const { fastRun } = await import('../dist/src/run/run-cli.js').catch(() => ({ fastRun: async () => undefined }));
  const code = await fastRun(argv, {
    env: process.env,
    cwd: process.cwd(),
    version: readPackageJson().version,
    stderr: (text) => process.stderr.write(text),
  });
  if (code !== undefined) {
    process.exitCode = code;
    handled = true;
  }
}
if (!handled) {
  const { execute } = await import('@oclif/core');
  await execute({ dir: import.meta.url });
}
