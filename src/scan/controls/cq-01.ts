/**
 * CQ-01 Secret Detection (L1): every text file, the manifest and decoded payloads, through the
 * gitleaks-derived rules of analysis/rules/secrets.ts. Secrets are redacted before they reach a
 * finding. Never `skip`: a bundle always has at least its manifest.
 */
import { bundleAnalysis, type SourceFile } from '../analysis/bundle.js';
import { toFinding, type Hit } from '../analysis/hits.js';
import { baseSeverity, findSecrets, KNOWN_TEST_KEYS, privateKeyBodyHash, redact, redactLine, secretDigest, type SecretMatch } from '../analysis/rules/secrets.js';
import type { Control, RawFinding, Severity } from '../types.js';

const LOCKFILE = /(?:^|\/)(?:package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml|poetry\.lock|uv\.lock|Pipfile\.lock|RECORD|requirements[\w.-]*\.txt)$/;
const EXAMPLE = /(?:^|\/)\.env\.(?:example|sample|template)$|\.(?:example|sample|template)$/;

function remediationFor(m: SecretMatch): string {
  if (m.rule.kind === 'private-key') return 'Remove the key from the bundle, rotate it, and load keys at run time from a file path or secret store the user configures.';
  if (m.rule.kind === 'generic') return 'Move the value to a user_config entry (sensitive: true) or an environment variable declared in mcp_config.env; rotate it if it was real.';
  return `Revoke the ${m.rule.title.toLowerCase()} now, remove it from the bundle, and read the credential from user_config (sensitive: true) at run time.`;
}

/** CQ-01 findings for one analysed file (exported for the rule tests). */
export function secretHits(file: SourceFile): { hits: Hit[]; placeholders: number } {
  const providerOnly = LOCKFILE.test(file.path);
  const example = EXAMPLE.test(file.path);
  const matches = findSecrets(file.text, { providerOnly });
  const hits: Hit[] = [];
  let placeholders = 0;
  for (const m of matches) {
    if (m.placeholder) {
      placeholders++;
      continue;
    }
    let severity: Severity = baseSeverity(m);
    let dependencyCap: Severity | null | undefined;
    const details: Record<string, unknown> = { secret_sha256: secretDigest(m.secret), rule_kind: m.rule.kind };
    if (m.rule.kind === 'private-key') {
      dependencyCap = 'HIGH';
      if (KNOWN_TEST_KEYS.has(privateKeyBodyHash(m.secret))) {
        severity = 'LOW';
        details.known_test_key = true;
      }
    } else if (example) severity = severity === 'CRITICAL' || severity === 'HIGH' ? 'MEDIUM' : severity;
    const pos = file.lines.position(m.start);
    const lineStart = m.start - (pos.column - 1);
    const excerpt = redactLine(file.lines.lineText(pos.line), lineStart, matches).trim().slice(0, 200);
    hits.push({
      rule: m.rule.id,
      severity,
      title: m.rule.title,
      description: `${m.rule.title} found in ${file.path}${example ? ' (example file)' : ''}. The value is redacted; secret_sha256 identifies it.`,
      remediation: remediationFor(m),
      start: m.start,
      end: m.end,
      excerpt: m.rule.kind === 'private-key' ? redact(m) : excerpt,
      details,
      dependencyCap,
    });
  }
  // Decoded payloads: re-scan, keep the location of the encoded literal, never show its text.
  for (const s of file.facts?.strings ?? []) {
    if (s.origin !== 'decoded') continue;
    for (const m of findSecrets(s.value, { providerOnly })) {
      if (m.placeholder) {
        placeholders++;
        continue;
      }
      hits.push({
        rule: m.rule.id,
        severity: baseSeverity(m),
        title: `${m.rule.title} (decoded payload)`,
        description: `A constant decoded at scan time (depth ${s.depth}) holds a ${m.rule.title.toLowerCase()}.`,
        remediation: remediationFor(m),
        start: s.start,
        end: s.end,
        excerpt: `[decoded] ${redact(m)}`,
        details: { secret_sha256: secretDigest(m.secret), decoded_depth: s.depth },
        dependencyCap: m.rule.kind === 'private-key' ? 'HIGH' : undefined,
      });
    }
  }
  return { hits, placeholders };
}

export const cq01: Control = {
  id: 'CQ-01',
  name: 'Secret Detection',
  level: 1,
  domain: 'code_quality',
  async evaluate(ctx) {
    const analysis = await bundleAnalysis(ctx);
    const findings: RawFinding[] = [];
    let placeholders = 0;
    let scanned = 0;
    for (const file of analysis.files) {
      scanned++;
      const { hits, placeholders: p } = secretHits(file);
      placeholders += p;
      for (const h of hits) findings.push(toFinding('CQ-01', file, h));
    }
    if (ctx.manifestText !== undefined && !analysis.files.some((f) => f.path === 'manifest.json')) {
      scanned++;
      const { analyseSource } = await import('../analysis/bundle.js');
      const file = await analyseSource({ path: 'manifest.json', text: ctx.manifestText });
      for (const h of secretHits(file).hits) findings.push(toFinding('CQ-01', file, h));
    }
    return {
      status: 'pass',
      reason: `${scanned} text file(s) scanned with ${new Set((await import('../analysis/rules/secrets.js')).SECRET_RULES.map((r) => r.id)).size} rules; ${placeholders} placeholder(s) ignored`,
      findings,
      // The shared parse pass runs inside the first control that needs it (usually this one).
      data: { files_scanned: scanned, placeholders, binary_files: analysis.binary.length, analysis_pass_ms: Math.round(analysis.parseMs) },
    };
  },
};
