// `audit`: VBO's audit feature from the command line, against a configured server — the users and
// groups whose data is watched, and where VBO mails its notices — instead of Postman.
import { parseArgs } from "node:util";
import { describeError } from "../errors.ts";
import { scrub } from "../secrets/scrub.ts";
import { AuditCommandError, connect } from "./audit-connect.ts";
import { getEmail, setEmail, testEmail } from "./audit-email.ts";
import { addItems, listItems, removeItems } from "./audit-items.ts";
import { type Command, UsageError } from "./command.ts";
import { flagProblem } from "./parse-flags.ts";

const usage = `Usage: vbo-restore-exporter audit <items|email> <action> [flags]

  audit items list   [--organization ORG]
  audit items add    --organization ORG SUBJECT...
  audit items remove --organization ORG SUBJECT...
  audit email get
  audit email set    [--enable|--disable] [--smtp-server HOST] [--port N] [--use-ssl true|false]
                     [--use-authentication true|false] [--username U]
                     [--smtp-password-file FILE | --smtp-password-prompt]
                     [--from ADDR] [--to "a@x;b@y"] [--subject TEXT]
                     [--auth-type CustomSmtp|GoogleGmail|Microsoft365]
  audit email test

VBO audits the users and groups chosen here: every view, save, export, send or restore of their
backed-up data in the explorers is mailed to the configured recipients, and the exporter marks such
restore events as watched (metrics, audit records, alerts). A SUBJECT is a user's UPN, display
name, login or id, or a group's name, mail or id; ORG is an organization's name, domain or id. A name
that matches nothing lists the nearest ones; adding what is audited already does nothing.
The subject may use ${"%OrganizationName% %DisplayName% %Action% %InitiatedByUserName% %StartTime%"}.
The SMTP password is read from a file or asked on the terminal, never taken as a flag.

Flags:
  --config FILE    the exporter's configuration (default: the VBO_* environment variables)
  --server NAME    which configured server, when there are several
  --json           machine-readable output
Exit codes: 0 done (also when nothing had to change), 1 the server refused or a name did not
resolve (the message says which), 2 bad usage.`;

const OPTIONS = {
  config: { type: "string" },
  server: { type: "string" },
  json: { type: "boolean" },
  organization: { type: "string" },
  enable: { type: "boolean" },
  disable: { type: "boolean" },
  "smtp-server": { type: "string" },
  port: { type: "string" },
  "use-ssl": { type: "string" },
  "use-authentication": { type: "string" },
  username: { type: "string" },
  "smtp-password-file": { type: "string" },
  "smtp-password-prompt": { type: "boolean" },
  from: { type: "string" },
  to: { type: "string" },
  subject: { type: "string" },
  "auth-type": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

type Parsed = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;

function parse(argv: readonly string[]): Parsed {
  try {
    return parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(flagProblem(error, Object.keys(OPTIONS)));
  }
}

export const auditCommand: Command = {
  name: "audit",
  summary: "manage VBO's audit items (watched users and groups) and audit e-mail settings",
  usage,
  async run(argv) {
    const { values, positionals } = parse(argv);
    const [area, action, ...subjects] = positionals;
    const itemActions = ["list", "add", "remove"];
    const emailActions = ["get", "set", "test"];
    if (
      area === "items"
        ? !itemActions.includes(action ?? "")
        : area === "email"
          ? !emailActions.includes(action ?? "")
          : true
    )
      throw new UsageError(
        area === "items" || area === "email"
          ? `audit ${area}: expected one of ${(area === "items" ? itemActions : emailActions).join(", ")}`
          : "expected audit items ... or audit email ...",
      );
    if (area === "email" && subjects.length > 0)
      throw new UsageError(`audit email ${action} takes no names (got "${subjects.join(" ")}")`);
    const { server, client } = connect(values.config, values.server);
    const secrets = [server.password];
    try {
      const json = values.json === true;
      if (area === "items") {
        const options = {
          organization: values.organization,
          subjects,
          json,
          watchlist: server.watchlist,
        };
        if (action === "list") return await listItems(client, options);
        if (action === "add") return await addItems(client, options);
        return await removeItems(client, options);
      }
      if (action === "get") return await getEmail(client, json);
      if (action === "test") return await testEmail(client);
      return await setEmail(client, {
        ...(values.enable === undefined ? {} : { enable: values.enable }),
        ...(values.disable === undefined ? {} : { disable: values.disable }),
        ...(values["smtp-server"] === undefined ? {} : { smtpServer: values["smtp-server"] }),
        ...(values.port === undefined ? {} : { port: values.port }),
        ...(values["use-ssl"] === undefined ? {} : { useSsl: values["use-ssl"] }),
        ...(values["use-authentication"] === undefined
          ? {}
          : { useAuthentication: values["use-authentication"] }),
        ...(values.username === undefined ? {} : { username: values.username }),
        ...(values["smtp-password-file"] === undefined
          ? {}
          : { smtpPasswordFile: values["smtp-password-file"] }),
        ...(values["smtp-password-prompt"] === undefined
          ? {}
          : { smtpPasswordPrompt: values["smtp-password-prompt"] }),
        ...(values.from === undefined ? {} : { from: values.from }),
        ...(values.to === undefined ? {} : { to: values.to }),
        ...(values.subject === undefined ? {} : { subject: values.subject }),
        ...(values["auth-type"] === undefined ? {} : { authType: values["auth-type"] }),
        json,
        remember: (secret) => secrets.push(secret),
      });
    } catch (error) {
      if (error instanceof UsageError) throw error;
      const text = error instanceof AuditCommandError ? error.message : describeError(error);
      console.error(`vbo-restore-exporter audit: ${scrub(text, secrets)} (server ${server.name})`);
      return 1;
    } finally {
      client.close();
    }
  },
};
