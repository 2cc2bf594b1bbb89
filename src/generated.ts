/**
 * Every generated file that is checked in (JSON Schemas exported from zod, and so on). `npm run
 * generate` writes them; `npm run check:generated` fails CI when one is stale. Each capability adds
 * its generator to the list below.
 */
export interface GeneratedFile {
  /** Repository-relative path. */
  path: string;
  content: string;
}

type Generator = () => Promise<GeneratedFile[]> | GeneratedFile[];

const generators: Generator[] = [
  async () => (await import('./manifest/json-schema.js')).manifestGeneratedFiles(),
  async () => (await import('./scan/report-schema.js')).scanGeneratedFiles(),
];

export async function generatedFiles(): Promise<GeneratedFile[]> {
  const out: GeneratedFile[] = [];
  for (const g of generators) out.push(...(await g()));
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
