#!/usr/bin/env node
// Regenerates checked-in generated files (JSON Schemas exported from the zod schemas, the README
// command reference). With --check, fails when a checked-in file is stale instead of writing it.
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');
const stale = [];

async function emit(relPath, content) {
  const path = join(root, relPath);
  const current = existsSync(path) ? await readFile(path, 'utf8') : undefined;
  if (current === content) return;
  if (check) stale.push(relPath);
  else {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content);
    console.error(`wrote ${relPath}`);
  }
}

// Each generator module exports `generatedFiles(): Promise<Array<{path, content}>>` from dist/.
const generators = ['dist/src/generated.js'];
for (const rel of generators) {
  const path = join(root, rel);
  if (!existsSync(path)) continue;
  const mod = await import(path);
  for (const f of await mod.generatedFiles()) await emit(f.path, f.content);
}

if (stale.length > 0) {
  console.error(`Generated files are stale: ${stale.join(', ')}\nRun: npm run build && npm run generate`);
  process.exit(1);
}
