import type { ControlDetail, VersionEntry } from '../registry/format.js';

export interface BundleShowResult {
  name: string;
  registry: string;
  latest: string | null;
  version: VersionEntry;
  versions: { version: string; status: string; publishedAt: string; trust: string }[];
  maintainers: string[];
  install: { claudeDesktop: string; claudeCode: string };
}

const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;

/** `  SC-02    fail     2 high, 1 low — 3 known vulnerabilities in dependencies` */
function controlLine(id: string, status: string, detail: ControlDetail | undefined): string {
  const findings = SEVERITIES.filter((k) => (detail?.findings?.[k] ?? 0) > 0)
    .map((k) => `${detail!.findings![k]} ${k}`)
    .join(', ');
  const note = [findings, detail?.reason].filter(Boolean).join(' — ');
  return `  ${id.padEnd(8)} ${status.padEnd(10)} ${note}`.trimEnd();
}

/** The human text of `mpak bundle show` (the command prints it; `--json` returns the result instead). */
export function renderBundleShow(r: BundleShowResult): string {
  const e = r.version;
  const m = e.manifest;
  const lines = [
    `${r.name}@${e.version}${m.displayName ? ` — ${m.displayName}` : ''}  (registry ${r.registry})`,
    m.description,
    ...(m.longDescription ? ['', m.longDescription] : []),
    '',
    `Trust:      ${e.scan.display}${e.scan.degraded ? ' (degraded scan: not a certification)' : ''}  scanner ${e.scan.scannerVersion}`,
    `Findings:   critical ${e.scan.counts.critical}, high ${e.scan.counts.high}, medium ${e.scan.counts.medium}, low ${e.scan.counts.low}`,
    `Signature:  ${e.signature.status}${e.signature.signer ? ` by ${e.signature.signer}` : ''}${e.signature.fingerprint ? ` (${e.signature.fingerprint})` : ''}`,
    `Provenance: ${[e.provenance.repository, e.provenance.commit?.slice(0, 12), e.provenance.workflow].filter(Boolean).join(' ') || 'unknown'}`,
    `Source:     ${m.repository ?? 'not declared'}`,
    `Type:       ${m.serverType ?? '?'}   License: ${m.license ?? '?'}   Status: ${e.status}`,
    ...e.artifacts.map((a) => `File:       ${a.platform ?? 'any platform'}  ${a.size} bytes  sha256 ${a.sha256}`),
    '',
    'Controls:',
    ...Object.entries(e.scan.controls).map(([id, status]) => controlLine(id, status, e.scan.details?.[id])),
    '',
    `Tools (${m.tools.length}):`,
    ...m.tools.map((t) => `  ${t.name}${t.description ? ` — ${t.description}` : ''}`),
    ...(m.prompts.length ? ['', `Prompts (${m.prompts.length}):`, ...m.prompts.map((p) => `  ${p.name}${p.description ? ` — ${p.description}` : ''}`)] : []),
    ...(m.userConfig.length
      ? ['', 'Configuration:', ...m.userConfig.map((u) => `  ${u.key} (${u.type}${u.required ? ', required' : ''}${u.sensitive ? ', sensitive' : ''})${u.title ? ` — ${u.title}` : ''}`)]
      : []),
    '',
    'Versions:',
    ...r.versions.map((v) => `  ${v.version.padEnd(12)} ${v.status.padEnd(10)} ${v.trust.padEnd(6)} ${v.publishedAt.slice(0, 10)}`),
    '',
    'Install:',
    `  Claude Code:    ${r.install.claudeCode}`,
    '  Claude Desktop (claude_desktop_config.json):',
    ...r.install.claudeDesktop.split('\n').map((l) => `    ${l}`),
  ];
  // Registry text is untrusted: no terminal control sequences reach the user's terminal.
  return lines.join('\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '');
}
