/** Errors shared by every stage. Always pass `cause` when wrapping. */

/** Bad input from a person: config, inventory, CSV, CLI arguments. CLI exit code 2. */
export class InputError extends Error {
  override name = 'InputError';
  constructor(
    message: string,
    /** Every problem found, each already formatted (`file:line:col: message`). */
    readonly problems: string[] = [message],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A runtime failure (daemon down, IO error). CLI exit code 1. */
export class RuntimeError extends Error {
  override name = 'RuntimeError';
}

export const EXIT = { OK: 0, RUNTIME: 1, INPUT: 2 } as const;

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
