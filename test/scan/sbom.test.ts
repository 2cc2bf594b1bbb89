import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { scanBundleDetailed } from '../../src/scan/index.js';
import { NOW, writeBundle } from './fixtures.js';

let tmp: { dir: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  tmp = await tempDir('mpak-scan-sbom-');
});
afterAll(() => tmp.cleanup());

describe('SC-01 SBOM (CycloneDX 1.6)', () => {
  it('lists npm and PyPI components with purls, licences, hashes, evidence and dependencies', async () => {
    const integrity = createHash('sha512').update('tarball').digest();
    const dir = await writeBundle(join(tmp.dir, 'sbom'), {
      files: {
        '.mcpbignore': '!package-lock.json\n',
        'node_modules/@scope/lib/package.json': JSON.stringify({ name: '@scope/lib', version: '1.2.3', license: 'MIT', dependencies: { tiny: '^1.0.0' } }),
        'node_modules/@scope/lib/index.js': 'module.exports = require("tiny");\n',
        'node_modules/tiny/package.json': JSON.stringify({ name: 'tiny', version: '1.0.0', license: 'Apache-2.0 OR MIT' }),
        'node_modules/tiny/index.js': 'module.exports = 1;\n',
        'package-lock.json': JSON.stringify({ lockfileVersion: 3, packages: { '': {}, 'node_modules/@scope/lib': { version: '1.2.3', integrity: `sha512-${integrity.toString('base64')}` }, 'node_modules/tiny': { version: '1.0.0' } } }),
        'lib/Foo_Bar-2.0.dist-info/METADATA': 'Metadata-Version: 2.1\nName: Foo_Bar\nVersion: 2.0\nLicense-Expression: BSD-3-Clause\n',
        'lib/Foo_Bar-2.0.dist-info/RECORD': 'foo_bar/__init__.py,,\n',
        'lib/foo_bar/__init__.py': '\n',
      },
    });
    const { report, sbom } = await scanBundleDetailed({ path: dir, now: NOW });
    expect(report.sbom).toMatchObject({ format: 'CycloneDX', spec_version: '1.6', component_count: 3, by_ecosystem: { npm: 2, PyPI: 1 } });
    expect(sbom.metadata.component).toMatchObject({ type: 'application', name: '@acme/hello', version: '1.0.0' });
    expect(sbom.metadata.tools.components[0].name).toBe('mpak');
    const byPurl = Object.fromEntries(sbom.components.map((c: any) => [c.purl, c]));
    const scoped = byPurl['pkg:npm/%40scope/lib@1.2.3'];
    expect(scoped).toMatchObject({ type: 'library', group: '@scope', name: 'lib', 'bom-ref': 'pkg:npm/%40scope/lib@1.2.3' });
    expect(scoped.hashes).toEqual([{ alg: 'SHA-512', content: integrity.toString('hex') }]);
    expect(scoped.licenses).toEqual([{ license: { id: 'MIT' } }]);
    expect(scoped.evidence.occurrences).toEqual([{ location: 'node_modules/@scope/lib' }]);
    const tiny = byPurl['pkg:npm/tiny@1.0.0'];
    expect(tiny.licenses).toEqual([{ expression: 'Apache-2.0 OR MIT' }]);
    expect(tiny.properties).toContainEqual({ name: 'mpak:hash-basis', value: 'files' });
    expect(byPurl['pkg:pypi/foo-bar@2.0'].licenses).toEqual([{ expression: 'BSD-3-Clause' }]);
    const deps = Object.fromEntries(sbom.dependencies.map((d: any) => [d.ref, d.dependsOn]));
    expect(deps['pkg:npm/%40scope/lib@1.2.3']).toEqual(['pkg:npm/tiny@1.0.0']);
    expect(deps['pkg:npm/tiny@1.0.0']).toEqual([]);
    // Files of owned packages are dependency code attributed to their component.
    expect(report.controls.find((c) => c.id === 'SC-01')!.status).toBe('pass');
  });
});
