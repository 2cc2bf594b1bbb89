import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { scanBundleDetailed, summarizeScan, toSarif, evaluateGate } from '../../src/scan/index.js';
import { baseManifest, control, NOW, scan, writeBundle } from './fixtures.js';
import { validators } from './schemas.js';

let tmp: { dir: string; cleanup: () => Promise<void> };
let v: Awaited<ReturnType<typeof validators>>;
beforeAll(async () => {
  tmp = await tempDir('mpak-scan-engine-');
  v = await validators();
});
afterAll(() => tmp.cleanup());

describe('scan engine', () => {
  it('writes a report that validates, with the §7 invariants', async () => {
    const dir = await writeBundle(join(tmp.dir, 'clean'), { contentHashes: true });
    const { report, sbom } = await scanBundleDetailed({ path: dir, now: NOW });
    expect(v.report(report), JSON.stringify(v.report.errors)).toBe(true);
    const c = report.compliance;
    expect(c.passed + c.failed + c.skipped + c.unverified + c.errored).toBe(25);
    expect(c.satisfied).toBe(c.passed + c.skipped);
    expect(c.score).toBe(4 * c.satisfied);
    expect(c.display).toBe(`L${c.level} ${c.score}`);
    expect(report.controls.map((x) => x.id).slice(0, 6)).toEqual(['AI-01', 'AI-02', 'AI-03', 'AI-04', 'AI-05', 'SC-01']);
    for (const ctl of report.controls) {
      if (ctl.status === 'fail') expect(report.findings.some((f) => ctl.findings.includes(f.id) && f.blocking)).toBe(true);
      if (ctl.status === 'unverified' && ctl.id !== 'CQ-06') expect(ctl.requires?.length).toBeGreaterThan(0);
    }
    expect([...report.findings.map((f) => f.id)]).toEqual([...report.findings.map((f) => f.id)].sort());
    expect(report.started_at).toBe(NOW);
    expect(sbom.bomFormat).toBe('CycloneDX');
    expect(sbom.specVersion).toBe('1.6');
    expect(sbom.serialNumber).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
    // Unsigned bundle: AI-03 fails; no attestation: PR-03 fails; no --source: PR-04/05 unverified.
    expect(control(report, 'AI-03').status).toBe('fail');
    expect(control(report, 'PR-05').requires).toEqual(['--source']);
    expect(control(report, 'AI-02').status).toBe('pass');
  });

  it('is deterministic apart from duration_ms', async () => {
    const dir = await writeBundle(join(tmp.dir, 'det'), { contentHashes: true, files: { 'node_modules/left-pad/package.json': '{"name":"left-pad","version":"1.3.0","license":"WTFPL"}', 'node_modules/left-pad/index.js': 'module.exports = (s) => s;\n' } });
    const strip = (r: any) => JSON.stringify({ ...r, duration_ms: 0, controls: r.controls.map((c: any) => ({ ...c, duration_ms: 0 })) });
    const a = await scan(dir);
    const b = await scan(dir);
    expect(strip(a)).toBe(strip(b));
  });

  it('emits SARIF 2.1.0 that validates, with one rule per control and fingerprints', async () => {
    const dir = await writeBundle(join(tmp.dir, 'sarif'));
    const report = await scan(dir);
    const sarif = toSarif(report) as any;
    expect(v.sarif(sarif), JSON.stringify(v.sarif.errors?.slice(0, 3))).toBe(true);
    const run = sarif.runs[0];
    expect(run.tool.driver.rules).toHaveLength(25);
    expect(run.tool.driver.rules[10]).toMatchObject({ id: 'CQ-01', name: 'SecretDetection', defaultConfiguration: { level: 'error' } });
    expect(run.results).toHaveLength(report.findings.length);
    const r0 = run.results[0];
    expect(r0.partialFingerprints['mpak/v1']).toMatch(/^[a-f0-9]{64}$/);
    expect(run.tool.driver.rules[r0.ruleIndex].id).toBe(r0.ruleId);
    expect(run.invocations[0].executionSuccessful).toBe(!report.compliance.degraded);
  });

  it('fails closed when a control throws: error, degraded, never pass', async () => {
    const dir = await writeBundle(join(tmp.dir, 'throws'));
    const { allControls } = await import('../../src/scan/controls/index.js');
    const controls = allControls().map((c) => (c.id === 'AI-01' ? { ...c, evaluate: async () => { throw new Error('parser crash'); } } : c));
    const report = await scan(dir, { controls });
    expect(control(report, 'AI-01').status).toBe('error');
    expect(report.compliance.degraded).toBe(true);
    expect(report.compliance.level).toBe(0);
    expect(evaluateGate(report, { minLevel: 'L1' })!.held).toBe(false);
  });

  it('caps findings in dependency code at MEDIUM and attributes the component', async () => {
    const dir = await writeBundle(join(tmp.dir, 'caps'), {
      files: {
        'node_modules/evil/package.json': '{"name":"evil","version":"1.0.0","license":"MIT"}',
        'node_modules/evil/index.js': 'module.exports = 1;\n',
        'vendor/orphan.js': 'module.exports = 2;\n',
      },
    });
    const report = await scan(dir);
    const unexpected = report.findings.find((f) => f.control === 'AI-05' && f.file === 'vendor/orphan.js');
    // A file in a dependency folder that no component owns is server code: full severity.
    expect(unexpected).toMatchObject({ severity: 'HIGH', in_dependency: false, blocking: true });
    const sbomRow = report.findings.find((f) => f.file?.startsWith('node_modules/evil/'));
    if (sbomRow) expect(sbomRow.in_dependency).toBe(true);
  });

  it('honours inline, bundle-policy and operator-policy suppressions with their limits', async () => {
    const dir = await writeBundle(join(tmp.dir, 'suppress'), {
      files: {
        'scripts/extra.js': '// mpak-ignore: AI-05 kept for the release tooling, reviewed\nmodule.exports = 1;\n',
        'scripts/other.js': '// mpak-ignore: AI-05 short\nmodule.exports = 2;\n',
        '.mpakignore': 'PR-03 * attestation is produced by the registry pipeline\nAI-03 *\n',
      },
    });
    const policy = join(tmp.dir, 'operator.policy');
    await import('node:fs/promises').then((fs) => fs.writeFile(policy, 'AI-03 * signing happens at publication time in our registry\n'));
    const report = await scan(dir, { policy });
    const extra = report.findings.find((f) => f.control === 'AI-05' && f.file === 'scripts/extra.js')!;
    expect(extra.suppressed).toEqual({ source: 'inline', reason: 'kept for the release tooling, reviewed' });
    expect(extra.blocking).toBe(false);
    const other = report.findings.filter((f) => f.file === 'scripts/other.js');
    expect(other.some((f) => f.rule === 'unjustified-suppression' && f.severity === 'LOW')).toBe(true);
    expect(other.some((f) => f.rule === 'unexpected-source' && f.suppressed === null)).toBe(true);
    expect(control(report, 'PR-03').status).toBe('pass');
    expect(report.findings.find((f) => f.control === 'PR-03' && f.rule === 'no-attestation')!.suppressed!.source).toBe('bundle-policy');
    expect(report.findings.find((f) => f.control === 'AI-03' && f.rule === 'unsigned')!.suppressed!.source).toBe('operator-policy');
    expect(report.findings.some((f) => f.control === 'AI-03' && f.rule === 'unjustified-suppression' && f.file === '.mpakignore')).toBe(true);
    const ignored = await scan(dir, { ignoreBundleSuppressions: true });
    expect(control(ignored, 'PR-03').status).toBe('fail');
  });

  it('summarizes a report for registry entries', async () => {
    const dir = await writeBundle(join(tmp.dir, 'summary'));
    const report = await scan(dir);
    const s = summarizeScan(report);
    expect(s.display).toBe(report.compliance.display);
    expect(Object.keys(s.controls)).toHaveLength(25);
    expect(s.counts.high).toBe(report.findings.filter((f) => f.severity === 'HIGH' && !f.suppressed).length);
  });

  it('rejects missing input paths and bad --now with exit-2 errors', async () => {
    const dir = await writeBundle(join(tmp.dir, 'inputs'));
    await expect(scan(dir, { advisories: [join(tmp.dir, 'nope')] })).rejects.toMatchObject({ exitCode: 2 });
    await expect(scan(dir, { now: 'yesterday' })).rejects.toMatchObject({ exitCode: 2 });
    await expect(scan(join(tmp.dir, 'missing-bundle'))).rejects.toMatchObject({ exitCode: 2 });
  });

  it('reads a packed .mcpb through the strict reader with the same verdicts', async () => {
    const dir = await writeBundle(join(tmp.dir, 'packme'), { contentHashes: false });
    const { packBundle } = await import('../../src/archive/index.js');
    const out = join(tmp.dir, 'packme.mcpb');
    const packed = await packBundle({ dir, output: out, cwd: tmp.dir, contentHashes: true });
    const report = await scan(out);
    expect(report.bundle.sha256).toBe(packed.sha256);
    expect(control(report, 'AI-02').status).toBe('pass');
    expect(control(report, 'AI-04').status).toBe('pass');
    const raw = await readFile(out);
    expect(report.bundle.size).toBe(raw.length);
  });

  it('a manifest that does not parse fails AI-01 CRITICAL and dependants with a prerequisite finding', async () => {
    const dir = await writeBundle(join(tmp.dir, 'badjson'), { manifestText: '{"name": "@a/b", "name": "@a/c",' });
    const report = await scan(dir);
    expect(control(report, 'AI-01').found[0]).toMatchObject({ rule: 'invalid-json', severity: 'CRITICAL' });
    expect(control(report, 'PR-01').found[0]).toMatchObject({ title: 'prerequisite failed: AI-01', severity: 'HIGH' });
    expect(report.compliance.level).toBe(0);
  });

  it('duplicate keys are CRITICAL', async () => {
    const text = JSON.stringify(baseManifest()).replace('"version":"1.0.0"', '"version":"1.0.0","version":"9.9.9"');
    const dir = await writeBundle(join(tmp.dir, 'dupkey'), { manifestText: text });
    const report = await scan(dir);
    expect(control(report, 'AI-01').found.some((f) => f.rule === 'duplicate-key' && f.severity === 'CRITICAL')).toBe(true);
  });
});
