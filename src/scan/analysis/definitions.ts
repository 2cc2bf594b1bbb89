/**
 * Tools, prompts, resources and descriptions the server code registers at run time, collected
 * from the shared analysis pass (server code only). CQ-04 and CD-03 read them; CD-01 may too
 * (`sourceDefinitions(ctx)`).
 */
import type { ScanContext } from '../types.js';
import { bundleAnalysis, type SourceFile } from './bundle.js';
import type { ToolRegistration } from './facts.js';

export interface SourceDefinition extends ToolRegistration {
  file: string;
  line: number;
  column: number;
  /** Line/column of the description expression, when there is one. */
  descriptionLine?: number;
  descriptionColumn?: number;
}

export function definitionsOf(files: SourceFile[]): SourceDefinition[] {
  const out: SourceDefinition[] = [];
  for (const f of files) {
    if (f.isDependency || f.isTest || !f.facts) continue;
    for (const r of f.facts.registrations) {
      const pos = f.lines.position(r.start);
      const d: SourceDefinition = { ...r, file: f.path, line: pos.line, column: pos.column };
      if (r.descriptionSpan) {
        const dp = f.lines.position(r.descriptionSpan.start);
        d.descriptionLine = dp.line;
        d.descriptionColumn = dp.column;
      }
      out.push(d);
    }
  }
  return out;
}

/** Definitions registered by server code (not dependencies, not tests), computed once per scan. */
export async function sourceDefinitions(ctx: ScanContext): Promise<SourceDefinition[]> {
  return ctx.shared('d2:definitions', async () => definitionsOf((await bundleAnalysis(ctx)).files));
}
