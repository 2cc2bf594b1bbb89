import { inputError } from '../errors.js';
import type { ScanReport } from '../scan/index.js';
import { CONTROL_REASON_MAX, type ControlDetail, type ManifestSummary, type PackageKind, type ScanSummary, type SignatureSummary } from './format.js';

/**
 * What `mpak index add` needs from each kind of package, so a new kind is one more handler:
 * the file extensions it accepts and an `inspect` that opens the file safely, reads its
 * name/version/manifest summary, scans it and summarises its signature.
 */
export interface KindHandler {
  kind: PackageKind;
  extensions: string[];
  inspect(file: string, context: InspectContext): Promise<Inspection>;
}

export interface InspectContext {
  /** The scan's clock; the release time, so a re-validation gives the same result. */
  now: Date;
  mpakHome?: string;
  /** Trust anchors for signature verification. */
  trust?: string[];
  advisories?: string[];
}

export interface Inspection {
  name: string;
  version: string;
  manifest: ManifestSummary;
  scan: ScanSummary;
  signature: SignatureSummary;
}

/** `.mcpb` bundles: safe reader, manifest validation, the MTF scan, CMS signature summary. */
export const bundleKind: KindHandler = {
  kind: 'bundle',
  extensions: ['.mcpb'],
  async inspect(file, context) {
    const { readBundle } = await import('../archive/index.js');
    const bundle = await readBundle(file);
    await bundle.archive.close();
    const check = bundle.manifestCheck;
    const m = check.manifest;
    if (!check.valid || !m) {
      throw inputError('MANIFEST_INVALID', `The bundle's manifest is invalid: ${check.errors.map((e) => `${e.pathText ? `${e.pathText}: ` : ''}${e.message}`).slice(0, 3).join('; ')}`, {
        suggestions: [`mpak bundle validate ${file}`],
        details: check.errors,
      });
    }
    const { scanBundle, summarizeScan } = await import('../scan/index.js');
    const report = await scanBundle({
      path: file,
      now: context.now,
      ...(context.mpakHome ? { mpakHome: context.mpakHome } : {}),
      ...(context.trust?.length ? { trust: context.trust } : {}),
      ...(context.advisories?.length ? { advisories: context.advisories } : {}),
    });
    const { verifyBundleSignature, summarizeSignature } = await import('../sign/index.js');
    const signature = summarizeSignature(
      await verifyBundleSignature(file, { now: context.now, ...(context.trust?.length ? { trust: context.trust } : {}) }),
    );
    const manifest: ManifestSummary = {
      ...(m.display_name ? { displayName: m.display_name } : {}),
      description: m.description,
      ...(m.long_description ? { longDescription: m.long_description.slice(0, 65_536) } : {}),
      serverType: m.server.type,
      tools: (m.tools ?? []).map((t) => ({ name: t.name, ...(t.description ? { description: t.description } : {}) })),
      prompts: (m.prompts ?? []).map((p) => ({ name: p.name, ...(p.description ? { description: p.description } : {}) })),
      userConfig: Object.entries(m.user_config ?? {})
        .map(([key, o]) => ({ key, type: o.type, title: o.title, required: o.required ?? false, sensitive: o.sensitive ?? false }))
        .sort((a, b) => (a.key < b.key ? -1 : 1)),
      keywords: m.keywords ?? [],
      ...(m.license ? { license: m.license } : {}),
      ...(m.repository?.url ? { repository: m.repository.url } : {}),
      ...(m.homepage ? { homepage: m.homepage } : {}),
      ...(m.icon?.startsWith('https://') ? { icon: m.icon } : {}),
    };
    return { name: m.name, version: m.version, manifest, scan: withControlDetails(summarizeScan(report), report), signature };
  },
};

/**
 * Adds per-control detail to a scan summary: the scanner's reason (cut at a word) and the
 * control's unsuppressed findings by severity, for the web page's control table and
 * `mpak bundle show`. Derived from the full report, so the scanner's summary stays as it is.
 */
export function withControlDetails(summary: ScanSummary, report: Pick<ScanReport, 'controls' | 'findings'>): ScanSummary {
  const details: Record<string, ControlDetail> = {};
  for (const c of report.controls) {
    const reason = c.reason ? cutReason(c.reason) : undefined;
    details[c.id] = reason ? { reason } : {};
  }
  for (const f of report.findings) {
    if (f.suppressed) continue;
    const detail = (details[f.control] ??= {});
    const severity = f.severity.toLowerCase() as keyof NonNullable<ControlDetail['findings']>;
    detail.findings = { ...detail.findings, [severity]: (detail.findings?.[severity] ?? 0) + 1 };
  }
  for (const [id, d] of Object.entries(details)) if (!d.reason && !d.findings) delete details[id];
  return Object.keys(details).length ? { ...summary, details } : summary;
}

function cutReason(reason: string): string {
  const text = reason.replace(/\s+/g, ' ').trim();
  if (text.length <= CONTROL_REASON_MAX) return text;
  const cut = text.slice(0, CONTROL_REASON_MAX - 1);
  const space = cut.lastIndexOf(' ');
  return `${space > CONTROL_REASON_MAX / 2 ? cut.slice(0, space) : cut}…`;
}

/** The skills module's reader, as docs/architecture.md describes it; absent until that module ships it. */
type ReadSkill = (file: string, options: InspectContext) => Promise<Inspection>;

/** `.skill` archives, inspected by the skills module's `readSkill`. */
export const skillKind: KindHandler = {
  kind: 'skill',
  extensions: ['.skill'],
  async inspect(file, context) {
    const skills = (await import('../skills/index.js')) as { readSkill?: ReadSkill };
    if (typeof skills.readSkill !== 'function') {
      throw inputError('SKILL_UNSUPPORTED', 'This mpak cannot inspect .skill files for a registry yet (the skills reader is missing).', {
        suggestions: ['Add bundles (.mcpb) for now, or update mpak.'],
      });
    }
    return skills.readSkill(file, context);
  },
};

export const DEFAULT_KINDS: KindHandler[] = [bundleKind, skillKind];

/** The handler for a file name (by extension); a `.mcpb` default for extensionless downloads. */
export function kindFor(fileName: string, kinds: KindHandler[] = DEFAULT_KINDS): KindHandler | undefined {
  const lower = fileName.toLowerCase();
  return kinds.find((k) => k.extensions.some((e) => lower.endsWith(e)));
}
