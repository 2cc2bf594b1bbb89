/**
 * CQ-06 Behavioral Analysis (L4): only with `--run`. Starts the bundle's server in the sandbox
 * of analysis/behavior.ts, lists its tools, prompts and resources (never calling a tool), and
 * compares what it exposes and does with the manifest. CD-03 rules run on every runtime text.
 */
import { spawnSync } from 'node:child_process';
import { runBehavior, type BehaviorRun, type MonitorEvent } from '../analysis/behavior.js';
import type { Control, ControlResult, RawFinding, ScanContext, Severity } from '../types.js';
import { describeTexts, type DescribedText } from './cd-03.js';

const SECRET_KEY = /^(?:AWS_ACCESS_KEY\w*|AWS_SECRET\w*|AWS_SESSION_TOKEN|GOOGLE_APPLICATION_CREDENTIALS|DATABASE_URL|REDIS_URL|MONGO\w*_URI|\w*_API_KEY|\w*_SECRET(?:_KEY)?|\w*_PRIVATE_KEY|\w*_TOKEN|\w*_PASSWORD|\w*_CREDENTIALS)$/;
const AGENT_CONFIG = /\.claude[/\\]settings(?:\.local)?\.json|\.claude[/\\](?:skills|agents|commands)|\.cursor[/\\]mcp\.json|\.vscode[/\\]mcp\.json|claude_desktop_config\.json/;
const norm = (s: string | undefined) => (s ?? '').trim().replace(/\s+/g, ' ');

function finding(rule: string, severity: Severity, title: string, description: string, details?: Record<string, unknown>): RawFinding {
  return {
    control: 'CQ-06',
    rule,
    severity,
    title,
    description,
    remediation: 'Make the server do at run time exactly what its manifest declares: the same tools and descriptions, and no access beyond its declared permissions.',
    ...(details ? { details } : {}),
  };
}

function isLocal(target: string): boolean {
  return /^(?:127\.|localhost|::1|\[::1\]|\/|unix:)/.test(target) || target === 'undefined';
}

/** Findings from a finished behavioural run (exported for tests). */
export function behaviorFindings(run: BehaviorRun, manifest: Record<string, any>): RawFinding[] {
  const out: RawFinding[] = [];
  const perms = manifest?._meta?.['org.mpaktrust']?.permissions ?? {};
  const declaredEnv = new Set(Object.keys(manifest?.server?.mcp_config?.env ?? {}));
  if (!run.initialized) {
    out.push(finding('server-start-failed', 'HIGH', 'Server did not start or answer initialize', `${run.error ?? 'no answer'}; stderr: ${run.stderrTail.slice(-300)}`));
  }
  const decoyHit = (e: MonitorEvent) => Object.keys(run.decoys).find((d) => e.target.includes(`${run.home}/${d}`) || e.target.endsWith(`/${d}`));
  const reported = new Set<string>();
  const once = (key: string, f: RawFinding) => {
    if (reported.has(key)) return;
    reported.add(key);
    out.push(f);
  };
  for (const e of run.events) {
    if (e.kind === 'monitor') continue;
    const canaryIn = run.canaries.find((c) => e.target.includes(c));
    if ((e.kind === 'file-read' || e.kind === 'file-write') && decoyHit(e)) {
      once(`decoy|${decoyHit(e)}`, finding('decoy-read', 'CRITICAL', 'Decoy credential file accessed', `The server accessed the decoy ~/${decoyHit(e)} (${e.api}).`, { event: e }));
    }
    if (e.kind === 'file-write' && AGENT_CONFIG.test(e.target)) once(`agent|${e.target}`, finding('agent-config-write', 'CRITICAL', 'Agent configuration written', `The server wrote ${e.target}.`, { event: e }));
    if ((e.kind === 'network' || e.kind === 'dns') && canaryIn) once(`canary|${e.target}`, finding('canary-exfiltration', 'CRITICAL', 'Canary value sent out', `A canary value appeared in an outbound ${e.kind} attempt (${e.api}).`, { event: { ...e, target: e.target.slice(0, 200) } }));
    if ((e.kind === 'network' || e.kind === 'dns') && !isLocal(e.target)) {
      if (e.beforeInit) once(`early|${e.api}`, finding('network-before-initialize', 'CRITICAL', 'Network attempt before initialize', `The server tried ${e.api} ${e.target.slice(0, 100)} before answering initialize.`, { event: e }));
      else if (perms.network === 'none') once(`net|${e.api}`, finding('undeclared-network', 'CRITICAL', 'Network use with permissions.network "none"', `${e.api} ${e.target.slice(0, 100)}`, { event: e }));
    }
    if (e.kind === 'subprocess' && perms.subprocess === 'none') once(`sub|${e.target}`, finding('undeclared-subprocess', 'CRITICAL', 'Subprocess with permissions.subprocess "none"', `${e.api}: ${e.target.slice(0, 100)}`, { event: e }));
    if (e.kind === 'env-read' && SECRET_KEY.test(e.target) && !declaredEnv.has(e.target)) once(`env|${e.target}`, finding('undeclared-env-read', 'MEDIUM', 'Undeclared secret-named environment read', `The server read ${e.target}, which mcp_config.env does not declare.`, { event: e }));
  }
  if (run.nonJsonStdout > 0) out.push(finding('non-json-stdout', 'MEDIUM', 'Non-JSON output on stdout', `${run.nonJsonStdout} line(s) on stdout were not JSON-RPC; stdout belongs to the protocol.`));
  const listing = run.listing;
  if (!listing) return out;
  const declared = new Map<string, string | undefined>();
  for (const t of Array.isArray(manifest?.tools) ? manifest.tools : []) if (typeof t?.name === 'string') declared.set(t.name, t.description);
  const generated = manifest?.tools_generated === true;
  for (const t of listing.tools) {
    if (!declared.has(t.name)) out.push(finding('undeclared-tool', generated ? 'MEDIUM' : 'HIGH', 'Runtime tool missing from the manifest', `The server exposes "${t.name}", which manifest.tools does not list.`));
    else if (!generated && norm(declared.get(t.name)) !== norm(t.description)) {
      out.push(finding('description-mismatch', 'HIGH', 'Runtime description differs from the manifest', `Tool "${t.name}": manifest "${norm(declared.get(t.name)).slice(0, 200)}" vs runtime "${norm(t.description).slice(0, 200)}".`));
    }
  }
  const runtimeNames = new Set(listing.tools.map((t) => t.name));
  for (const name of declared.keys()) if (!runtimeNames.has(name)) out.push(finding('missing-tool', 'MEDIUM', 'Manifest tool missing at run time', `manifest tool "${name}" was not listed by the server.`));
  const total = listing.tools.length + listing.prompts.length + listing.resources.length;
  if (total > 100) out.push(finding('too-many-capabilities', 'MEDIUM', 'More than 100 tools, prompts and resources', `${total} in total.`));
  const texts: DescribedText[] = [];
  if (listing.instructions) texts.push({ label: 'runtime instructions', text: listing.instructions });
  for (const t of listing.tools) {
    if (t.description) texts.push({ label: `runtime tool "${t.name}" description`, text: t.description, toolName: t.name, inputProperties: Object.keys(t.inputSchema?.properties ?? {}) });
    for (const [p, s] of Object.entries<any>(t.inputSchema?.properties ?? {})) if (typeof s?.description === 'string') texts.push({ label: `runtime tool "${t.name}" parameter "${p}"`, text: s.description });
  }
  for (const p of listing.prompts) if (p.description) texts.push({ label: `runtime prompt "${p.name}" description`, text: p.description });
  for (const r of listing.resources) if (r.description) texts.push({ label: `runtime resource "${r.name}" description`, text: r.description });
  const ownTools = new Set([...declared.keys(), ...runtimeNames]);
  out.push(...describeTexts(texts, { ownTools, selfWords: [String(manifest?.name ?? '')] }, 'CQ-06', 'cd03/'));
  for (const t of texts) {
    const c = run.canaries.find((x) => t.text.includes(x));
    if (c) out.push(finding('canary-in-description', 'CRITICAL', 'Canary value in a description', `${t.label} contains a canary planted in the sandbox.`));
  }
  return out;
}

