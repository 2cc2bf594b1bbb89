import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { inputError } from '../../errors.js';
import { canonicalJson } from '../../util/canonical-json.js';
import { bundleAnalysis } from '../analysis/bundle.js';
import { parallelAnalysisAvailable } from '../analysis/pool.js';
import { allControls } from '../controls/index.js';
import { buildCycloneDx } from '../sbom/cyclonedx.js';
import { buildInventory, type Inventory } from '../sbom/inventory.js';
import type { Control, ControlId, ControlResult, Finding, RawFinding, ScanContext, ScanFile, ScanInputs } from '../types.js';
import { computeCompliance, computeRisk } from './compliance.js';
import { buildScanFiles } from './files.js';
import { finalizeFindings } from './findings.js';
import { loadBundle } from './load.js';
import { INVENTORY_KEY } from './scan-keys.js';
import { scannerVersion } from './scan-version.js';
import { checkManifest } from './manifest.js';
import type { ReportControl, ScanReport } from './report-types.js';
import { inlineSuppressions, policySuppressions, type SuppressionRule } from './suppress.js';

export const RULES_VERSION = '2026.1';
/** The controls that read the shared analysis pass (analysis/bundle.ts). */
const ANALYSIS_CONTROLS = new Set<string>(['CQ-01', 'CQ-02', 'CQ-03', 'CQ-04', 'CQ-05', 'CD-01', 'CD-02', 'CD-03', 'CD-04']);
export { INVENTORY_KEY };

export interface ScanOptions {
  /** A `.mcpb` file or a bundle folder. */
  path: string;
  advisories?: string[];
  kev?: string;
  epss?: string;
  vex?: string;
  trust?: string[];
  attestation?: string;
  trustedBuilders?: string[];
  source?: string;
  allowSources?: string[];
  run?: boolean;
  policy?: string;
  ignoreBundleSuppressions?: boolean;
  /** Fixed clock (`--now`): a Date or an RFC 3339 string. */
  now?: Date | string;
  /** MPAK_HOME: the synced advisory snapshot and the trust store live there. */
  mpakHome?: string;
  /** Replace the control set (tests, and the skill profile of src/skills/scan.ts). */
  controls?: Control[];
  /** What is scanned: a bundle (manifest.json at the root, default) or a skill (SKILL.md at the root). */
  kind?: 'bundle' | 'skill';
}

export interface ScanOutcome {
  report: ScanReport;
  /** The CycloneDX 1.6 document summarised in `report.sbom`. */
  sbom: Record<string, any>;
}

export { scannerVersion };

async function mustExist(path: string | undefined, flag: string): Promise<void> {
  if (path === undefined) return;
  const ok = await stat(path).then(() => true, () => false);
  if (!ok) throw inputError('SCAN_INPUT_MISSING', `${flag} ${path}: no such file or directory`, { suggestions: [`Check the path given to ${flag}.`] });
}

function parseNow(now: Date | string | undefined): Date {
  if (now === undefined) return new Date();
  if (now instanceof Date) return now;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/i.test(now) || Number.isNaN(Date.parse(now))) {
    throw inputError('SCAN_BAD_NOW', `--now ${now} is not an RFC 3339 timestamp`, { suggestions: ['mpak bundle scan <bundle> --now 2026-03-01T12:00:00Z'] });
  }
  return new Date(now);
}

async function resolveInputs(options: ScanOptions): Promise<ScanInputs> {
  for (const a of options.advisories ?? []) await mustExist(a, '--advisories');
  for (const t of options.trust ?? []) await mustExist(t, '--trust');
  await mustExist(options.kev, '--kev');
  await mustExist(options.epss, '--epss');
  await mustExist(options.vex, '--vex');
  await mustExist(options.attestation, '--attestation');
  await mustExist(options.source, '--source');
  await mustExist(options.policy, '--policy');
  const now = parseNow(options.now);
  let advisories = options.advisories ?? [];
  const trust = [...(options.trust ?? [])];
  if (options.mpakHome) {
    const snapshot = join(options.mpakHome, 'advisories', 'current', 'osv');
    if (!advisories.length && (await stat(snapshot).then((s) => s.isDirectory(), () => false))) advisories = [snapshot];
    const store = join(options.mpakHome, 'trust');
    const names = await readdir(store).catch(() => [] as string[]);
    for (const n of names.sort()) if (n.endsWith('.pem')) trust.push(join(store, n));
  }
  return {
    advisories,
    ...(options.kev ? { kev: options.kev } : {}),
    ...(options.epss ? { epss: options.epss } : {}),
    ...(options.vex ? { vex: options.vex } : {}),
    trust,
    ...(options.attestation ? { attestation: options.attestation } : {}),
    trustedBuilders: options.trustedBuilders ?? [],
    ...(options.source ? { source: options.source } : {}),
    allowSources: options.allowSources ?? [],
    run: !!options.run,
    now,
    ...(options.mpakHome ? { mpakHome: options.mpakHome } : {}),
  };
}

