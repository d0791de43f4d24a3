// `hash-password`: reads a password from standard input and prints the scrypt hash that
// `web.basicAuth.passwordHash` expects, so the password itself never has to be in the config file.
import { hashPassword } from "../config/password-hash.ts";
import { type Command, UsageError } from "./command.ts";
import { intFlag, parseFlags } from "./parse-flags.ts";
import { readHidden, readPiped } from "./read-secret.ts";

const usage = `Usage: vbo-restore-exporter hash-password [--cost LN] < password.txt

Reads one password from standard input (the first line; a terminal is asked without echo) and
prints its hash for web.basicAuth.passwordHash. The password is not taken as a flag, so it stays
out of the shell history and the process list.

Examples:
  printf '%s' "$WEB_PASSWORD" | vbo-restore-exporter hash-password
  vbo-restore-exporter hash-password            # asks on the terminal

Flags:
  --cost LN   scrypt cost as log2(N), 10 to 20 (default 15; each step doubles the work)`;

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
