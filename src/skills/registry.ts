import { inputError } from '../errors.js';
import type { Inspection, InspectContext } from '../registry/kinds.js';
import type { ManifestSummary } from '../registry/format.js';
import { openArchive } from '../archive/reader.js';
import { checkSkillText } from './validate.js';

/** Owner segment of a forge URL (`https://github.com/acme/skills` → `acme`), lowercased. */
export function scopeFromRepository(repository: string | undefined): string | undefined {
  if (!repository) return undefined;
  try {
    const url = new URL(repository);
    const owner = url.pathname.split('/').filter(Boolean)[0];
    return owner && /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(owner) ? owner.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads a `.skill` for `mpak index add` (the registry's skill kind): strict archive read, SKILL.md
 * validation, the skill-profile MTF scan and the signature summary. A registry name is scoped:
 * `@<owner>/<name>`, the owner taken from the frontmatter `repository` (the claim check then
 * requires that repository to hold a matching mpak.json, as for bundles).
 */
export async function readSkill(file: string, context: InspectContext): Promise<Inspection> {
  const archive = await openArchive(file, { requireRoot: 'SKILL.md' });
  let text: string;
  let names: Set<string>;
  try {
    text = (await archive.readEntry('SKILL.md', 1 << 20)).toString('utf8');
    names = new Set(archive.entries.filter((e) => !e.isDirectory).map((e) => e.name));
  } finally {
    await archive.close();
  }
  const check = checkSkillText(text, { exists: (p) => names.has(p) });
  if (!check.valid || !check.frontmatter) {
    throw inputError('SKILL_INVALID', `${file}: invalid SKILL.md: ${check.errors.map((e) => `${e.line ? `line ${e.line}: ` : ''}${e.message}`).slice(0, 3).join('; ')}`, {
      details: check.errors,
      suggestions: ['mpak skill validate <folder>'],
    });
  }
  const fm = check.frontmatter;
  if (!fm.version) {
    throw inputError('SKILL_VERSION_MISSING', `${file}: SKILL.md has no version; a registry entry needs one`, {
      suggestions: ['Add `version: 1.0.0` to the SKILL.md frontmatter and pack again.'],
    });
  }
  const scope = scopeFromRepository(fm.repository);
  if (!scope) {
    throw inputError('SKILL_SCOPE_UNKNOWN', `${file}: cannot name the skill @<scope>/${fm.name}: the frontmatter has no repository URL to take the scope from`, {
      suggestions: ['Add `repository: https://github.com/<owner>/<repo>` to the SKILL.md frontmatter.'],
    });
  }
  const { scanSkill } = await import('./scan.js');
  const { summarizeScan } = await import('../scan/index.js');
  const { withControlDetails } = await import('../registry/kinds.js');
  const { report } = await scanSkill({
    path: file,
    now: context.now,
    ...(context.mpakHome ? { mpakHome: context.mpakHome } : {}),
    ...(context.trust?.length ? { trust: context.trust } : {}),
  });
  const { verifyBundleSignature, summarizeSignature } = await import('../sign/index.js');
  const signature = summarizeSignature(await verifyBundleSignature(file, { now: context.now, ...(context.trust?.length ? { trust: context.trust } : {}) }));
  const manifest: ManifestSummary = {
    description: fm.description,
    tools: [],
    prompts: [],
    userConfig: [],
    keywords: [...new Set([...(fm.keywords ?? []), ...(fm.triggers ?? []), ...(fm.category ? [fm.category] : [])])],
    ...(fm.license ? { license: fm.license } : {}),
    ...(fm.repository ? { repository: fm.repository } : {}),
  };
  return { name: `@${scope}/${fm.name}`, version: fm.version, manifest, scan: withControlDetails(summarizeScan(report), report), signature };
}
