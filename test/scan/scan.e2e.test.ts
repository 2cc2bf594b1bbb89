import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';
import { writeBundle } from './fixtures.js';
import { SHARED, validators } from './schemas.js';

let tmp: { dir: string; cleanup: () => Promise<void> };
let bundle: string;
let vulnerable: string;
const env = () => ({ MPAK_HOME: join(tmp.dir, 'home') });
beforeAll(async () => {
  tmp = await tempDir('mpak-scan-e2e-');
  bundle = await writeBundle(join(tmp.dir, 'ok'), { contentHashes: true });
  vulnerable = await writeBundle(join(tmp.dir, 'vuln'), {
    files: { 'node_modules/ws/package.json': '{"name":"ws","version":"8.17.0","license":"MIT"}', 'node_modules/ws/index.js': 'module.exports = 1;\n' },
  });
});
afterAll(() => tmp.cleanup());

describe('mpak bundle scan (e2e)', () => {
  it('exit 0 without a gate, 1 when --min-level is not met, with the report still written', async () => {
    const ok = await runCli(['bundle', 'scan', bundle, '--now', '2026-11-29T12:00:00Z'], { env: env() });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/@acme\/hello@1\.0\.0 {2}L\d \d+/);
    expect(ok.stdout).toMatch(/AI-01 {2}L1 {2}Manifest Validation/);
    const out = join(tmp.dir, 'report.json');
    const gated = await runCli(['bundle', 'scan', bundle, '--min-level', 'L3', '-o', out, '--now', '2026-11-29T12:00:00Z'], { env: env() });
    expect(gated.code).toBe(1);
    expect(gated.stderr).toMatch(/Gate failed/);
    const report = JSON.parse(await readFile(out, 'utf8'));
    const v = await validators();
    expect(v.report(report), JSON.stringify(v.report.errors)).toBe(true);
    expect(report.gate).toMatchObject({ min_level: 3, held: false });
  });

  it('--json returns the report with the gate; --fail-on counts unsuppressed findings', async () => {
    const r = await runCli(['bundle', 'scan', bundle, '--json', '--fail-on', 'HIGH', '--now', '2026-11-29T12:00:00Z'], { env: env() });
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.schema_version).toBe('1.0.0');
    expect(report.gate.fail_on).toBe('high');
    const l0 = await runCli(['bundle', 'scan', bundle, '--json', '--min-level', '0'], { env: env() });
    expect(l0.code).toBe(0);
  });

  it('--format sarif, --sbom and SC-02 with --advisories', async () => {
    const sbom = join(tmp.dir, 'sbom.cdx.json');
    const r = await runCli(['bundle', 'scan', vulnerable, '--format', 'sarif', '--sbom', sbom, '--advisories', join(SHARED, 'data', 'advisories'), '--now', '2026-11-29T12:00:00Z'], { env: env() });
    expect(r.code).toBe(0);
    const sarif = JSON.parse(r.stdout);
    const v = await validators();
    expect(v.sarif(sarif)).toBe(true);
    expect(sarif.runs[0].results.some((x: any) => x.ruleId === 'SC-02' && x.properties.rule === 'known-vulnerability')).toBe(true);
    const doc = JSON.parse(await readFile(sbom, 'utf8'));
    expect(doc.specVersion).toBe('1.6');
    expect(doc.components.map((c: any) => c.purl)).toContain('pkg:npm/ws@8.17.0');
  });

  it('exit 2 on bad input: missing bundle, missing --advisories path, bad level, no manifest', async () => {
    expect((await runCli(['bundle', 'scan', join(tmp.dir, 'missing.mcpb')], { env: env() })).code).toBe(2);
    expect((await runCli(['bundle', 'scan', bundle, '--advisories', join(tmp.dir, 'nope')], { env: env() })).code).toBe(2);
    expect((await runCli(['bundle', 'scan', bundle, '--min-level', 'L9'], { env: env() })).code).toBe(2);
    expect((await runCli(['bundle', 'scan', join(SHARED, 'data')], { env: env() })).code).toBe(2);
  });
});

describe('mpak advisories sync (e2e)', () => {
  it('stores a verified snapshot from a folder and from a local HTTP server, used by scan by default', async () => {
    const home = join(tmp.dir, 'sync-home');
    const fromDir = await runCli(['advisories', 'sync', '--from', join(SHARED, 'data', 'advisories'), '--json'], { env: { MPAK_HOME: home } });
    expect(fromDir.code).toBe(0);
    const res = JSON.parse(fromDir.stdout);
    expect(res.entries).toBe(22);
    const scanned = await runCli(['bundle', 'scan', vulnerable, '--json', '--now', '2026-11-29T12:00:00Z'], { env: { MPAK_HOME: home } });
    const report = JSON.parse(scanned.stdout);
    expect(report.inputs.advisories.entries).toBe(22);
    expect(report.findings.some((f: any) => f.details?.advisory_id === 'GHSA-3h5v-q93c-6h6q')).toBe(true);

    const mcpData = join(SHARED, 'data', 'advisories-mcp', 'GHSA-5cgr-j3jf-jw3v.json');
    const body = await readFile(mcpData);
    const server = createServer((req, res) => {
      if (req.url === '/osv.json') res.writeHead(200, { 'content-type': 'application/json' }).end(body);
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as any).port;
    try {
      const fromUrl = await runCli(['advisories', 'sync', '--from', `http://127.0.0.1:${port}/osv.json`, '--json'], { env: { MPAK_HOME: home } });
      expect(fromUrl.code).toBe(0);
      expect(JSON.parse(fromUrl.stdout).entries).toBe(1);
      const missing = await runCli(['advisories', 'sync', '--from', `http://127.0.0.1:${port}/missing.zip`], { env: { MPAK_HOME: home } });
      expect(missing.code).toBe(3);
      // A failed sync keeps the previous snapshot.
      const snap = JSON.parse(await readFile(join(home, 'advisories', 'current', 'snapshot.json'), 'utf8'));
      expect(snap.entries).toBe(1);
    } finally {
      server.close();
    }
  });
});
