import type { Text } from './text.js';

/** Bad input from the learner: one line, exit 2. */
export class UsageError extends Error {
  readonly exitCode = 2;
  /** The message in every language, when it has been translated (the CLI prints the learner's). */
  readonly text?: Text;
  constructor(message: string | Text) {
    super(typeof message === 'string' ? message : message.en);
    this.name = 'UsageError';
    if (typeof message !== 'string') this.text = message;
  }
}

/** Something the workbook tried did not work (a command failed, an endpoint never answered): one line, exit 1. */
export class WorkbookError extends Error {
  readonly exitCode: number;
  readonly hint?: Text;
  /** Waiting cannot fix it (a missing context or tool, a refused explicit URL): a check ends at once. */
  readonly final: boolean;
  constructor(message: string, options: { exitCode?: number; hint?: Text; cause?: unknown; final?: boolean } = {}) {
    super(message, { cause: options.cause });
    this.name = 'WorkbookError';
    this.exitCode = options.exitCode ?? 1;
    this.hint = options.hint;
    this.final = options.final ?? false;
  }
}

/** The learner pressed Ctrl-C or declined a prompt. */
export class CancelledError extends Error {
  readonly exitCode: number = 130;
  constructor(message = 'cancelled') {
    super(message);
    this.name = 'CancelledError';
  }
}

/** The learner said no to a step that needs a yes (teardown): nothing was changed, and that is an answer, not an error. */
export class DeclinedError extends CancelledError {
  override readonly exitCode: number = 0;
  constructor(message: string) {
    super(message);
    this.name = 'DeclinedError';
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
