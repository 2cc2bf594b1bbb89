import { describe, expect, it } from 'vitest';
import { renderBundleShow, type BundleShowResult } from '../../src/client/show-render.js';
import { versionEntry } from '../registry/fixtures.js';

function result(version = versionEntry('1.2.0')): BundleShowResult {
  return {
    name: '@acme/weather',
    registry: 'acme',
    latest: '1.2.0',
    version,
    versions: [{ version: '1.2.0', status: 'active', publishedAt: '2026-01-02T03:04:05Z', trust: 'L2 60' }],
    maintainers: ['acme-dev'],
    install: { claudeCode: 'claude mcp add weather -- mpak bundle run @acme/weather', claudeDesktop: '{}' },
  };
}

describe('mpak bundle show rendering', () => {
  it('shows per-control findings and reasons, and the long description', () => {
    const base = versionEntry('1.2.0');
    const text = renderBundleShow(
      result({
        ...base,
        manifest: { ...base.manifest, longDescription: '## Setup\nSet the API key.' },
        scan: {
          ...base.scan,
          controls: { 'AI-01': 'pass', 'SC-02': 'fail', 'CQ-06': 'unverified' },
          details: { 'SC-02': { reason: '3 known vulnerabilities in dependencies', findings: { high: 2, low: 1 } }, 'CQ-06': { reason: 'no lockfile' } },
        },
      }),
    );
    const lines = text.split('\n');
    expect(lines).toContain('  SC-02    fail       2 high, 1 low — 3 known vulnerabilities in dependencies');
    expect(lines).toContain('  CQ-06    unverified no lockfile');
    expect(lines).toContain('  AI-01    pass');
    expect(text).toContain('## Setup\nSet the API key.');
  });

  it('renders entries without per-control detail (format 1 data) and strips terminal control sequences', () => {
    const base = versionEntry('1.2.0');
    const text = renderBundleShow(result({ ...base, manifest: { ...base.manifest, description: 'Weather \u001b[2J\u001b]0;pwned\u0007forecasts' } }));
    expect(text).toContain('  AI-01    pass');
    expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    expect(text).toContain('Weather [2J]0;pwnedforecasts');
  });
});
