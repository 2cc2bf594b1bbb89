import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { bundleKind, withControlDetails } from '../../src/registry/kinds.js';
import { CONTROL_REASON_MAX, ScanSummary, VersionEntry } from '../../src/registry/format.js';
import { makeBundle } from './bundles.js';
import { versionEntry } from './fixtures.js';

describe('per-control scan detail and long_description', () => {
  let tmp: { dir: string; cleanup: () => Promise<void> };
  beforeAll(async () => {
    tmp = await tempDir();
  });
  afterAll(() => tmp.cleanup());

  it('inspecting a real bundle carries long_description and every control reason; finding counts add up to the totals', async () => {
    const long = '## Usage\n\nAsk for **any city**. <script>alert(1)</script>\n';
    // A fake AWS-style key, made at test time, gives the secrets control a finding.
    const fakeKey = `AKIA${'Q'.repeat(8)}${'7'.repeat(8)}`;
    const file = await makeBundle(join(tmp.dir, 'b'), '@acme/weather', '1.0.0', { long_description: long, description: `Weather forecasts. Key ${fakeKey} for tests.` });
    const inspection = await bundleKind.inspect(file, { now: new Date('2026-02-01T00:00:00Z'), mpakHome: join(tmp.dir, 'home') });
    expect(inspection.manifest.longDescription).toBe(long);
    const scan = ScanSummary.parse(inspection.scan);
    expect(Object.keys(scan.details ?? {}).sort()).toEqual(Object.keys(scan.controls).sort());
    for (const d of Object.values(scan.details!)) expect(d.reason!.length).toBeLessThanOrEqual(CONTROL_REASON_MAX);
    const sums = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
    for (const d of Object.values(scan.details!)) for (const [k, n] of Object.entries(d.findings ?? {})) sums[k as keyof typeof sums] += n;
    expect(sums).toEqual(scan.counts);
    // the entry still parses as a version entry (the new fields are optional additions)
    expect(VersionEntry.safeParse(versionEntry('1.0.0', { manifest: inspection.manifest, scan })).success).toBe(true);
  }, 120_000);

  it('derives reasons (cut at a word) and unsuppressed finding counts from a report', () => {
    const base = versionEntry('1.0.0').scan;
    const out = withControlDetails(base, {
      controls: [
        { id: 'SC-02', status: 'fail', reason: `vulnerable dependencies ${'lodash '.repeat(100)}` },
        { id: 'AI-01', status: 'pass', reason: '' },
      ],
      findings: [
        { control: 'SC-02', severity: 'HIGH', suppressed: false },
        { control: 'SC-02', severity: 'HIGH' },
        { control: 'SC-02', severity: 'LOW' },
        { control: 'SC-02', severity: 'CRITICAL', suppressed: { source: 'inline', reason: 'false positive' } },
      ],
    } as unknown as Parameters<typeof withControlDetails>[1]);
    expect(out.details?.['SC-02']?.findings).toEqual({ high: 2, low: 1 });
    expect(out.details?.['SC-02']?.reason?.endsWith('…')).toBe(true);
    expect(out.details?.['SC-02']?.reason!.length).toBeLessThanOrEqual(CONTROL_REASON_MAX);
    expect(out.details).not.toHaveProperty('AI-01');
    expect(out.controls).toEqual(base.controls);
  });
});