function interpreterMissing(ctx: ScanContext): string | undefined {
  const type = ctx.manifest?.server?.type;
  const command = ctx.manifest?.server?.mcp_config?.command ?? (type === 'python' ? 'python3' : undefined);
  if (type !== 'python' || typeof command !== 'string') return undefined;
  const r = spawnSync(command, ['--version'], { timeout: 5000, stdio: 'ignore' });
  return r.status === 0 ? undefined : `${command} is not available to start this python bundle`;
}

export const cq06: Control = {
  id: 'CQ-06',
  name: 'Behavioral Analysis',
  level: 4,
  domain: 'code_quality',
  async evaluate(ctx: ScanContext): Promise<ControlResult> {
    if (!ctx.options.run) return { status: 'unverified', reason: 'behavioural run not permitted', requires: ['--run'], findings: [] };
    if (!ctx.manifest) return { status: 'fail', reason: 'prerequisite failed: AI-01', findings: [finding('prerequisite-failed', 'HIGH', 'prerequisite failed: AI-01', 'manifest.json does not parse, so the server cannot be started.')] };
    if (ctx.manifest.server?.type === 'uv') return { status: 'unverified', reason: 'uv bundles resolve dependencies over the network at launch; not run offline', requires: [], findings: [] };
    const missing = interpreterMissing(ctx);
    if (missing) return { status: 'unverified', reason: missing, requires: [], findings: [] };
    const { scannerVersion } = await import('../engine/scan.js');
    const run = await runBehavior({ files: ctx.files.map((f) => ({ path: f.path, mode: f.mode, bytes: () => f.bytes() })), manifest: ctx.manifest, version: await scannerVersion() });
    const findings = behaviorFindings(run, ctx.manifest);
    const data = {
      network_isolation: run.networkIsolation,
      ...(run.isolationNote ? { isolation_note: run.isolationNote } : {}),
      observability: run.observability,
      events: run.events.filter((e) => e.kind !== 'file-read' || Object.keys(run.decoys).some((d) => e.target.endsWith(d))).length,
      runtime: run.listing ? { tools: run.listing.tools.length, prompts: run.listing.prompts.length, resources: run.listing.resources.length } : null,
    };
    const reason = run.initialized
      ? `server ran in a sandbox (network isolation: ${run.networkIsolation}); ${run.listing?.tools.length ?? 0} tool(s) listed, none called`
      : `server did not answer initialize: ${run.error ?? 'unknown'}`;
    return { status: 'pass', reason, findings, data };
  },
};
