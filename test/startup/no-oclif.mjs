// Loaded with `node --import` by the startup tests: any attempt to load @oclif/core fails, so a
// command that succeeds under this hook provably ran on a fast path.
import { registerHooks } from 'node:module';

registerHooks({
  resolve(specifier, context, nextResolve) {
    if (specifier === '@oclif/core' || specifier.startsWith('@oclif/core/')) throw new Error('@oclif/core was loaded on a fast path');
    return nextResolve(specifier, context);
  },
});
