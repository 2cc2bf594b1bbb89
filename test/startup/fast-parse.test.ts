import { describe, expect, it } from 'vitest';
import { parseRefLight } from '../../src/client/resolve-cached.js';
import { isMpakError } from '../../src/errors.js';
import { parsePackageRef } from '../../src/registry/format.js';
import { parseFastRunArgs } from '../../src/run/run-cli.js';

describe('parseRefLight (the zod-free ref parser of the run fast path)', () => {
  const specs = [
    '@acme/weather',
    '@Acme/Weather@1.2.3',
    '@acme/weather@v1.2.3',
    '@acme/weather@latest',
    '@acme/weather@^1.2',
    '@acme/weather@~1.2.3',
    '@acme/weather@>=1 <2',
    '@acme/weather@1.2.3-beta.1',
    '@acme/weather@1.2.3+build.5',
    '@acme/weather@1.x',
    '@acme/weather@',
    '@acme/weather@ ',
    '@acme/weather@not a range',
    'acme/weather',
    '@acme',
    '@a/b/c',
    `@acme/${'x'.repeat(130)}`,
  ];
  for (const spec of specs) {
    it(`agrees with parsePackageRef on ${JSON.stringify(spec)}`, async () => {
      let full;
      try {
        full = parsePackageRef(spec);
      } catch (err) {
        expect(isMpakError(err) && err.code).toBe('PACKAGE_SPEC_INVALID');
      }
      expect(await parseRefLight(spec)).toEqual(full);
    });
  }
});

describe('parseFastRunArgs', () => {
  it('takes plain runs with --offline, --force, --min-level and args after --', () => {
    expect(parseFastRunArgs(['bundle', 'run', '@a/b', '--offline', '--min-level=L3', '--force', '--', '--x', 'y'])).toEqual({
      ref: '@a/b',
      offline: true,
      force: true,
      minLevel: 'L3',
      extraArgs: ['--x', 'y'],
    });
    expect(parseFastRunArgs(['bundle', 'run', '--min-level', 'L0', './dir'])).toMatchObject({ ref: './dir', minLevel: 'L0', extraArgs: [] });
  });

  it('leaves everything else to oclif', () => {
    for (const argv of [
      ['bundle', 'run'],
      ['bundle', 'run', '@a/b', '--guard'],
      ['bundle', 'run', '@a/b', '--guard=strict'],
      ['bundle', 'run', '@a/b', '-c', 'k=v'],
      ['bundle', 'run', '@a/b', '--config=k=v'],
      ['bundle', 'run', '@a/b', '--min-level', 'L5'],
      ['bundle', 'run', '@a/b', '--min-level'],
      ['bundle', 'run', '@a/b', '--help'],
      ['bundle', 'run', '@a/b', '--debug'],
      ['bundle', 'run', '@a/b', '--allow-expired'],
      ['bundle', 'run', '@a/b', 'extra'],
      ['bundle', 'run', '--', '@a/b'],
      ['bundle', 'pull', '@a/b'],
    ]) {
      expect(parseFastRunArgs(argv), argv.join(' ')).toBeUndefined();
    }
  });
});
