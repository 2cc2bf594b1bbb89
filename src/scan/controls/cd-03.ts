/**
 * CD-03 Description Safety (L2): the description-poisoning rules on every text a model reads —
 * manifest tools, prompts and user_config descriptions, and the descriptions server code
 * registers at run time — plus manifest-vs-source differences and descriptions that are not
 * constant. CQ-06 reuses `describeTexts` on runtime descriptions.
 */
import { definitionsOf } from '../analysis/definitions.js';
import { bundleAnalysis } from '../analysis/bundle.js';
import { descriptionHits, type DescriptionContext } from '../analysis/rules/descriptions.js';
import type { Control, ControlResult, RawFinding, ScanContext, Severity } from '../types.js';

export interface DescribedText {
  /** What the text is, for messages: `tool "x" description`. */
  label: string;
  text: string;
  file?: string;
  line?: number;
  column?: number;
  /** Offset of the text in the file (manifest), to locate hits. */
  toolName?: string;
  inputProperties?: string[];
}

const norm = (s: string) => s.trim().replace(/\s+/g, ' ');

/** Runs the CD-03 rules over a list of texts and returns raw findings of `control`. */
export function describeTexts(texts: DescribedText[], ctx: Omit<DescriptionContext, 'toolName' | 'inputProperties'>, control: 'CD-03' | 'CQ-06' = 'CD-03', rulePrefix = ''): RawFinding[] {
  const out: RawFinding[] = [];
  for (const t of texts) {
    for (const h of descriptionHits(t.text, { ...ctx, toolName: t.toolName, inputProperties: t.inputProperties })) {
      const f: RawFinding = {
        control,
        rule: `${rulePrefix}${h.rule}`,
        severity: h.severity,
        title: h.title,
        description: `${t.label}: ${h.detail}`,
        remediation: 'Rewrite the description as a plain statement of what the tool does; remove instructions to the model, hidden text, contact points and references to files or other tools.',
        excerpt: t.text.replace(/\s+/g, ' ').trim().slice(0, 200),
        details: { text_label: t.label },
      };
      if (t.file) f.file = t.file;
      if (t.line) f.line = t.line;
      if (t.column) f.column = t.column;
      out.push(f);
    }
  }
  return out;
}

function lineOf(text: string | undefined, needle: string): number | undefined {
  if (!text || !needle) return undefined;
  const encoded = JSON.stringify(needle).slice(1, -1);
  const i = text.indexOf(encoded.slice(0, 200));
  if (i < 0) return undefined;
  return text.slice(0, i).split('\n').length;
}

function manifestTexts(ctx: ScanContext): DescribedText[] {
  const m = ctx.manifest ?? {};
  const out: DescribedText[] = [];
  const at = (s: string) => ({ file: 'manifest.json', line: lineOf(ctx.manifestText, s) });
  for (const t of Array.isArray(m.tools) ? m.tools : []) {
    if (typeof t?.name === 'string') out.push({ label: `manifest tool name "${t.name}"`, text: t.name, ...at(t.name) });
    if (typeof t?.description === 'string') out.push({ label: `manifest tool "${t.name}" description`, text: t.description, toolName: t.name, ...at(t.description) });
  }
  for (const p of Array.isArray(m.prompts) ? m.prompts : []) {
    if (typeof p?.description === 'string') out.push({ label: `manifest prompt "${p.name}" description`, text: p.description, ...at(p.description) });
    if (typeof p?.text === 'string') out.push({ label: `manifest prompt "${p.name}" text`, text: p.text, ...at(p.text) });
  }
  if (m.user_config && typeof m.user_config === 'object') {
    for (const [k, v] of Object.entries<any>(m.user_config)) {
      if (typeof v?.description === 'string') out.push({ label: `user_config "${k}" description`, text: v.description, ...at(v.description) });
    }
  }
  return out;
}

