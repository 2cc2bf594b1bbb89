import { CATALOGUE } from '../scan/catalogue.js';
import { allControls } from '../scan/controls/index.js';
import { describeTexts, type DescribedText } from '../scan/controls/cd-03.js';
import { scanBundleDetailed, type ScanOptions, type ScanOutcome } from '../scan/engine/scan.js';
import type { Control, ControlId, ControlResult, RawFinding, ScanContext } from '../scan/types.js';
import { checkSkillText } from './validate.js';

/**
 * The MTF profile for skills. A skill is instructions plus optional files and scripts, so:
 * - the code controls run unchanged on every file (secrets CQ-01, malware CQ-02, static analysis,
 *   input validation and execution patterns CQ-03..05, and the dependency controls SC-01..05,
 *   which skip with proof when a skill vendors nothing);
 * - AI-01 validates the SKILL.md frontmatter and links; CD-03 runs the description-poisoning rules
 *   over the description and the instructions, paragraph by paragraph;
 * - AI-03 checks a signature block when the `.skill` carries one, as for bundles; PR-01 and PR-02
 *   judge the frontmatter `repository` and `author` as they judge a manifest's;
 * - controls about a server or a manifest a skill does not have (tool declarations, permissions,
 *   credentials, behaviour at run time, per-file hash lists, completeness) are `skip` with the
 *   reason; provenance and reproducibility, which a skill could have but we cannot evaluate from
 *   a skill yet, are `unverified`, so a skill never earns L3/L4 by default.
 */
const SKILL_MD = 'SKILL.md';

function result(status: ControlResult['status'], reason: string, findings: RawFinding[] = [], requires?: string[]): ControlResult {
  return { status, reason, findings, ...(requires ? { requires } : {}) };
}

function fixed(id: ControlId, status: 'skip' | 'unverified', reason: string, requires?: string[]): Control {
  const entry = CATALOGUE.find((c) => c.id === id)!;
  return { id, name: entry.name, level: entry.level, domain: entry.domain, evaluate: async () => result(status, reason, [], requires) };
}

async function skillText(ctx: ScanContext): Promise<string | undefined> {
  return ctx.file(SKILL_MD)?.text();
}

const ai01Skill: Control = {
  ...CATALOGUE.find((c) => c.id === 'AI-01')!,
  id: 'AI-01',
  async evaluate(ctx) {
    const text = await skillText(ctx);
    if (text === undefined) return result('fail', 'no SKILL.md', [{ control: 'AI-01', rule: 'skill-missing', severity: 'HIGH', title: 'SKILL.md missing', description: 'The skill has no SKILL.md at its root.', remediation: 'Add SKILL.md with a frontmatter block.' }]);
    const names = new Set(ctx.files.map((f) => f.path));
    const check = checkSkillText(text, { exists: (p) => names.has(p) });
    const findings: RawFinding[] = [
      ...check.errors.map((e) => ({
        control: 'AI-01' as const,
        rule: 'skill-frontmatter',
        severity: 'HIGH' as const,
        title: 'Invalid SKILL.md',
        description: e.message,
        remediation: e.fix ?? 'Fix SKILL.md (mpak skill validate shows every problem).',
        file: SKILL_MD,
        ...(e.line ? { line: e.line, column: e.column ?? 1 } : {}),
      })),
      ...check.warnings.map((w) => ({
        control: 'AI-01' as const,
        rule: 'skill-frontmatter-lint',
        severity: 'LOW' as const,
        title: 'SKILL.md warning',
        description: w.message,
        remediation: w.fix ?? 'See mpak skill validate.',
        file: SKILL_MD,
        ...(w.line ? { line: w.line, column: w.column ?? 1 } : {}),
      })),
    ];
    return result(check.valid ? 'pass' : 'fail', check.valid ? 'SKILL.md frontmatter and links are valid' : `${check.errors.length} problem(s) in SKILL.md`, findings);
  },
};