function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Scans one bundle against the 25 MTF controls and returns the report of mtf-controls.md §7 plus
 * the CycloneDX SBOM. Every control runs (none stops the scan); a control that throws becomes
 * `error` and the report `degraded`. Invalid input (missing paths, hostile archives, no manifest)
 * throws an exit-2 `MpakError` before any report exists.
 */
export async function scanBundleDetailed(options: ScanOptions): Promise<ScanOutcome> {
  const t0 = performance.now();
  const inputs = await resolveInputs(options);
  const kind = options.kind ?? 'bundle';
  const loaded = await loadBundle(options.path, kind);
  const entryMap = new Map(loaded.entries.map((e) => [e.path, e.bytes]));
  if (kind === 'bundle' && !entryMap.has('manifest.json')) {
    throw inputError('ARCHIVE_NO_MANIFEST', `${options.path} has no manifest.json at its root`, { suggestions: [`mpak bundle validate ${options.path}`] });
  }
  const manifestRead = await checkManifest(entryMap.get('manifest.json'));
  const manifest = manifestRead.manifest;
  const inventory: Inventory = buildInventory(entryMap);
  const serverType = manifest?.server?.type;
  const files = buildScanFiles(loaded.entries, inventory.ownership, serverType === 'python' || serverType === 'uv');
  const fileIndex = new Map<string, ScanFile>(files.map((f) => [f.path, f]));

  const shared = new Map<string, Promise<unknown>>([[INVENTORY_KEY, Promise.resolve(inventory)]]);
  const controls = options.controls ?? allControls();
  const runs = new Map<ControlId, Promise<ControlResult>>();
  const ctx: ScanContext = {
    manifest,
    manifestText: manifestRead.text,
    manifestCheck: manifestRead.check,
    files,
    file: (p) => fileIndex.get(p),
    options: inputs,
    sbom: inventory.components,
    bundle: loaded.info,
    shared: <T>(key: string, compute: () => Promise<T> | T) => {
      if (!shared.has(key)) shared.set(key, Promise.resolve().then(compute));
      return shared.get(key) as Promise<T>;
    },
    resultOf: (id) => {
      const control = controls.find((c) => c.id === id);
      return control ? run(control) : Promise.resolve(undefined);
    },
  };
  const run = (control: Control): Promise<ControlResult> => {
    let p = runs.get(control.id);
    if (!p) {
      p = (async () => {
        const start = performance.now();
        try {
          const r = await control.evaluate(ctx);
          return { ...r, durationMs: Math.round(performance.now() - start) };
        } catch (err) {
          return {
            status: 'error' as const,
            reason: `internal error: ${(err as Error).message}`,
            findings: [],
            errors: [`${control.id}: ${(err as Error).stack?.split('\n').slice(0, 2).join(' ') ?? String(err)}`],
            durationMs: Math.round(performance.now() - start),
          };
        }
      })();
      runs.set(control.id, p);
    }
    return p;
  };
  // Start the shared code-analysis pass now when its worker pool can run: it then parses while the
  // controls before CQ-01 run here. The pass is the same one the controls await, so results and
  // their order do not change; a failure surfaces in the control that awaits it. In-process, an
  // early start would only overlap the two passes' memory, so the first control starts it.
  if (parallelAnalysisAvailable() && controls.some((c) => ANALYSIS_CONTROLS.has(c.id))) void bundleAnalysis(ctx).catch(() => undefined);
  const results = new Map<ControlId, ControlResult>();
  for (const c of controls) results.set(c.id, await run(c));

  // Suppressions (§4.3).
  const rules: SuppressionRule[] = [];
  const extra: RawFinding[] = [];
  if (!options.ignoreBundleSuppressions) {
    const inline = await inlineSuppressions(files);
    rules.push(...inline.rules);
    extra.push(...inline.findings);
    const bundlePolicy = entryMap.get('.mpakignore');
    if (bundlePolicy) {
      const p = await policySuppressions(bundlePolicy.toString('utf8'), 'bundle-policy', '.mpakignore');
      rules.push(...p.rules);
      extra.push(...p.findings);
    }
  }
  if (options.policy) {
    const p = await policySuppressions(await readFile(options.policy, 'utf8'), 'operator-policy', undefined);
    // Operator rules win over the author's: they are consulted first.
    rules.unshift(...p.rules);
    extra.push(...p.findings);
  }

  const reportControls: ReportControl[] = [];
  const allFindings: Finding[] = [];
  for (const c of controls) {
    const r = results.get(c.id)!;
    const raw = [...r.findings.map((f) => ({ ...f, control: c.id })), ...extra.filter((f) => f.control === c.id)];
    const findings = finalizeFindings(c.id, raw, fileIndex, rules);
    allFindings.push(...findings);
    const errors = [...(r.errors ?? [])];
    let status = r.status;
    const blocking = findings.some((f) => f.blocking);
    if (blocking) status = 'fail';
    else if (status === 'fail') status = 'pass';
    if (!blocking && errors.length && (status === 'pass' || status === 'skip')) status = 'error';
    let reason = r.reason;
    if (blocking && r.status !== 'fail') {
      const n = findings.filter((f) => f.blocking).length;
      reason = `${n} blocking finding${n === 1 ? '' : 's'}${r.reason ? `; ${r.reason}` : ''}`;
    }
    reportControls.push({
      id: c.id,
      name: c.name,
      domain: c.domain,
      level: c.level,
      status,
      reason,
      ...(status === 'unverified' && r.requires?.length ? { requires: [...r.requires] } : {}),
      errors,
      findings: findings.map((f) => f.id),
      duration_ms: r.durationMs ?? 0,
    });
  }
  allFindings.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

  const version = await scannerVersion();
  const identity = kind === 'skill' ? skillIdentity(entryMap.get('SKILL.md')) : { name: manifest?.name, version: manifest?.version };
  const bundleName = typeof identity.name === 'string' ? identity.name : '';
  const bundleVersion = typeof identity.version === 'string' ? identity.version : '';
  const sbom = await buildCycloneDx({ name: bundleName || 'unknown', version: bundleVersion || '0.0.0', sha256: loaded.info.sha256 }, inventory.components, version, inputs.now);
  const byEcosystem: Record<string, number> = {};
  for (const c of inventory.components) byEcosystem[c.ecosystem] = (byEcosystem[c.ecosystem] ?? 0) + 1;

  const sc02 = results.get('SC-02')?.data;
  const sourceHead = (results.get('PR-05')?.data?.source_head ?? results.get('PR-04')?.data?.source_head) as string | undefined;
  const anchors: string[] = [];
  for (const t of inputs.trust) {
    const st = await stat(t).catch(() => undefined);
    if (st?.isFile()) anchors.push(`sha256:${createHash('sha256').update(await readFile(t)).digest('hex')}`);
  }
  const report: ScanReport = {
    schema_version: '1.0.0',
    framework: { name: 'MTF', version: '0.1', profile: 'mpak-1.0' },
    bundle: { name: bundleName, version: bundleVersion, sha256: loaded.info.sha256, unsigned_sha256: loaded.info.unsigned_sha256, size: loaded.info.size },
    scanner: { name: 'mpak', version, rules_version: RULES_VERSION },
    started_at: isoSeconds(inputs.now),
    duration_ms: 0,
    inputs: {
      advisories: sc02?.advisories ? (sc02.advisories as { entries: number; newest_modified: string | null }) : null,
      kev: !!sc02?.kev,
      epss: !!sc02?.epss,
      vex: !!sc02?.vex,
      trust_anchors: [...new Set(anchors)].sort(),
      source: inputs.source ? { head: sourceHead ?? null } : null,
      run: inputs.run,
    },
    compliance: computeCompliance(reportControls),
    risk: computeRisk(allFindings),
    controls: reportControls,
    findings: allFindings,
    sbom: {
      format: 'CycloneDX',
      spec_version: '1.6',
      component_count: inventory.components.length,
      by_ecosystem: byEcosystem,
      sha256: createHash('sha256').update(canonicalJson(sbom)).digest('hex'),
    },
  };
  report.duration_ms = Math.round(performance.now() - t0);
  return { report, sbom };
}

/** A skill's name and version from the `name:` / `version:` lines of its SKILL.md frontmatter. */
function skillIdentity(bytes: Buffer | undefined): { name?: string; version?: string } {
  const front = /^\uFEFF?---\r?\n([\s\S]*?)\r?\n---/.exec(bytes?.toString('utf8') ?? '')?.[1] ?? '';
  const field = (key: string) => new RegExp(`^${key}:\\s*["']?([^"'\\r\\n]+?)["']?\\s*$`, 'm').exec(front)?.[1];
  return { name: field('name'), version: field('version') };
}

/** Scans one bundle and returns the §7 report (see `scanBundleDetailed`). */
export async function scanBundle(options: ScanOptions): Promise<ScanReport> {
  return (await scanBundleDetailed(options)).report;
}
