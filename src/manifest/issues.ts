import type * as z from 'zod';
import { KEY_SINCE, MTF_META_KEY, type ManifestVersion } from './constants.js';
import { describeValue, didYouMean, objectKeys, problem, schemaAt, valueAt, type Problem } from './problems.js';

const VERSION_ORDER: readonly ManifestVersion[] = ['0.1', '0.2', '0.3', '0.4'];

function olderThan(a: ManifestVersion, b: ManifestVersion): boolean {
  return VERSION_ORDER.indexOf(a) < VERSION_ORDER.indexOf(b);
}

function expectedList(values: readonly unknown[]): string {
  return values.map((v) => JSON.stringify(v)).join(', ');
}

function typeName(expected: string): string {
  return expected === 'object' ? 'an object' : expected === 'array' ? 'an array' : expected;
}

/** Keys that people put at the manifest top level which belong inside the MTF `_meta` block. */
const MTF_KEYS = new Set(['permissions', 'credentials', 'mtf_version', 'mtf', 'security']);

function unknownKeyProblem(
  schema: z.ZodType,
  version: ManifestVersion | undefined,
  input: unknown,
  parent: (string | number)[],
  key: string,
  severity: Problem['severity'],
): Problem {
  const path = [...parent, key];
  const value = valueAt(input, path);
  const since = parent.length === 0 ? KEY_SINCE[key] : undefined;
  if (since && version && olderThan(version, since)) {
    return problem(severity, path, `\`${key}\` needs manifest_version ≥ ${since} (this manifest is ${version})`, {
      value,
      fix: `Set "manifest_version": "${since}" (or later), or remove \`${key}\`.`,
    });
  }
  if (parent.length === 0 && MTF_KEYS.has(key)) {
    return problem(severity, path, `Unrecognized key "${key}": the manifest top level is closed`, {
      value,
      fix: `Move it into _meta["${MTF_META_KEY}"] (manifest_version ≥ 0.3).`,
    });
  }
  const known = objectKeys(schemaAt(schema, parent));
  const guess = didYouMean(key, known);
  return problem(severity, path, `Unrecognized key "${key}"${guess ? `; did you mean "${guess}"?` : ''}`, {
    value,
    ...(guess ? { fix: `Rename "${key}" to "${guess}".` } : { fix: `Remove "${key}" (objects in a manifest are closed).` }),
  });
}

/**
 * Turns zod issues into Problems: one per offending spot, each saying what was expected and what
 * was found, with "did you mean" and version hints. `schema` is the one that produced the issues.
 */
export function issuesToProblems(
  issues: readonly z.core.$ZodIssue[],
  input: unknown,
  schema: z.ZodType,
  version: ManifestVersion | undefined,
  severity: Problem['severity'] = 'error',
): Problem[] {
  const out: Problem[] = [];
  for (const issue of issues) {
    const path = issue.path.filter((s): s is string | number => typeof s !== 'symbol');
    const value = valueAt(input, path);
    const has = path.length === 0 || hasOwn(valueAt(input, path.slice(0, -1)), path.at(-1)!);
    switch (issue.code) {
      case 'unrecognized_keys':
        for (const key of issue.keys) out.push(unknownKeyProblem(schema, version, input, path, key, severity));
        break;
      case 'invalid_type':
        if (!has) out.push(problem(severity, path, `Required: expected ${typeName(issue.expected)}, found nothing`));
        else out.push(problem(severity, path, `Expected ${typeName(issue.expected)}, found ${describeValue(value)}`, { value }));
        break;
      case 'invalid_value': {
        if (path.join('.') === 'server.type' && value === 'uv' && version && olderThan(version, '0.4')) {
          out.push(
            problem(severity, path, `server.type "uv" needs manifest_version 0.4 (this manifest is ${version})`, {
              value,
              fix: 'Set "manifest_version": "0.4", or use type "python" with bundled dependencies.',
            }),
          );
          break;
        }
        if (path[0] === 'user_config' && path.at(-1) === 'type' && value === 'select') {
          out.push(
            problem(severity, path, 'Expected one of "string", "number", "boolean", "directory", "file", found "select" (MCPB has no select type)', {
              value,
              fix: 'Use "type": "string" and list the choices in the description.',
            }),
          );
          break;
        }
        const what = issue.values.length === 1 ? JSON.stringify(issue.values[0]) : `one of ${expectedList(issue.values)}`;
        out.push(problem(severity, path, `Expected ${what}, found ${describeValue(value)}`, { value }));
        break;
      }
      case 'invalid_union': {
        // A branch whose issues all sit deeper matched the container type (e.g. the string[] of a
        // user_config default): its inner issues say more than "no branch matched".
        const deeper = issue.errors.find((branch) => branch.length > 0 && branch.every((e) => e.path.length > 0));
        if (deeper) {
          const nested = deeper.map((e) => ({ ...e, path: [...issue.path, ...e.path] })) as z.core.$ZodIssue[];
          out.push(...issuesToProblems(nested, input, schema, version, severity));
          break;
        }
        const expected = new Set<string>();
        for (const branch of issue.errors) for (const e of branch) if (e.code === 'invalid_type' && e.path.length === 0) expected.add(e.expected === 'array' ? 'an array' : typeName(e.expected));
        const names = [...expected];
        out.push(
          problem(severity, path, `Expected ${names.length > 0 ? names.join(', ') : 'a different shape'}, found ${describeValue(value)}`, { value }),
        );
        break;
      }
      default:
        out.push(problem(severity, path, `${issue.message}, found ${describeValue(value)}`, { value }));
    }
  }
  return out;
}

function hasOwn(obj: unknown, key: string | number): boolean {
  return obj !== null && typeof obj === 'object' && Object.prototype.hasOwnProperty.call(obj, key);
}
