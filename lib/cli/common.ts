// What the commands share: where they write, and the error that means bad usage (exit code 2).

/** Where the command writes; tests pass their own. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly writeFile: (path: string, content: string) => void;
  /** Standard input, read whole; by default the process's. */
  readonly readStdin?: () => string;
}

/** A mistake in the command line: reported with exit code 2. */
export class UsageError extends Error {}