/** SKILL.md split into the description and the instruction paragraphs, each with its first line. */
export function skillTexts(text: string): DescribedText[] {
  const lines = text.split(/\r?\n/);
  const close = lines.findIndex((l, i) => i > 0 && l.trim() === '---');
  const out: DescribedText[] = [];
  if (lines[0]?.trim() === '---' && close > 0) {
    for (let i = 1; i < close; i++) {
      if (/^description\s*:/.test(lines[i] ?? '')) {
        let j = i + 1;
        while (j < close && /^\s+\S/.test(lines[j] ?? '')) j++;
        out.push({ label: 'skill description', text: lines.slice(i, j).join('\n').replace(/^description\s*:\s*/, ''), file: SKILL_MD, line: i + 1 });
      }
    }
  }
  let start = close > 0 ? close + 1 : 0;
  for (let i = start; i <= lines.length; i++) {
    if (i === lines.length || (lines[i] ?? '').trim() === '') {
      const block = lines.slice(start, i).join('\n');
      if (block.trim()) out.push({ label: 'SKILL.md instructions', text: block, file: SKILL_MD, line: start + 1 });
      start = i + 1;
    }
  }
  return out;
}

const cd03Skill: Control = {
  ...CATALOGUE.find((c) => c.id === 'CD-03')!,
  id: 'CD-03',
  async evaluate(ctx) {
    const text = await skillText(ctx);
    if (text === undefined) return result('fail', 'prerequisite failed: AI-01', [{ control: 'CD-03', rule: 'prerequisite', severity: 'HIGH', title: 'prerequisite failed: AI-01', description: 'No SKILL.md to check.', remediation: 'Add SKILL.md.' }]);
    const texts = skillTexts(text);
    const name = /^name:\s*(\S+)/m.exec(text)?.[1];
    const findings = describeTexts(texts, { ownTools: new Set(), ...(name ? { selfWords: name.split('-') } : {}) });
    return result('pass', `${texts.length} text block(s) of SKILL.md checked`, findings);
  },
};

const KNOWN_FORGES = new Set(['github.com', 'gitlab.com', 'bitbucket.org', 'codeberg.org', 'sr.ht', 'git.sr.ht']);

/** The frontmatter of SKILL.md as data (undefined when it does not parse). */
function frontmatterOf(text: string): Record<string, unknown> | undefined {
  const check = checkSkillText(text);
  return check.frontmatter as Record<string, unknown> | undefined;
}

/** PR-01 for skills: the frontmatter `repository`, judged like a bundle's manifest.repository.url. */
const pr01Skill: Control = {
  ...CATALOGUE.find((c) => c.id === 'PR-01')!,
  id: 'PR-01',
  async evaluate(ctx) {
    const fm = frontmatterOf((await skillText(ctx)) ?? '');
    const repo = typeof fm?.repository === 'string' ? fm.repository : undefined;
    const finding = (severity: RawFinding['severity'], rule: string, description: string): RawFinding => ({
      control: 'PR-01', rule, severity, title: 'Source repository', description, file: SKILL_MD,
      remediation: 'Add `repository: https://github.com/<owner>/<repo>` to the SKILL.md frontmatter.',
    });
    if (!repo) return result('fail', 'no repository in the frontmatter', [finding('HIGH', 'repository-missing', 'SKILL.md declares no source repository.')]);
    let url: URL;
    try {
      url = new URL(repo);
    } catch {
      return result('fail', 'repository is not a URL', [finding('HIGH', 'repository-invalid', `"${repo}" is not a URL.`)]);
    }
    const findings: RawFinding[] = [];
    if (url.username || url.password) findings.push(finding('HIGH', 'repository-credentials', 'The repository URL embeds credentials.'));
    if (url.protocol !== 'https:') findings.push(finding('MEDIUM', 'repository-not-https', `The repository URL uses ${url.protocol}.`));
    else if (!KNOWN_FORGES.has(url.hostname.toLowerCase())) findings.push(finding('LOW', 'repository-unknown-host', `${url.hostname} is not a well-known forge.`));
    return result('pass', `repository ${url.origin}${url.pathname}`, findings);
  },
};

