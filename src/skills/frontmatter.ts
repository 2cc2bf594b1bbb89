import { z } from 'zod';
import semver from 'semver';

/**
 * The SKILL.md frontmatter: the fields agents read (`name`, `description`, `license`,
 * `allowed-tools`, `metadata`) plus mpak's optional registry fields. Unknown top-level keys are
 * tolerated by agents, so they are warnings here, not errors.
 */
export const SKILL_NAME_PATTERN = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

export const skillFrontmatterSchema = z
  .object({
    name: z
      .string()
      .min(1, 'must not be empty')
      .max(64, 'must be at most 64 characters')
      .regex(SKILL_NAME_PATTERN, 'must be lowercase letters and digits in words joined by single hyphens (e.g. pdf-tools)'),
    description: z.string().min(1, 'must not be empty').max(1024, 'must be at most 1024 characters'),
    license: z.string().min(1).optional(),
    'allowed-tools': z.union([z.string(), z.array(z.string())]).optional(),
    metadata: z.record(z.string(), z.string()).optional(),
    version: z
      .string()
      .refine((v) => semver.valid(v) !== null, 'must be a semantic version such as 1.2.0')
      .optional(),
    category: z.string().min(1).optional(),
    triggers: z.array(z.string().min(1)).optional(),
    keywords: z.array(z.string().min(1)).optional(),
    author: z
      .union([
        z.string().min(1),
        z.object({ name: z.string().min(1), email: z.string().optional(), url: z.string().optional() }).strict(),
      ])
      .optional(),
    repository: z
      .string()
      .refine((v) => URL.canParse(v), 'must be a URL such as https://github.com/owner/repo')
      .optional(),
  })
  .passthrough();

export type SkillFrontmatter = z.infer<typeof skillFrontmatterSchema>;

/** Keys the schema knows; anything else in the frontmatter draws a warning. */
export const KNOWN_SKILL_KEYS = new Set([
  'name',
  'description',
  'license',
  'allowed-tools',
  'metadata',
  'version',
  'category',
  'triggers',
  'keywords',
  'author',
  'repository',
]);
