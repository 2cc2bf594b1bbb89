import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cachedVersion: string | undefined;

/** mpak's own version, from the package.json above this module (src/ or dist/src/). */
export async function scannerVersion(): Promise<string> {
  if (cachedVersion) return cachedVersion;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const pkg = await readFile(join(dir, 'package.json'), 'utf8').then(JSON.parse, () => undefined);
    if (pkg?.name === 'mpak') return (cachedVersion = String(pkg.version));
    dir = dirname(dir);
  }
  return (cachedVersion = '0.0.0');
}
