// Command-line entry point: picks the command, prints usage on bad input (exit 2), runs it.
import packageJson from "../package.json" with { type: "json" };
import type { Command } from "./commands/command.ts";
import { UsageError } from "./commands/command.ts";
import { commands } from "./commands/index.ts";

const PROGRAM = "vbo-restore-exporter";

function overview(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `Usage: ${PROGRAM} <command> [flags]\n\nCommands:\n${lines.join("\n")}\n\nRun "${PROGRAM} <command> --help" for the flags of a command, "${PROGRAM} --version" for the version.`;
}

export async function runCli(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    console.log(overview());
    return name === undefined ? 2 : 0;
  }
  if (name === "--version" || name === "-V" || name === "version") {
    console.log(`${PROGRAM} ${packageJson.version}`);
    return 0;
  }
  const command: Command | undefined = commands.find((c) => c.name === name);
  if (!command) {
    console.error(`${PROGRAM}: unknown command "${name}"\n\n${overview()}`);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    console.log(command.usage);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`${PROGRAM} ${command.name}: ${error.message}\n\n${command.usage}`);
      return 2;
    }
    throw error;
  }
}

/** Runs the CLI and sets the process exit code; unexpected errors print one line, exit 1. */
export async function main(argv: readonly string[]): Promise<void> {
  try {
    process.exitCode = await runCli(argv);
  } catch (error: unknown) {
    console.error(`${PROGRAM}: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}

if (import.meta.main) await main(process.argv.slice(2));
