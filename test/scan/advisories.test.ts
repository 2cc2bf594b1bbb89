import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { comparePep440 } from '../../src/scan/advisories/pep440.js';
import { cvssBaseScore } from '../../src/scan/advisories/severity.js';
import { control, scan, writeBundle } from './fixtures.js';
import { SHARED } from './schemas.js';

let tmp: { dir: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  tmp = await tempDir('mpak-scan-adv-');
});
afterAll(() => tmp.cleanup());

const osv = (id: string, name: string, ranges: Record<string, string>[][], extra: Record<string, unknown> = {}, ecosystem = 'npm') => ({
  schema_version: '1.6.0',
  id,
  modified: '2026-11-20T00:00:00Z',
  affected: [{ package: { ecosystem, name }, ranges: ranges.map((events) => ({ type: 'ECOSYSTEM', events })) }],
  ...extra,
});

async function advisoryDir(name: string, records: object[]): Promise<string> {
  const dir = join(tmp.dir, name);
  await mkdir(dir, { recursive: true });
  for (const r of records) await writeFile(join(dir, `${(r as any).id}.json`), JSON.stringify(r));
  return dir;
}

/** A bundle vendoring one npm package at a version. */
async function bundleWith(name: string, version: string, ecosystem: 'npm' | 'PyPI' = 'npm'): Promise<string> {
  const dir = join(tmp.dir, `b-${name.replace(/\W/g, '_')}-${version}-${ecosystem}`);
  const files: Record<string, string> =
    ecosystem === 'npm'
      ? { [`node_modules/${name}/package.json`]: JSON.stringify({ name, version, license: 'MIT' }), [`node_modules/${name}/index.js`]: 'module.exports = 1;\n' }
      : { [`server/lib/${name}-${version}.dist-info/METADATA`]: `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\nLicense: MIT\n`, [`server/lib/${name}-${version}.dist-info/RECORD`]: '' };
  return writeBundle(dir, ecosystem === 'PyPI' ? { files, manifest: { ...(await import('./fixtures.js')).baseManifest(), server: { type: 'python', entry_point: 'server/main.py', mcp_config: { command: 'python3', args: ['${__dirname}/server/main.py'] } } } } : { files });
}

async function sc02(bundle: string, advisories: string[], extra: object = {}) {
  const report = await scan(bundle, { advisories, ...extra });
  return { report, c: control(report, 'SC-02') };
}

describe('PEP 440 ordering', () => {
  it('orders epochs, pre, post, dev and local releases', () => {
    const ordered = ['1.0.dev0', '1.0a1', '1.0a2.dev1', '1.0a2', '1.0b1', '1.0rc1', '1.0', '1.0+local.1', '1.0.post1.dev0', '1.0.post1', '1.1', '1!0.5'];
    for (let i = 0; i + 1 < ordered.length; i++) expect(comparePep440(ordered[i]!, ordered[i + 1]!), `${ordered[i]} < ${ordered[i + 1]}`).toBeLessThan(0);
    expect(comparePep440('1.0', '1.0.0')).toBe(0);
    expect(comparePep440('1.0RC1', '1.0c1')).toBe(0);
    expect(comparePep440('2.32.2', '2.32.10')).toBeLessThan(0);
  });
});

