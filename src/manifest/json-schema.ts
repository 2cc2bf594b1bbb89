import * as z from 'zod';
import { MANIFEST_VERSIONS } from './constants.js';
import { MpakMetaSchema } from './mpak-meta.js';
import { BundleValidateResultSchema } from './result-schema.js';
import { MANIFEST_SCHEMAS } from './schema.js';

const LOCALE_PATTERN = '\\$\\{locale\\}';

/**
 * JSON Schema (draft 2020-12) of each manifest version, exported from the zod schemas. The
 * official generated files lose the "manifest_version or dxt_version" rule; we restore it as an
 * `anyOf` of two `required` lists (mcpb-format.md §1.1). Email and URL keep `format` annotations;
 * the exact rules (zod 3.25's email regex, WHATWG URL parsing) live in the zod schemas.
 */
export function manifestJsonSchema(version: (typeof MANIFEST_VERSIONS)[number]): Record<string, unknown> {
  const schema = z.toJSONSchema(MANIFEST_SCHEMAS[version], {
    target: 'draft-2020-12',
    io: 'input',
    override: (ctx) => {
      // JSON Schema patterns carry no flags: spell out the case-insensitive `${locale}` match.
      if (ctx.jsonSchema.pattern === LOCALE_PATTERN) ctx.jsonSchema.pattern = '\\$\\{[Ll][Oo][Cc][Aa][Ll][Ee]\\}';
    },
  }) as Record<string, unknown>;
  return {
    $schema: schema.$schema,
    $id: `https://mpak.dev/schemas/mcpb-manifest-v${version}.schema.json`,
    title: `MCPB manifest ${version}`,
    ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== '$schema')),
    anyOf: [{ required: ['manifest_version'] }, { required: ['dxt_version'] }],
  };
}

/** The checked-in generated files of this capability (see src/generated.ts). */
export function manifestGeneratedFiles(): { path: string; content: string }[] {
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  const plain = (schema: z.ZodType, id: string, title: string) => {
    const { $schema, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input' }) as Record<string, unknown>;
    return { $schema, $id: `https://mpak.dev/schemas/${id}`, title, ...rest };
  };
  return [
    ...MANIFEST_VERSIONS.map((v) => ({ path: `schemas/mcpb-manifest-v${v}.schema.json`, content: json(manifestJsonSchema(v)) })),
    {
      path: 'schemas/mpak-meta.schema.json',
      content: json(plain(MpakMetaSchema, 'mpak-meta.schema.json', 'mpak manifest extension: _meta["dev.mpak"]')),
    },
    {
      path: 'schemas/mpak-bundle-validate.schema.json',
      content: json(plain(BundleValidateResultSchema, 'mpak-bundle-validate.schema.json', 'mpak bundle validate --json result')),
    },
  ];
}
