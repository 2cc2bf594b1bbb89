import type { Readable, Writable } from 'node:stream';

/**
 * `mpak bundle run --guard`: mpak sits between the MCP client and the server, relaying
 * newline-delimited JSON-RPC. It answers `tools/call` for tools the manifest does not declare
 * with a JSON-RPC error (the server never sees the call), and compares the server's `tools/list`
 * against the declared tools: a tool that is undeclared or whose description changed is reported
 * on stderr; in strict mode it is also removed from the list and its calls are refused.
 */

export type GuardMode = 'warn' | 'strict';

export interface DeclaredTool {
  name: string;
  description?: string;
}

export interface GuardOptions {
  mode: GuardMode;
  tools: DeclaredTool[];
  clientIn: Readable;
  clientOut: Writable;
  serverIn: Writable;
  serverOut: Readable;
  warn: (message: string) => void;
}

/** JSON-RPC error code for a refused call (implementation-defined server error range). */
export const GUARD_REFUSED_CODE = -32001;

type Message = { jsonrpc?: string; id?: string | number | null; method?: string; params?: any; result?: any; error?: unknown };

/** Splits a stream into lines and calls `onLine` for each complete one. */
function eachLine(stream: Readable, onLine: (line: string) => void, onEnd: () => void): void {
  let buffered = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffered += chunk;
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      onLine(line);
    }
  });
  stream.on('end', () => {
    if (buffered.length > 0) onLine(buffered);
    onEnd();
  });
}

function parse(line: string): Message | Message[] | undefined {
  try {
    const v = JSON.parse(line) as unknown;
    return typeof v === 'object' && v !== null ? (v as Message | Message[]) : undefined;
  } catch {
    return undefined;
  }
}

/** Starts relaying; returns a summary object that fills in as traffic flows (for tests and logs). */
export function startGuard(o: GuardOptions): { refusedCalls: string[]; flaggedTools: string[] } {
  const declared = new Map(o.tools.map((t) => [t.name, t]));
  const blocked = new Set<string>();
  const pendingLists = new Set<string>();
  const summary = { refusedCalls: [] as string[], flaggedTools: [] as string[] };
  const idKey = (id: unknown) => JSON.stringify(id);

  const refuse = (msg: Message, why: string): Message => ({
    jsonrpc: '2.0',
    id: msg.id ?? null,
    error: { code: GUARD_REFUSED_CODE, message: `mpak guard: ${why}` },
  });

  // client → server
  eachLine(
    o.clientIn,
    (line) => {
      const parsed = parse(line);
      if (parsed === undefined) {
        o.serverIn.write(`${line}\n`);
        return;
      }
      const messages = Array.isArray(parsed) ? parsed : [parsed];
      const forward: Message[] = [];
      const answers: Message[] = [];
      for (const m of messages) {
        if (m.method === 'tools/call') {
          const name = String(m.params?.name ?? '');
          if (!declared.has(name) || blocked.has(name)) {
            const why = declared.has(name) ? `tool "${name}" changed its description since it was scanned` : `tool "${name}" is not declared in the bundle manifest`;
            o.warn(`guard: refused tools/call ${name}: ${why}`);
            summary.refusedCalls.push(name);
            if (m.id !== undefined) answers.push(refuse(m, `refused: ${why}`));
            continue;
          }
        }
        if (m.method === 'tools/list' && m.id !== undefined) pendingLists.add(idKey(m.id));
        forward.push(m);
      }
      if (forward.length > 0) o.serverIn.write(`${JSON.stringify(Array.isArray(parsed) ? forward : forward[0])}\n`);
      if (answers.length > 0) o.clientOut.write(`${JSON.stringify(Array.isArray(parsed) ? answers : answers[0])}\n`);
    },
    () => o.serverIn.end(),
  );

  // server → client
  eachLine(
    o.serverOut,
    (line) => {
      const parsed = parse(line);
      if (parsed === undefined || pendingLists.size === 0) {
        o.clientOut.write(`${line}\n`);
        return;
      }
      const messages = Array.isArray(parsed) ? parsed : [parsed];
      let changed = false;
      for (const m of messages) {
        if (m.id === undefined || !pendingLists.has(idKey(m.id)) || !Array.isArray(m.result?.tools)) continue;
        pendingLists.delete(idKey(m.id));
        const kept = [];
        for (const tool of m.result.tools as { name?: unknown; description?: unknown }[]) {
          const name = String(tool.name);
          const known = declared.get(name);
          let problem: string | undefined;
          if (!known) problem = `tool "${name}" is offered by the server but not declared in the manifest`;
          else if (known.description !== undefined && tool.description !== known.description) {
            problem = `tool "${name}" description differs from the manifest`;
          }
          if (problem) {
            summary.flaggedTools.push(name);
            o.warn(`guard: ${problem}${o.mode === 'strict' ? ' (hidden)' : ''}`);
            if (o.mode === 'strict') {
              blocked.add(name);
              changed = true;
              continue;
            }
          }
          kept.push(tool);
        }
        m.result.tools = kept;
      }
      o.clientOut.write(changed ? `${JSON.stringify(Array.isArray(parsed) ? messages : messages[0])}\n` : `${line}\n`);
    },
    () => {},
  );
  return summary;
}
