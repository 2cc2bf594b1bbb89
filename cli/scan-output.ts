import { Flags } from '@oclif/core';
import { resolve } from 'node:path';
import { environmentError } from '../src/errors.js';
import { evaluateGate, toSarif, type ScanReport } from '../src/scan/index.js';
import { renderGate, renderScanTable } from '../src/scan/render.js';
import { writeFileAtomic } from '../src/util/fs-atomic.js';
import { outputFileFlag } from './flags.js';
import type { MpakCommand } from './base.js';

/** The gate and output flags `bundle scan` and `skill scan` share. */
export const scanOutputFlags = {
  'min-level': Flags.string({ description: 'Gate: fail (exit 1) below this level, L0..L4 (or 0..4).' }),
  'fail-on': Flags.string({ description: 'Gate: fail (exit 1) on any unsuppressed finding at or above critical|high|medium|low.' }),
  format: Flags.string({ description: 'Output format on stdout.', options: ['table', 'json', 'sarif'], default: 'table' }),
  output: outputFileFlag('Write the report to this file (JSON, or SARIF with --format sarif).'),
  policy: Flags.string({ description: 'Operator suppression policy file (<CONTROL>[/<rule>] <glob> <reason>).' }),
  'ignore-bundle-suppressions': Flags.boolean({ description: 'Ignore inline mpak-ignore comments and the bundle .mpakignore.' }),
  now: Flags.string({ description: 'Fixed clock (RFC 3339) for staleness and recency checks and started_at.' }),
};

export async function writeReportFile(file: string | undefined, text: string): Promise<void> {
  if (!file) return;
  try {
    await writeFileAtomic(resolve(file), text);
  } catch (err) {
    throw environmentError('WRITE_FAILED', `cannot write ${file}: ${(err as Error).message}`, { suggestions: ['Check the folder exists and is writable.'] });
  }
}

/**
 * Applies the gate, writes `-o`, renders the table / JSON / SARIF, and sets exit 1 when the gate
 * does not hold. Shared by every scan command so they report identically.
 */
export async function emitScanReport(
  cmd: MpakCommand,
  report: ScanReport,
  flags: { 'min-level'?: string; 'fail-on'?: string; format: string; output?: string },
): Promise<ScanReport> {
  const gate = evaluateGate(report, { minLevel: flags['min-level'], failOn: flags['fail-on'] });
  if (gate) report.gate = gate;
  const format = cmd.jsonEnabled() ? 'json' : flags.format;
  const document = format === 'sarif' ? toSarif(report) : report;
  await writeReportFile(flags.output, `${JSON.stringify(document, null, 2)}\n`);
  if (!cmd.jsonEnabled()) {
    if (format === 'table') cmd.out(renderScanTable(report, { color: !!process.stdout.isTTY && !process.env.NO_COLOR }));
    else process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
  }
  if (gate) cmd.info(renderGate(gate));
  if (gate && !gate.held) cmd.negative();
  return report;
}
