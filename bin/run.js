#!/usr/bin/env node
// mpak entry point: oclif reads oclif.manifest.json so startup does not load every command.
// `mpak search` / `mpak bundle search` first try a fast path that does not load oclif at all
// (dist/src/client/search-cli.js); anything it does not fully handle falls through to oclif.
const argv = process.argv.slice(2);
let handled = false;
if (argv[0] === 'search' || (argv[0] === 'bundle' && argv[1] === 'search')) {
  const { fastSearch } = await import('../dist/src/client/search-cli.js').catch(() => ({ fastSearch: async () => undefined }));
  const out = await fastSearch(argv, process.env, process.stdout.columns);
  if (out) {
    process.stderr.write(out.stderr);
    process.stdout.write(out.stdout);
    process.exitCode = out.exitCode;
    handled = true;
  }
}
if (!handled) {
  const { execute } = await import('@oclif/core');
  await execute({ dir: import.meta.url });
}
