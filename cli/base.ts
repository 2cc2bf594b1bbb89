import { Command, Flags } from '@oclif/core';
import { ExitCode, isMpakError } from '../src/errors.js';

/**
 * The base of every mpak command: `--json` on, one error renderer, stderr for everything that is
 * not the result. Commands stay adapters: parse flags, call one core function, render, return.
 */
export abstract class MpakCommand extends Command {
  static override enableJsonFlag = true;

  static override baseFlags = {
    debug: Flags.boolean({ description: 'Show stack traces and internal details on errors.', helpGroup: 'GLOBAL' }),
  };

  /** Diagnostics and human output that is not the result: always stderr. */
  info(message = ''): void {
    process.stderr.write(`${message}\n`);
  }

  /** Human rendering of a result: stdout, and only when --json is off. */
  out(message = ''): void {
    if (!this.jsonEnabled()) process.stdout.write(`${message}\n`);
  }

  /** A negative answer that is not a crash: the result is still returned, the exit code is 1. */
  negative(): void {
    process.exitCode = ExitCode.negative;
  }

  protected get debugEnabled(): boolean {
    return this.argv.includes('--debug') || /(^|,)mpak/.test(process.env.DEBUG ?? '');
  }

  protected override async catch(err: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<void> {
    let exitCode: number;
    let payload: Record<string, unknown>;
    if (isMpakError(err)) {
      exitCode = err.exitCode;
      payload = err.toJSON();
      if (!this.jsonEnabled()) {
        this.info(`Error: ${err.message}`);
        for (const s of err.suggestions) this.info(`  → ${s}`);
        if (this.debugEnabled && err.stack) this.info(err.stack);
      }
    } else if (err.oclif?.exit !== undefined) {
      // oclif's own parse and usage errors: unknown flag, missing argument...
      exitCode = err.oclif.exit === 0 ? 0 : ExitCode.usage;
      if (exitCode === 0) throw err;
      payload = { code: 'USAGE', message: err.message, exitCode, suggestions: [`mpak ${this.id?.replaceAll(':', ' ') ?? ''} --help`] };
      if (!this.jsonEnabled()) {
        this.info(`Error: ${err.message}`);
        this.info(`  → See: mpak ${this.id?.replaceAll(':', ' ') ?? ''} --help`);
      }
    } else {
      exitCode = ExitCode.usage;
      const versions = `mpak ${this.config.version}, node ${process.version}, ${process.platform}-${process.arch}`;
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOSPC' || code === 'EACCES' || code === 'EPERM' || code === 'EROFS') exitCode = ExitCode.environment;
      payload = { code: 'INTERNAL', message: err.message, exitCode, suggestions: [], versions };
      if (!this.jsonEnabled()) {
        if (exitCode === ExitCode.environment) this.info(`Error: ${err.message}`);
        else this.info(`Error: ${err.message}\nThis is a bug in mpak (${versions}). Run again with --debug for details.`);
        if (this.debugEnabled && err.stack) this.info(err.stack);
      }
    }
    if (this.jsonEnabled()) process.stdout.write(`${JSON.stringify({ error: payload }, null, 2)}\n`);
    process.exitCode = exitCode;
    this.exit(exitCode);
  }
}
