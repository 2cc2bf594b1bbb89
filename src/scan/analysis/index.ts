/**
 * The scanner's analysers (D2): JS/TS on oxc-parser, Python on mpak's own tokenizer and parser,
 * and the rule sets of CQ-01..CQ-05 and CD-03. Other scan code (CD-01, skills scanning) reuses
 * them from here.
 */
export { analyseSource, bundleAnalysis, ANALYSIS_KEY, type SourceFile, type BundleAnalysis } from './bundle.js';
export { sourceDefinitions, definitionsOf, type SourceDefinition } from './definitions.js';
export { analyzeJs, nestingDepth } from './js/analyze.js';
export { analyzePython } from './python/analyze.js';
export type { CodeFacts, CallFact, StringFact, ToolRegistration, ValueFact } from './facts.js';
export { descriptionHits, normaliseDescription, type DescriptionHit, type DescriptionContext } from './rules/descriptions.js';
export { findSecrets, redact, SECRET_RULES } from './rules/secrets.js';
export { findEndpoints } from './rules/endpoints.js';