export const cd03: Control = {
  id: 'CD-03',
  name: 'Description Safety',
  level: 2,
  domain: 'capability_declaration',
  async evaluate(ctx: ScanContext): Promise<ControlResult> {
    const analysis = await bundleAnalysis(ctx);
    const defs = definitionsOf(analysis.files);
    const manifest = manifestTexts(ctx);
    const manifestTools = new Map<string, string>();
    for (const t of Array.isArray(ctx.manifest?.tools) ? ctx.manifest!.tools : []) if (typeof t?.name === 'string') manifestTools.set(t.name, typeof t.description === 'string' ? t.description : '');
    const manifestPrompts = new Map<string, string>();
    for (const p of Array.isArray(ctx.manifest?.prompts) ? ctx.manifest!.prompts : []) if (typeof p?.name === 'string') manifestPrompts.set(p.name, typeof p.description === 'string' ? p.description : '');

    const source: DescribedText[] = [];
    const findings: RawFinding[] = [];
    for (const d of defs) {
      const where = { file: d.file, line: d.descriptionLine ?? d.line, column: d.descriptionColumn ?? d.column };
      const label = `${d.kind}${d.name ? ` "${d.name}"` : ''} registered in code (${d.via})`;
      if (d.description !== undefined) source.push({ label, text: d.description, toolName: d.kind === 'tool' ? d.name : undefined, inputProperties: d.inputProperties ? Object.keys(d.inputProperties) : undefined, ...where });
      for (const [prop, meta] of Object.entries(d.inputProperties ?? {})) {
        if (meta.description) source.push({ label: `${label} parameter "${prop}"`, text: meta.description, ...where });
      }
      if (d.descriptionSource === 'dynamic' || d.descriptionSource === 'external') {
        const sev: Severity = d.descriptionSource === 'external' ? 'HIGH' : 'MEDIUM';
        findings.push({
          control: 'CD-03',
          rule: d.descriptionSource === 'external' ? 'external-description' : 'dynamic-description',
          severity: sev,
          title: d.descriptionSource === 'external' ? 'Description read at run time' : 'Description built at run time',
          description: `${label}: the description ${d.descriptionSource === 'external' ? 'is read from the network, a file or the environment, so it can be swapped after review' : 'is not a constant, so it cannot be reviewed from the bundle'}.`,
          remediation: 'Use a literal description string in the code and the same text in the manifest.',
          ...where,
        });
      }
      const declared = d.name ? (d.kind === 'tool' ? manifestTools.get(d.name) : d.kind === 'prompt' ? manifestPrompts.get(d.name) : undefined) : undefined;
      if (declared !== undefined && d.description !== undefined && declared !== '' && norm(declared) !== norm(d.description)) {
        findings.push({
          control: 'CD-03',
          rule: 'manifest-source-mismatch',
          severity: 'MEDIUM',
          title: 'Code description differs from the manifest',
          description: `${label} differs from the manifest after whitespace normalisation. Manifest: "${norm(declared).slice(0, 300)}" Code: "${norm(d.description).slice(0, 300)}"`,
          remediation: 'Make the manifest description identical to the one the server registers.',
          details: { manifest: declared.slice(0, 2000), source: d.description.slice(0, 2000) },
          ...where,
        });
      }
    }
    if (manifest.length === 0 && source.length === 0 && findings.length === 0) {
      return { status: 'skip', reason: 'no tools, prompts or descriptions in the manifest or the server code', findings: [] };
    }
    const ownTools = new Set<string>([...manifestTools.keys(), ...defs.filter((d) => d.kind === 'tool' && d.name).map((d) => d.name as string)]);
    const selfWords = [String(ctx.manifest?.name ?? ''), String(ctx.manifest?.display_name ?? '')].filter(Boolean);
    findings.push(...describeTexts([...manifest, ...source], { ownTools, selfWords }));
    return { status: 'pass', reason: `${manifest.length} manifest text(s) and ${source.length} code-registered text(s) checked`, findings };
  },
};
