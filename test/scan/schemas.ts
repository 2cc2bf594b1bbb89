import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { repoRoot } from '../helpers/cli.js';

/** Validators for the report schema we ship and the official SARIF 2.1.0 schema. */
export async function validators() {
  const { default: Ajv2020 } = await import('ajv/dist/2020.js');
  const { default: Ajv } = await import('ajv');
  const { default: addFormats } = await import('ajv-formats');
  const a = new (Ajv2020 as any)({ strict: true, allErrors: true });
  (addFormats as any)(a);
  const report = a.compile(JSON.parse(await readFile(join(repoRoot, 'schemas/mtf-report-1.0.0.schema.json'), 'utf8')));
  const s = new (Ajv as any)({ strict: false, unicodeRegExp: false, allErrors: true, validateSchema: false });
  (addFormats as any)(s);
  const sarif = s.compile(JSON.parse(await readFile(join(repoRoot, '..', 'shared', 'schemas', 'sarif-2.1.0-draft07.schema.json'), 'utf8')));
  return { report, sarif };
}
export const SHARED = join(repoRoot, '..', 'shared');
