import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The worker pool runs only from the built code (dist/, made by `npm run build`, which `npm test`
// runs first): worker.js must exist. Facts from the workers must equal in-process facts, in order.
describe('analysis worker pool (built code)', () => {
  it('returns the same facts as in-process analysis, in job order', async () => {
    const pool = await import(join(process.cwd(), 'dist/src/scan/analysis/pool.js'));
    expect(pool.parallelAnalysisAvailable() || (await import('node:os')).availableParallelism() < 2).toBe(true);
    const dir = 'node_modules/@modelcontextprotocol/server-filesystem/dist';
    const jobs = ['index.js', 'lib.js', 'path-utils.js', 'path-validation.js', 'roots-utils.js'].map((f) => ({ path: `node_modules/x/${f}`, text: readFileSync(join(dir, f), 'utf8'), language: 'js', dependency: f !== 'index.js' }));
    jobs.push({ path: 'server/bad.js', text: 'const = ;', language: 'js', dependency: false });
    const pooled = await pool.analyseAll(jobs, { workers: 2 });
    const inProcess = await pool.analyseAll(jobs, { workers: 0 });
    expect(pooled).toHaveLength(jobs.length);
    expect(pooled).toEqual(inProcess);
    expect(pooled[jobs.length - 1].parseError).toBeTruthy();
    expect(pooled[0].calls.length).toBeGreaterThan(0);
  });
});