/** PR-02 for skills: an author with a valid e-mail (the object form, or "Name <email>"). */
const pr02Skill: Control = {
  ...CATALOGUE.find((c) => c.id === 'PR-02')!,
  id: 'PR-02',
  async evaluate(ctx) {
    const fm = frontmatterOf((await skillText(ctx)) ?? '');
    const author = fm?.author;
    const email =
      typeof author === 'object' && author && 'email' in author ? String((author as { email?: unknown }).email ?? '') : typeof author === 'string' ? (/<([^>]+)>/.exec(author)?.[1] ?? '') : '';
    if (!/^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(email)) {
      return result('fail', 'no author e-mail', [{
        control: 'PR-02', rule: 'author-email-missing', severity: 'HIGH', title: 'Author identity', file: SKILL_MD,
        description: 'SKILL.md names no author with a valid e-mail address.',
        remediation: 'Add `author: {name: Your Name, email: you@example.org}` to the frontmatter.',
      }]);
    }
    return result('pass', `author e-mail ${email.replace(/^[^@]{0,2}[^@]*@/, (m) => `${m.slice(0, 2)}…@`)}`);
  },
};

const DEPENDENCY_MANIFESTS = /(^|\/)(package\.json|requirements[^/]*\.txt|pyproject\.toml|Pipfile|setup\.py|go\.mod|Cargo\.toml)$/;

/** SC-03 for skills: skip with proof when the skill declares no dependencies at all. */
const sc03Skill: Control = {
  ...CATALOGUE.find((c) => c.id === 'SC-03')!,
  id: 'SC-03',
  async evaluate(ctx) {
    const manifests = ctx.files.filter((f) => DEPENDENCY_MANIFESTS.test(f.path)).map((f) => f.path);
    return manifests.length === 0
      ? result('skip', 'no dependency manifest in the skill (package.json, requirements, pyproject…)')
      : result('unverified', `dependency pinning of skills is not evaluated (${manifests.join(', ')})`, [], ['--source']);
  },
};

/** The 25 controls, skill profile (see the module comment). */
export function skillControls(): Control[] {
  const real = new Map(allControls().map((c) => [c.id, c]));
  const own: Partial<Record<ControlId, Control>> = {
    'AI-01': ai01Skill,
    'AI-02': fixed('AI-02', 'skip', 'skills carry no per-file hash list; the archive SHA-256 is checked on install'),
    'AI-04': fixed('AI-04', 'unverified', 'reproducible rebuilds are not evaluated for skills', ['--source']),
    'SC-03': sc03Skill,
    'AI-05': fixed('AI-05', 'skip', 'a skill has no entry point; linked files are checked by AI-01'),
    'CQ-06': fixed('CQ-06', 'skip', 'a skill starts no server: there is nothing to run'),
    'CD-01': fixed('CD-01', 'skip', 'a skill declares no tools'),
    'CD-02': fixed('CD-02', 'skip', 'a skill declares no permissions'),
    'CD-03': cd03Skill,
    'CD-04': fixed('CD-04', 'skip', 'a skill declares no credentials'),
    'PR-01': pr01Skill,
    'PR-02': pr02Skill,
    'PR-03': fixed('PR-03', 'unverified', 'build attestations are not evaluated for skills', ['--attestation']),
    'PR-04': fixed('PR-04', 'unverified', 'commit linkage is not evaluated for skills', ['--source']),
    'PR-05': fixed('PR-05', 'unverified', 'repository health is not evaluated for skills', ['--source']),
  };
  return CATALOGUE.map((entry) => own[entry.id] ?? real.get(entry.id)!);
}

/** Scans a `.skill` file or a skill folder with the skill profile; same report, SARIF and gate as bundles. */
export async function scanSkill(options: Omit<ScanOptions, 'kind' | 'controls' | 'run'>): Promise<ScanOutcome> {
  return scanBundleDetailed({ ...options, kind: 'skill', controls: skillControls() });
}
