/**
 * String formats exactly as the official validator (zod 3.25) checks them. zod 4's email regex is
 * different, so we carry zod 3.25's copy; URL is "WHATWG `new URL` parses it", any scheme.
 */

// Copied verbatim from zod 3.25.76 (v3/types.js, `emailRegex`).
// eslint-disable-next-line no-useless-escape
export const ZOD3_EMAIL_REGEX = /^(?!\.)(?!.*\.\.)([A-Z0-9_'+\-\.]*)[A-Z0-9_+-]@([A-Z0-9][A-Z0-9\-]*\.)+[A-Z]{2,}$/i;

export function isZod3Email(value: string): boolean {
  return ZOD3_EMAIL_REGEX.test(value);
}

export function isWhatwgUrl(value: string): boolean {
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

export const SEMVER_REGEX =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;
