/**
 * One error type for the whole library. Every failure mpak reports carries a stable `code`
 * (scripts match on it), the exit code of spec/cli.md, and suggestions that quote a runnable
 * command. Core code throws these; the CLI adapter renders them.
 */
export const ExitCode = {
  ok: 0,
  /** The command ran and the answer is negative (gate failed, signature invalid, verify failed). */
  negative: 1,
  /** Usage error or invalid input: bad flag, hostile archive, invalid manifest, unknown package. */
  usage: 2,
  /** Environment failure: network unreachable without cache, disk full, permission denied. */
  environment: 3,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export interface MpakErrorOptions {
  exitCode?: ExitCodeValue;
  suggestions?: string[];
  /** Structured details for `--json` output (problems list, offending paths...). */
  details?: unknown;
  cause?: unknown;
}

export class MpakError extends Error {
  readonly code: string;
  readonly exitCode: ExitCodeValue;
  readonly suggestions: string[];
  readonly details: unknown;

  constructor(code: string, message: string, options: MpakErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MpakError';
    this.code = code;
    this.exitCode = options.exitCode ?? ExitCode.usage;
    this.suggestions = options.suggestions ?? [];
    this.details = options.details;
  }

  toJSON(): { code: string; message: string; exitCode: number; suggestions: string[]; details?: unknown } {
    return {
      code: this.code,
      message: this.message,
      exitCode: this.exitCode,
      suggestions: this.suggestions,
      ...(this.details === undefined ? {} : { details: this.details }),
    };
  }
}

/** Invalid input or usage (exit 2). */
export function inputError(code: string, message: string, options: Omit<MpakErrorOptions, 'exitCode'> = {}) {
  return new MpakError(code, message, { ...options, exitCode: ExitCode.usage });
}

/** The environment failed us: network, disk, permissions (exit 3). */
export function environmentError(
  code: string,
  message: string,
  options: Omit<MpakErrorOptions, 'exitCode'> = {},
) {
  return new MpakError(code, message, { ...options, exitCode: ExitCode.environment });
}

/** A negative answer that must stop the command (exit 1), e.g. a refused download. */
export function negativeError(code: string, message: string, options: Omit<MpakErrorOptions, 'exitCode'> = {}) {
  return new MpakError(code, message, { ...options, exitCode: ExitCode.negative });
}

export function isMpakError(err: unknown): err is MpakError {
  return err instanceof MpakError;
}

/** Maps Node filesystem errors to environment errors with a readable message. */
export function fromFsError(err: unknown, what: string): MpakError | unknown {
  const e = err as NodeJS.ErrnoException;
  if (!e || typeof e.code !== 'string') return err;
  switch (e.code) {
    case 'ENOENT':
      return inputError('NOT_FOUND', `${what}: no such file or directory (${e.path ?? ''})`, {
        suggestions: ['Check the path and try again.'],
      });
    case 'EACCES':
    case 'EPERM':
      return environmentError('PERMISSION_DENIED', `${what}: permission denied (${e.path ?? ''})`);
    case 'ENOSPC':
      return environmentError('DISK_FULL', `${what}: no space left on device`);
    default:
      return err;
  }
}
