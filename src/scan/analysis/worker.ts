/**
 * Worker-thread entry of the analysis pool (pool.ts): parses and analyses one JS/TS or Python file
 * per message and posts back its `CodeFacts`, which are plain data and survive structured clone
 * unchanged. The AST never leaves the worker.
 */
import { parentPort } from 'node:worker_threads';
import { factsOf, type FactsJob } from './facts-of.js';

parentPort?.on('message', async (job: FactsJob & { id: number }) => {
  try {
    parentPort!.postMessage({ id: job.id, facts: await factsOf(job) });
  } catch (err) {
    parentPort!.postMessage({ id: job.id, error: (err as Error).message ?? String(err) });
  }
});
