import { MANIFEST_VERSIONS, MAX_MANIFEST_BYTES, type ManifestVersion } from './constants.js';
import { issuesToProblems } from './issues.js';
import { jsonErrorOffset } from './json-position.js';
import { lintManifest } from './lint.js';
import { describeValue, problem, type Problem } from './problems.js';
import { MANIFEST_SCHEMAS, type Manifest } from './schema.js';

export interface ManifestCheck {
  valid: boolean;
  version?: ManifestVersion;
  manifest?: Manifest;
  errors: Problem[];
  warnings: Problem[];
}

export interface ValidateOptions {
  /** Turn every warning into an error. */
  strict?: boolean;
}

function isSupported(v: unknown): v is ManifestVersion {
  return typeof v === 'string' && (MANIFEST_VERSIONS as readonly string[]).includes(v);
}

/**
 * The official version resolution (mcpb-format.md §1.1): `manifest_version` when it is a
 * supported string, else `dxt_version` by the same rule, else none.
 */
export function resolveManifestVersion(input: unknown): ManifestVersion | undefined {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return undefined;
  const o = input as Record<string, unknown>;
  if (isSupported(o.manifest_version)) return o.manifest_version;
  if (isSupported(o.dxt_version)) return o.dxt_version;
  return undefined;
}

function versionProblem(o: Record<string, unknown>): Problem {
  const field = 'manifest_version' in o ? 'manifest_version' : 'dxt_version' in o ? 'dxt_version' : 'manifest_version';
  const value = o[field];
  const found = value === undefined ? 'neither manifest_version nor dxt_version is set' : `found ${describeValue(value)}`;
  const hint =
    typeof value === 'number' && isSupported(String(value))
      ? `Write it as a string: "${field}": "${String(value)}".`
      : 'Set "manifest_version": "0.3" (or "0.1", "0.2", "0.4").';
  return problem('error', [field], `Unsupported manifest version: expected a string "0.1", "0.2", "0.3" or "0.4"; ${found}`, {
    ...(value !== undefined ? { value } : {}),
    fix: hint,
  });
}

function finish(errors: Problem[], warnings: Problem[], strict: boolean | undefined, extra: Partial<ManifestCheck>): ManifestCheck {
  if (strict && warnings.length > 0) {
    errors = [...errors, ...warnings.map((w) => ({ ...w, severity: 'error' as const }))];
    warnings = [];
  }
  const valid = errors.length === 0;
  return { valid, ...extra, ...(valid ? {} : { manifest: undefined }), errors, warnings };
}

/**
 * Validates a parsed manifest exactly as the official validator accepts or rejects it (version
 * resolution, then the closed schema of that version), and adds mpak's warnings (§1.6) for
 * accepted manifests. Every problem is reported in one pass; `strict` makes warnings errors.
 */
export function validateManifest(input: unknown, opts: ValidateOptions = {}): ManifestCheck {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return finish([problem('error', [], `A manifest must be a JSON object, found ${describeValue(input)}`)], [], opts.strict, {});
  }
  const version = resolveManifestVersion(input);
  if (!version) {
    // Still check everything else against the newest schema so the author sees all problems at once.
    const schema = MANIFEST_SCHEMAS['0.4'];
    const r = schema.safeParse(input);
    const rest = r.success ? [] : issuesToProblems(r.error.issues, input, schema, undefined);
    const others = rest.filter((p) => p.path[0] !== 'manifest_version' && p.path[0] !== 'dxt_version');
    return finish([versionProblem(input as Record<string, unknown>), ...others], [], opts.strict, {});
  }
  const schema = MANIFEST_SCHEMAS[version];
  const r = schema.safeParse(input);
  if (!r.success) {
    return finish(issuesToProblems(r.error.issues, input, schema, version), [], opts.strict, { version });
  }
  const manifest = r.data as Manifest;
  return finish([], lintManifest(manifest, version), opts.strict, { version, manifest });
}

export interface ParseOptions extends ValidateOptions {
  /** Where the text came from, for messages. */
  source?: string;
}

/**
 * Parses manifest bytes or text and validates it. Oversized input (> 1 MiB), non-UTF-8 bytes, a
 * byte-order mark and JSON syntax errors (with line and column) become problems, never throws.
 */
export function parseManifestText(text: string | Uint8Array, opts: ParseOptions = {}): ManifestCheck {
  const size = typeof text === 'string' ? Buffer.byteLength(text, 'utf8') : text.byteLength;
  const where = opts.source ? `${opts.source}: ` : '';
  if (size > MAX_MANIFEST_BYTES) {
    return finish([problem('error', [], `${where}manifest is ${size} bytes; the limit is ${MAX_MANIFEST_BYTES} (1 MiB)`)], [], false, {});
  }
  let str: string;
  if (typeof text === 'string') str = text;
  else {
    try {
      str = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(text);
    } catch {
      return finish([problem('error', [], `${where}manifest is not valid UTF-8`, { fix: 'Save manifest.json as UTF-8.' })], [], false, {});
    }
  }
  if (str.charCodeAt(0) === 0xfeff) {
    return finish(
      [problem('error', [], `${where}manifest starts with a byte-order mark, which JSON.parse (and the official tool) rejects`, { fix: 'Save manifest.json as UTF-8 without BOM.' })],
      [],
      false,
      {},
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(str);
  } catch (err) {
    return finish([jsonSyntaxProblem(str, err as Error, where)], [], false, {});
  }
  return validateManifest(json, opts);
}

function jsonSyntaxProblem(text: string, err: Error, where: string): Problem {
  let located: ReturnType<typeof jsonErrorOffset>;
  try {
    located = jsonErrorOffset(text);
  } catch {
    located = undefined; // nesting deeper than the stack: fall back to V8's message
  }
  if (!located) return problem('error', [], `${where}invalid JSON: ${err.message}`);
  const offset = Math.min(located.offset, text.length);
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return problem('error', [], `${where}invalid JSON at line ${line}, column ${column}: ${located.message}`, { value: { line, column } });
}