describe('CVSS', () => {
  it('computes v3.1 and v4.0 base scores', async () => {
    expect(await cvssBaseScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:H/I:H/A:H')).toBe(9.6);
    expect(await cvssBaseScore('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N')).toBe(9.3);
    expect(await cvssBaseScore('not a vector')).toBeUndefined();
  });
});

describe('SC-02 matching (mtf-controls §10.6)', () => {
  it('mcp-remote: introduced 0.0.5, fixed 0.1.16, CVSS 9.6 → CRITICAL', async () => {
    const dir = await advisoryDir('mcp-remote', [osv('GHSA-6xpm-ggf7-wc3p', 'mcp-remote', [[{ introduced: '0.0.5' }, { fixed: '0.1.16' }]], { severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:H/I:H/A:H' }] })]);
    for (const [v, hit] of [['0.0.4', false], ['0.0.5', true], ['0.1.15', true], ['0.1.16', false]] as const) {
      const { c } = await sc02(await bundleWith('mcp-remote', v), [dir]);
      const f = c.found.filter((x) => x.rule === 'known-vulnerability');
      expect(f.length, v).toBe(hit ? 1 : 0);
      if (hit) expect(f[0]).toMatchObject({ severity: 'CRITICAL', in_dependency: true, blocking: true });
      expect(c.status).toBe(hit ? 'fail' : 'pass');
    }
  });

  it('server-filesystem: last_affected is inclusive, fixed exclusive', async () => {
    const dir = await advisoryDir('fs', [osv('GHSA-hc55-p739-j48w', '@modelcontextprotocol/server-filesystem', [[{ introduced: '0' }, { last_affected: '0.6.2' }], [{ introduced: '2025.1.14' }, { fixed: '2025.7.1' }]], { database_specific: { severity: 'HIGH' } })]);
    const cases: [string, boolean][] = [['0.6.2', true], ['2025.1.14', true], ['2025.7.0', true], ['0.6.3', false], ['2025.1.13', false], ['2025.7.1', false]];
    for (const [v, hit] of cases) {
      const { c } = await sc02(await bundleWith('@modelcontextprotocol/server-filesystem', v), [dir]);
      expect(c.found.some((x) => x.rule === 'known-vulnerability'), v).toBe(hit);
    }
  });

  it('postmark-mcp MAL- advisory is CRITICAL from 1.0.16; withdrawn entries never match', async () => {
    const dir = await advisoryDir('mal', [
      osv('MAL-2025-47604', 'postmark-mcp', [[{ introduced: '1.0.16' }]]),
      osv('GHSA-wwww-wwww-wwww', 'postmark-mcp', [[{ introduced: '0' }]], { withdrawn: '2026-01-01T00:00:00Z' }),
    ]);
    expect((await sc02(await bundleWith('postmark-mcp', '1.0.15'), [dir])).c.found.filter((f) => f.rule !== 'stale-advisories')).toHaveLength(0);
    for (const v of ['1.0.16', '1.0.18']) {
      const { c } = await sc02(await bundleWith('postmark-mcp', v), [dir]);
      expect(c.found.filter((f) => f.rule === 'malicious-package').map((f) => f.severity)).toEqual(['CRITICAL']);
    }
  });

  it('an EPSS/KEV pair moves a 7.5 score between MEDIUM and CRITICAL; VEX downgrades', async () => {
    const dir = await advisoryDir('kev', [osv('GHSA-kkkk-kkkk-kkkk', 'leftish', [[{ introduced: '0' }, { fixed: '2.0.0' }]], { aliases: ['CVE-2026-1111'], severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N' }] })]);
    const bundle = await bundleWith('leftish', '1.0.0');
    const kev = join(tmp.dir, 'kev.json');
    const epss = join(tmp.dir, 'epss.csv');
    const vex = join(tmp.dir, 'vex.json');
    await writeFile(kev, JSON.stringify({ vulnerabilities: [{ cveID: 'CVE-2026-1111' }] }));
    await writeFile(epss, '#model_version:v2025\ncve,epss,percentile\nCVE-2026-1111,0.02,0.40\n');
    await writeFile(vex, JSON.stringify({ '@context': 'https://openvex.dev/ns/v0.2.0', statements: [{ vulnerability: { name: 'CVE-2026-1111' }, products: [{ '@id': 'pkg:npm/leftish@1.0.0' }], status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path' }] }));
    const sev = async (extra: object) => (await sc02(bundle, [dir], extra)).c.found.find((f) => f.rule === 'known-vulnerability')!.severity;
    expect(await sev({})).toBe('HIGH');
    expect(await sev({ epss })).toBe('MEDIUM');
    expect(await sev({ kev })).toBe('CRITICAL');
    expect(await sev({ vex })).toBe('INFO');
    const withKev = await sc02(bundle, [dir], { kev, epss });
    expect(withKev.report.inputs).toMatchObject({ kev: true, epss: true });
  });

  it('matches PyPI names after PEP 503 folding with PEP 440 ranges', async () => {
    const dir = await advisoryDir('pypi', [osv('GHSA-pppp-pppp-pppp', 'Foo.Bar', [[{ introduced: '0' }, { fixed: '2.0rc1' }]], { database_specific: { severity: 'MODERATE' } }, 'PyPI')]);
    const hit = await sc02(await bundleWith('foo_bar', '2.0b3', 'PyPI'), [dir]);
    expect(hit.c.found.find((f) => f.rule === 'known-vulnerability')?.severity).toBe('MEDIUM');
    const clean = await sc02(await bundleWith('foo_bar', '2.0', 'PyPI'), [dir]);
    expect(clean.c.found.some((f) => f.rule === 'known-vulnerability')).toBe(false);
  });

  it('de-duplicates aliases and reports stale data; unverified without a database; error on unreadable data', async () => {
    const a = osv('GHSA-aaaa-aaaa-aaaa', 'dup', [[{ introduced: '0' }]], { aliases: ['CVE-2026-2222'], modified: '2025-01-01T00:00:00Z', database_specific: { severity: 'LOW' } });
    const b = osv('PYSEC-2026-1', 'dup', [[{ introduced: '0' }]], { aliases: ['CVE-2026-2222'], modified: '2025-01-01T00:00:00Z', database_specific: { severity: 'LOW' } });
    const dir = await advisoryDir('dup', [a, b]);
    const bundle = await bundleWith('dup', '1.0.0');
    const { c, report } = await sc02(bundle, [dir]);
    expect(c.found.filter((f) => f.rule === 'known-vulnerability')).toHaveLength(1);
    expect(c.found.some((f) => f.rule === 'stale-advisories' && f.severity === 'MEDIUM')).toBe(true);
    expect(report.inputs.advisories).toEqual({ entries: 2, newest_modified: '2025-01-01T00:00:00Z' });
    const none = await scan(bundle);
    expect(control(none, 'SC-02')).toMatchObject({ status: 'unverified', requires: ['--advisories'] });
    const corrupt = join(tmp.dir, 'corrupt.zip');
    await writeFile(corrupt, 'PK\u0003\u0004 this is not a zip');
    const broken = await scan(bundle, { advisories: [corrupt] });
    expect(control(broken, 'SC-02').status).toBe('error');
    expect(broken.compliance.degraded).toBe(true);
  });

  it('matches the real OSV advisories in shared/data (directory and zip)', async () => {
    const real = join(SHARED, 'data', 'advisories');
    const { c } = await sc02(await bundleWith('ws', '8.17.0'), [real]);
    const f = c.found.find((x) => x.rule === 'known-vulnerability')!;
    expect(f.details).toMatchObject({ advisory_id: 'GHSA-3h5v-q93c-6h6q', package: 'ws', version: '8.17.0', fixed_versions: expect.arrayContaining(['8.17.1']) });
    expect(['HIGH', 'CRITICAL', 'MEDIUM']).toContain(f.severity);
    const clean = await sc02(await bundleWith('ws', '8.17.1'), [real]);
    expect(clean.c.found.some((x) => x.rule === 'known-vulnerability')).toBe(false);
    // The same data as a zip (osv.dev all.zip layout).
    const { writeDeterministicZip } = await import('../../src/archive/index.js');
    const { readdir, readFile } = await import('node:fs/promises');
    const zipPath = join(tmp.dir, 'all.zip');
    const names = (await readdir(real)).filter((n) => n.endsWith('.json'));
    await writeDeterministicZip(await Promise.all(names.map(async (n) => ({ path: n, data: await readFile(join(real, n)), mode: 0o644 }))), zipPath);
    const zipped = await sc02(await bundleWith('ws', '8.17.0'), [zipPath]);
    expect(zipped.c.found.some((x) => x.details.advisory_id === 'GHSA-3h5v-q93c-6h6q')).toBe(true);
    const pyReal = await sc02(await bundleWith('requests', '2.31.0', 'PyPI'), [real]);
    expect(pyReal.c.found.some((x) => x.details.advisory_id === 'GHSA-9wx4-h78v-vm56')).toBe(true);
  });
});
