import { CATALOGUE } from './catalogue.js';
import type { ScanReport } from './engine/report-types.js';

const LEVEL = { CRITICAL: 'error', HIGH: 'error', MEDIUM: 'warning', LOW: 'note', INFO: 'note' } as const;

/**
 * The SARIF 2.1.0 document of §8: one run, one rule per control, one result per finding with
 * `partialFingerprints["mpak/v1"]`, suppressions, and the compliance summary in run properties.
 * What GitHub code scanning reads: rules with ids, results with ruleId/level/locations.
 */
export function toSarif(report: ScanReport): Record<string, unknown> {
  const ruleIndex = new Map(CATALOGUE.map((c, i) => [c.id, i]));
  const rules = CATALOGUE.map((c) => ({
    id: c.id,
    name: c.sarifName,
    shortDescription: { text: c.name },
    fullDescription: { text: c.summary },
    helpUri: 'https://github.com/mpak-dev/mpak/blob/main/docs/mtf-controls.md',
    defaultConfiguration: { level: 'error' },
    properties: { level: `L${c.level}`, domain: c.domain, tags: ['security', 'mtf'] },
  }));
  const results = report.findings.map((f) => {
    const text = [f.title, f.description, f.remediation ? `Remediation: ${f.remediation}` : ''].filter(Boolean).join('\n\n');
    const region =
      f.file && f.file !== 'manifest.json' && f.line !== undefined
        ? { startLine: f.line, ...(f.column !== undefined ? { startColumn: f.column } : {}), ...(f.end_line !== undefined && f.end_line >= f.line ? { endLine: f.end_line } : {}) }
        : undefined;
    return {
      ruleId: f.control,
      ruleIndex: ruleIndex.get(f.control)!,
      level: LEVEL[f.severity],
      message: { text },
      ...(f.file
        ? { locations: [{ physicalLocation: { artifactLocation: { uri: f.file, uriBaseId: 'BUNDLEROOT' }, ...(region ? { region } : {}) } }] }
        : {}),
      partialFingerprints: { 'mpak/v1': f.fingerprint },
      ...(f.suppressed
        ? { suppressions: [{ kind: f.suppressed.source === 'inline' ? 'inSource' : 'external', justification: f.suppressed.reason }] }
        : {}),
      properties: { severity: f.severity, rule: f.rule, finding_id: f.id, component: f.component ?? null, in_dependency: f.in_dependency },
    };
  });
  const notifications = report.controls
    .filter((c) => c.status === 'error' || c.errors.length)
    .map((c) => ({ level: 'error', message: { text: `${c.id} ${c.name}: ${c.reason}${c.errors.length ? ` (${c.errors.join('; ')})` : ''}` }, descriptor: { id: c.id } }));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'mpak', version: report.scanner.version, informationUri: 'https://github.com/mpak-dev/mpak', rules } },
        originalUriBaseIds: { BUNDLEROOT: { description: { text: `The extracted root of bundle ${report.bundle.name}@${report.bundle.version} (sha256 ${report.bundle.sha256}).` } } },
        invocations: [{ executionSuccessful: !report.compliance.degraded, toolExecutionNotifications: notifications }],
        results,
        properties: {
          mpak: {
            compliance: report.compliance,
            risk: report.risk,
            controls: Object.fromEntries(report.controls.map((c) => [c.id, c.status])),
          },
        },
      },
    ],
  };
}
