/** The per-file analysis step shared by the in-process path and the worker pool. */
import type { CodeFacts } from './facts.js';
import { analyzeJs } from './js/analyze.js';
import { analyzePython } from './python/analyze.js';

export interface FactsJob {
  path: string;
  text: string;
  language: 'js' | 'python';
  /** Dependency code (§4.2): the JS analyser keeps only the facts dependency rules read. */
  dependency?: boolean;
}

export async function factsOf(job: FactsJob): Promise<CodeFacts> {
  return job.language === 'js' ? analyzeJs(job.path, job.text, { dependency: job.dependency ?? false }) : analyzePython(job.path, job.text);
}
