export { skillFrontmatterSchema, SKILL_NAME_PATTERN, type SkillFrontmatter } from './frontmatter.js';
export { checkSkillText, validateSkillFolder, type SkillCheck, type SkillFolderCheck, type SkillProblem } from './validate.js';
export { packSkill, type PackSkillOptions, type PackSkillResult } from './pack.js';
export { installSkill, type InstallSkillOptions, type InstallSkillResult } from './install.js';
export { scanSkill, skillControls } from './scan.js';
export { readSkill, scopeFromRepository } from './registry.js';
export { installSkillFromRegistry, type InstallSkillRefOptions, type InstallSkillRefResult } from './install-ref.js';
