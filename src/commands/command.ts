// The shape every CLI command implements, and the usage error that makes the CLI exit 2.

export interface Command {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** Full usage text printed by --help and after a usage error. */
  readonly usage: string;
  /** Runs the command; resolves to the process exit code. Throws UsageError on bad flags. */
  run(argv: readonly string[]): Promise<number>;
}

/** Bad flags or options: the CLI prints a one-line error and the usage, and exits 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}
