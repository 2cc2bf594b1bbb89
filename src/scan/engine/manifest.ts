import type { ManifestCheck } from '../types.js';
import { duplicateJsonKeys } from './json-duplicates.js';

/**
 * Reads manifest.json for the scan: JSON syntax and duplicate keys first (AI-01 CRITICAL), then
 * the MCPB compatibility validator of the manifest module. Never throws.
 */
export async function checkManifest(bytes: Buffer | undefined): Promise<{ check: ManifestCheck; manifest?: Record<string, any>; text?: string }> {
  const check: ManifestCheck = { present: !!bytes, parsed: false, duplicateKeys: [], bom: false, valid: false, errors: [], warnings: [] };
  if (!bytes) return { check };
  let text = bytes.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) {
    check.bom = true;
    text = text.slice(1);
  }
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
    check.duplicateKeys = duplicateJsonKeys(text);
    check.parsed = true;
  } catch (err) {
    check.parseError = (err as Error).message;
    return { check, text };
  }
  if (!manifest || typeof manifest !== 'object' || Array.isArray(manifest)) {
    check.parsed = false;
    check.parseError = 'manifest.json is not a JSON object';
    return { check, text };
  }
  try {
    const { validateManifest } = await import('../../manifest/index.js');
    const result = validateManifest(manifest);
    check.valid = result.valid;
    if (result.version) check.version = result.version;
    check.errors = result.errors.map((p) => ({ severity: p.severity, pathText: p.pathText, message: p.message }));
    check.warnings = result.warnings.map((p) => ({ severity: p.severity, pathText: p.pathText, message: p.message }));
  } catch (err) {
    check.validatorError = `manifest validator failed: ${(err as Error).message}`;
  }
  return { check, manifest: manifest as Record<string, any>, text };
}
