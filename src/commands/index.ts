// The list of CLI commands; each lives in its own file.
import { auditCommand } from "./audit.ts";
import { checkConfigCommand } from "./check-config.ts";
import type { Command } from "./command.ts";
import { deadLettersCommand } from "./dead-letters.ts";
import { hashPasswordCommand } from "./hash-password.ts";
import { quarantineCommand } from "./quarantine.ts";
import { reportCommand } from "./report.ts";
import { serveCommand } from "./serve.ts";
import { simulateCommand } from "./simulate.ts";

export const commands: readonly Command[] = [
  serveCommand,
  checkConfigCommand,
  simulateCommand,
  deadLettersCommand,
  quarantineCommand,
  auditCommand,
  hashPasswordCommand,
  reportCommand,
];
