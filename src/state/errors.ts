// Typed failures of the state store: a file we cannot use, with the way out in the message.
import { ExporterError } from "../errors.ts";

export class StateFileError extends ExporterError {
  override readonly name = "StateFileError";
  readonly file: string;

  constructor(file: string, problem: string, options?: { cause?: unknown }) {
    super(
      "state_file",
      `${file}: ${problem}. Move the file away (or point state.dir elsewhere) to start with fresh state; the exporter then re-reads the configured lookback.`,
      options,
    );
    this.file = file;
  }
}
