import * as z from 'zod';
import { MANIFEST_VERSIONS } from './constants.js';

/** The `--json` result of `mpak bundle validate`: a public API, exported as JSON Schema. */
export const ProblemSchema = z.strictObject({
  severity: z.enum(['error', 'warning']),
  path: z.array(z.union([z.string(), z.number()])),
  pathText: z.string(),
  message: z.string(),
  value: z.unknown().optional(),
  fix: z.string().optional(),
});

export const BundleValidateResultSchema = z.strictObject({
  valid: z.boolean(),
  version: z.enum(MANIFEST_VERSIONS).optional(),
  errors: z.array(ProblemSchema),
  warnings: z.array(ProblemSchema),
  path: z.string(),
});

export type BundleValidateResult = z.infer<typeof BundleValidateResultSchema>;
