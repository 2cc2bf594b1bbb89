/**
 * Runs the per-file analysis of a bundle on a small worker_threads pool, one worker per core (at
 * most 4), so parsing and fact extraction use every core while the engine's other controls run
 * on the main thread. Workers receive the file text and return compact `CodeFacts` (no AST), so
 * the transfer cost is small against the parse. Results come back by job index: the merged
 * order, and so the report, do not depend on which worker finished first.
 *
 * The pool is used only from the built JavaScript (dist/), where worker.js exists, and only for
 * bundles large enough to repay the start-up of the workers (~100 ms each, oxc loaded per
 * worker); otherwise, and whenever a worker fails, the same `factsOf` runs in-process.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { CodeFacts } from './facts.js';
import { factsOf, type FactsJob } from './facts-of.js';

/** Below this much source text, start-up costs more than the pool saves. */
const MIN_POOL_CHARS = 2 * 1024 * 1024;
const MAX_WORKERS = 4;
/**
 * Jobs queued per worker: enough that a worker keeps busy while the main thread is inside a
 * long synchronous step of another control and cannot hand out the next file.
 */
const IN_FLIGHT = 4;
/**
 * A small young generation per worker: each file's AST dies young anyway, and the default
 * (~48 MiB per isolate) pushed the bench scan's peak RSS over 400 MB for no measurable speed.
 */
const WORKER_YOUNG_GENERATION_MB = 8;

function workerUrl(): URL | undefined {
  const url = new URL('./worker.js', import.meta.url);
  // Running from the TypeScript sources (tests): there is no worker.js to start.
  return import.meta.url.endsWith('.js') && existsSync(fileURLToPath(url)) ? url : undefined;
}

async function inProcess(jobs: FactsJob[]): Promise<CodeFacts[]> {
  const out: CodeFacts[] = [];
  for (const job of jobs) out.push(await factsOf(job));
  return out;
}

/** True when `analyseAll` can use worker threads here (built code, more than one core). */
export function parallelAnalysisAvailable(): boolean {
  return workerUrl() !== undefined && availableParallelism() >= 2;
}

/** The facts of every job, in job order. `workers: 0` forces the in-process path. */
export async function analyseAll(jobs: FactsJob[], options: { workers?: number } = {}): Promise<CodeFacts[]> {
  const chars = jobs.reduce((n, j) => n + j.text.length, 0);
  const url = workerUrl();
  const count = Math.min(options.workers ?? Math.min(availableParallelism(), MAX_WORKERS), jobs.length);
  if (!url || count < 1 || (options.workers === undefined && (count < 2 || chars < MIN_POOL_CHARS))) return inProcess(jobs);

  const { Worker } = await import('node:worker_threads');
  const results: (CodeFacts | undefined)[] = new Array(jobs.length);
  let next = 0;
  await new Promise<void>((resolve) => {
    let live = 0;
    const start = () => {
      const w = new Worker(url, { resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } });
      live++;
      const pending = new Set<number>();
      const feed = () => {
        while (pending.size < IN_FLIGHT && next < jobs.length) {
          const id = next++;
          pending.add(id);
          w.postMessage({ id, ...jobs[id] });
        }
        if (pending.size === 0) finish();
      };
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        live--;
        void w.terminate();
        if (live === 0) resolve();
      };
      w.on('message', (m: { id: number; facts?: CodeFacts; error?: string }) => {
        pending.delete(m.id);
        if (m.facts) results[m.id] = m.facts;
        feed();
      });
      // A crashed worker: its unfinished jobs run in-process below.
      w.on('error', finish);
      w.on('exit', finish);
      feed();
    };
    for (let i = 0; i < count; i++) start();
  });
  // Jobs a failed worker did not answer, or that threw there: in-process, where errors surface as before.
  for (let i = 0; i < jobs.length; i++) results[i] ??= await factsOf(jobs[i] as FactsJob);
  return results as CodeFacts[];
}
