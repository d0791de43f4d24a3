// The list of CLI commands; each lives in its own file.
import { checkConfigCommand } from "./check-config.ts";
import type { Command } from "./command.ts";

export const commands: readonly Command[] = [checkConfigCommand];
