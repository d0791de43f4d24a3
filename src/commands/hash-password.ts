// `hash-password`: reads a password from standard input and prints the scrypt hash that
// `web.basicAuth.passwordHash` expects, so the password itself never has to be in the config file.
import { hashPassword } from "../config/password-hash.ts";
import { type Command, UsageError } from "./command.ts";
import { intFlag, parseFlags } from "./parse-flags.ts";

const usage = `Usage: vbo-restore-exporter hash-password [--cost LN] < password.txt

Reads one password from standard input (the first line; a terminal is asked without echo) and
prints its hash for web.basicAuth.passwordHash. The password is not taken as a flag, so it stays
out of the shell history and the process list.

Examples:
  printf '%s' "$WEB_PASSWORD" | vbo-restore-exporter hash-password
  vbo-restore-exporter hash-password            # asks on the terminal

Flags:
  --cost LN   scrypt cost as log2(N), 10 to 20 (default 15; each step doubles the work)`;

/** The first line of what arrives on standard input, without its line ending. */
async function readPiped(input: NodeJS.ReadStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString("utf8").split(/\r?\n/, 1)[0] ?? "";
}

/** A line typed on the terminal, not echoed. */
function readHidden(input: NodeJS.ReadStream, prompt: string): Promise<string> {
  process.stderr.write(prompt);
  input.setRawMode(true);
  input.resume();
  return new Promise((resolve, reject) => {
    let typed = "";
    const finish = (error?: Error) => {
      input.setRawMode(false);
      input.pause();
      input.off("data", onData);
      process.stderr.write("\n");
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (data: Buffer) => {
      for (const char of data.toString("utf8")) {
        if (char === "\r" || char === "\n" || char === "\u0004") return finish();
        if (char === "\u0003") return finish(new Error("cancelled"));
        if (char === "\u007f" || char === "\b") typed = typed.slice(0, -1);
        else typed += char;
      }
    };
    input.on("data", onData);
  });
}

export const hashPasswordCommand: Command = {
  name: "hash-password",
  summary: "print the hash of a password (from standard input) for web.basicAuth.passwordHash",
  usage,
  async run(argv) {
    const flags = parseFlags(argv, { cost: { type: "string" } });
    const cost = intFlag(flags, "cost", 15, 10, 20);
    const password = process.stdin.isTTY
      ? await readHidden(process.stdin, "Password: ")
      : await readPiped(process.stdin);
    if (password === "") throw new UsageError("no password on standard input");
    console.log(await hashPassword(password, cost));
    return 0;
  },
};
