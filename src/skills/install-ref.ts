import type { ClientContext } from '../client/context.js';
import type { TrustLevel } from '../config/store.js';
import { installSkill, type InstallSkillResult } from './install.js';

export interface InstallSkillRefOptions {
  /** `@scope/name[@version|@range]` */
  spec: string;
  skillsDir: string;
  /** Trust policy: refuse versions scanned below it. */
  minLevel: TrustLevel;
  /** Accept a version below the policy and replace an installed copy with other content. */
  force?: boolean;
  /** `<os>-<arch>`; skills are platform-neutral but a registry may list per-platform files. */
  platform: string;
}

export interface InstallSkillRefResult extends InstallSkillResult {
  registry: string;
  trust: string;
}

/**
 * Installs a skill from the configured registries: resolve in the verified index, apply the trust
 * policy, download into the content-addressed cache with size and SHA-256 checked, then install
 * that verified file (which re-checks the hash and validates SKILL.md before writing anything).
 */
export async function installSkillFromRegistry(ctx: ClientContext, options: InstallSkillRefOptions): Promise<InstallSkillRefResult> {
  const { resolvePackage } = await import('../client/resolve.js');
  const { checkTrustPolicy, downloadVerified } = await import('../client/pull.js');
  const resolved = await resolvePackage(ctx, options.spec, { platform: options.platform, kind: 'skill' });
  checkTrustPolicy(resolved, options.minLevel, options.force, ctx.warn);
  const { blob } = await downloadVerified(ctx, resolved);
  const installed = await installSkill({
    source: blob,
    skillsDir: options.skillsDir,
    force: options.force,
    expectedSha256: resolved.artifact.sha256,
  });
  return { ...installed, registry: resolved.registry.name, trust: resolved.entry.scan.display };
}
