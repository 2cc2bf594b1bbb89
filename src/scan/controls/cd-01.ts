import { bundleAnalysis } from '../analysis/bundle.js';
import type { RawFinding } from '../types.js';
import { decided, defineControl, finding, manifestLine, manifestPrerequisite } from './helpers.js';

const NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const GENERIC = new Set(['tool', 'action', 'do', 'run', 'execute', 'func']);

/** CD-01 Tool Declaration: manifest tools and prompts are complete, valid and match the source. */
export const cd01 = defineControl('CD-01', async (ctx) => {
  const pre = manifestPrerequisite(ctx, 'CD-01');
  if (pre) return pre;
  const m = ctx.manifest!;
  const findings: RawFinding[] = [];
  const at = (needle: string) => ({ file: 'manifest.json', line: manifestLine(ctx, needle) });
  const generated = m.tools_generated === true;
  if (!Array.isArray(m.tools)) {
    if (!generated) findings.push(finding('CD-01', 'no-tools', 'HIGH', 'No tools declared', 'The manifest has no "tools" list, so users cannot see what the server can do before installing it.', 'List every tool with name and description, or set "tools_generated": true when tools are created at run time.', at('"name"')));
  } else if (!m.tools.length && generated) {
    findings.push(finding('CD-01', 'generated-empty', 'INFO', 'Tools are generated at run time', 'tools_generated is true and the list is empty.', 'Nothing to do.', at('"tools_generated"')));
  }
  const manifestNames = new Set<string>();
  for (const [kind, list] of [['tool', m.tools], ['prompt', m.prompts]] as const) {
    if (!Array.isArray(list)) continue;
    const seen = new Set<string>();
    list.forEach((t: any, i: number) => {
      const name = t?.name;
      if (typeof name !== 'string' || !name || typeof t?.description !== 'string' || !t.description.trim()) {
        if (kind === 'tool' || typeof name !== 'string') findings.push(finding('CD-01', 'incomplete', 'HIGH', `A ${kind} lacks a name or description`, `${kind}s[${i}] needs both "name" and "description".`, `Give ${kind}s[${i}] a name and a description of what it does.`, at(typeof name === 'string' ? `"${name}"` : `"${kind}s"`)));
        if (typeof name !== 'string') return;
      }
      if (seen.has(name)) findings.push(finding('CD-01', 'duplicate', 'HIGH', `Duplicate ${kind} name ${name}`, `${name} is declared more than once.`, 'Give every tool a unique name.', at(`"${name}"`)));
      seen.add(name);
      if (kind === 'tool') manifestNames.add(name);
      if (kind !== 'tool') return;
      if (!NAME.test(name)) findings.push(finding('CD-01', 'invalid-name', 'HIGH', `Tool name ${JSON.stringify(name).slice(0, 80)} is not portable`, 'Tool names must match /^[a-zA-Z0-9_-]{1,64}$/, the subset model APIs accept.', 'Rename the tool with letters, digits, _ and - only.', at(`"${name}"`)));
      else if (GENERIC.has(name.toLowerCase())) findings.push(finding('CD-01', 'generic-name', 'LOW', `Generic tool name ${name}`, `"${name}" says nothing about what the tool does and collides easily with other servers.`, 'Use a specific snake_case name such as search_issues.', at(`"${name}"`)));
      else if (!/^[a-z0-9]+(?:_[a-z0-9]+)*$/.test(name)) findings.push(finding('CD-01', 'not-snake-case', 'LOW', `Tool name ${name} is not snake_case`, 'snake_case names are the convention clients expect.', `Rename it, e.g. ${name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/-/g, '_').toLowerCase()}.`, at(`"${name}"`)));
    });
  }
  const analysis = await bundleAnalysis(ctx);
  const sourceTools = new Map<string, { file: string; start: number; lines: { position(o: number): { line: number; column: number } } }>();
  for (const f of analysis.files) {
    if (f.isDependency || !f.facts) continue;
    for (const r of f.facts.registrations) if (r.kind === 'tool' && r.name) sourceTools.set(r.name, { file: f.path, start: r.start, lines: f.lines });
  }
  if (!generated) {
    for (const [name, where] of sourceTools) {
      if (manifestNames.has(name)) continue;
      const pos = where.lines.position(where.start);
      findings.push(finding('CD-01', 'undeclared-tool', 'HIGH', `Tool ${name} is not declared`, `${where.file} registers tool "${name}", which the manifest does not list.`, `Add "${name}" to manifest.tools, or set "tools_generated": true.`, { file: where.file, line: pos.line, column: pos.column }));
    }
  }
  if (sourceTools.size || analysis.files.some((f) => !f.isDependency && f.facts)) {
    for (const name of manifestNames) {
      if (!sourceTools.has(name)) findings.push(finding('CD-01', 'not-found-in-source', 'LOW', `Tool ${name} not found in source`, `No literal registration of "${name}" was found; it may be registered dynamically.`, 'Register tools with literal names so they can be checked.', at(`"${name}"`)));
    }
  }
  return decided(findings, `${manifestNames.size} tools declared${sourceTools.size ? `, ${sourceTools.size} found in source` : ''}`);
});
