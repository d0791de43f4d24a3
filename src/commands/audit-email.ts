// `audit email get|set|test`: VBO's audit e-mail settings (where its notifications about watched
// data go), with the subject's placeholders checked and the SMTP password never taken as a flag.
import { readFileSync } from "node:fs";
import type { AuditEmailSettings, MailAuthentication } from "../vbo/audit-client.ts";
import type { ClosableVboClient } from "../vbo/client.ts";
import { AuditCommandError } from "./audit-connect.ts";
import { UsageError } from "./command.ts";
import { readHidden } from "./read-secret.ts";
import { printTable } from "./table.ts";

export const SUBJECT_PLACEHOLDERS = [
  "%OrganizationName%",
  "%DisplayName%",
  "%Action%",
  "%InitiatedByUserName%",
  "%StartTime%",
] as const;

const AUTH_TYPES: readonly MailAuthentication[] = ["CustomSmtp", "GoogleGmail", "Microsoft365"];

/** Why a subject line cannot be used, or null: every %Name% must be one VBO knows. */
export function subjectProblem(subject: string): string | null {
  const unknown = [...subject.matchAll(/%[^%\s]*%/g)]
    .map((m) => m[0])
    .filter((p) => !(SUBJECT_PLACEHOLDERS as readonly string[]).includes(p));
  if (unknown.length === 0) return null;
  return `--subject: unknown placeholder${unknown.length === 1 ? "" : "s"} ${unknown.join(", ")}; VBO knows ${SUBJECT_PLACEHOLDERS.join(", ")}`;
}

export interface EmailFlags {
  readonly enable?: boolean;
  readonly disable?: boolean;
  readonly smtpServer?: string;
  readonly port?: string;
  readonly useSsl?: string;
  readonly useAuthentication?: string;
  readonly username?: string;
  readonly smtpPasswordFile?: string;
  readonly smtpPasswordPrompt?: boolean;
  readonly from?: string;
  readonly to?: string;
  readonly subject?: string;
  readonly authType?: string;
  readonly json: boolean;
  /** Told the SMTP password once it is read, so error messages can be scrubbed of it. */
  readonly remember?: (secret: string) => void;
}

function bool(name: string, value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === "true") return true;
  if (value === "false") return false;
  throw new UsageError(`--${name}: expected true or false, got "${value}"`);
}

function show(settings: AuditEmailSettings, json: boolean): void {
  if (json) {
    console.log(JSON.stringify(settings, null, 2));
    return;
  }
  printTable(
    ["SETTING", "VALUE"],
    Object.entries(settings).map(([key, value]) => [key, value === null ? "-" : String(value)]),
  );
}

export async function getEmail(client: ClosableVboClient, json: boolean): Promise<number> {
  show(await client.audit.getEmailSettings(), json);
  return 0;
}

async function smtpPassword(flags: EmailFlags): Promise<string | null> {
  if (flags.smtpPasswordFile !== undefined) {
    try {
      const text = readFileSync(flags.smtpPasswordFile, "utf8").replace(/\r?\n$/, "");
      if (text === "") throw new AuditCommandError(`${flags.smtpPasswordFile} is empty`);
      return text;
    } catch (error) {
      if (error instanceof AuditCommandError) throw error;
      throw new AuditCommandError(
        `cannot read --smtp-password-file ${flags.smtpPasswordFile}: ${(error as { code?: string }).code ?? "unreadable"}`,
      );
    }
  }
  if (flags.smtpPasswordPrompt === true) {
    if (!process.stdin.isTTY)
      throw new UsageError(
        "--smtp-password-prompt needs a terminal; use --smtp-password-file FILE",
      );
    return readHidden(process.stdin, "SMTP password: ");
  }
  return null;
}

export async function setEmail(client: ClosableVboClient, flags: EmailFlags): Promise<number> {
  if (flags.enable === true && flags.disable === true)
    throw new UsageError("give --enable or --disable, not both");
  if (flags.subject !== undefined) {
    const problem = subjectProblem(flags.subject);
    if (problem !== null) throw new UsageError(problem);
  }
  let port: number | undefined;
  if (flags.port !== undefined) {
    port = Number(flags.port);
    if (!Number.isInteger(port) || port < 1 || port > 65_535)
      throw new UsageError(
        `--port: expected a port number between 1 and 65535, got "${flags.port}"`,
      );
  }
  if (flags.authType !== undefined && !(AUTH_TYPES as readonly string[]).includes(flags.authType))
    throw new UsageError(
      `--auth-type: expected one of ${AUTH_TYPES.join(" | ")}, got "${flags.authType}"`,
    );
  const version = await client.apiVersion();
  if (flags.authType !== undefined && version === "v6")
    throw new AuditCommandError(
      "--auth-type needs VBO 7 or later (API v7/v8); VBO 6 sends audit mail through SMTP only",
    );
  const password = await smtpPassword(flags);
  if (password !== null) flags.remember?.(password);
  const current = await client.audit.getEmailSettings();
  const next: AuditEmailSettings = {
    ...current,
    ...(flags.enable === true ? { enableNotification: true } : {}),
    ...(flags.disable === true ? { enableNotification: false } : {}),
    ...(flags.smtpServer === undefined ? {} : { smtpServer: flags.smtpServer }),
    ...(port === undefined ? {} : { port }),
    ...(flags.useSsl === undefined ? {} : { useSSL: bool("use-ssl", flags.useSsl) ?? false }),
    ...(flags.useAuthentication === undefined
      ? {}
      : { useAuthentication: bool("use-authentication", flags.useAuthentication) ?? false }),
    ...(flags.username === undefined ? {} : { username: flags.username }),
    ...(flags.from === undefined ? {} : { from: flags.from }),
    ...(flags.to === undefined ? {} : { to: flags.to }),
    ...(flags.subject === undefined ? {} : { subject: flags.subject }),
    ...(flags.authType === undefined ? {} : { authenticationType: flags.authType }),
  };
  await client.audit.setEmailSettings(next, password);
  const saved = await client.audit.getEmailSettings();
  show(saved, flags.json);
  if (saved.authenticationType === "GoogleGmail" || saved.authenticationType === "Microsoft365") {
    const provider = saved.authenticationType === "GoogleGmail" ? "Google" : "Microsoft 365";
    console.error(
      [
        `VBO sends this mail as ${provider}: it must be signed in once, in a browser.`,
        `  1. POST /${version}/AuditEmailSettings/PrepareOAuthSignIn with your app's client id and secret (and the tenant for Microsoft 365);`,
        "     VBO answers with a sign-in URL and a request id.",
        "  2. Open the URL, sign in with the sending mailbox and accept the permissions.",
        `  3. POST /${version}/AuditEmailSettings/CompleteOAuthSignIn with the code and state of the redirect, then`,
        "     run `audit email set` again with the same --auth-type, and `audit email test`.",
        "  (The VBO console does the same under General Options > Notifications > Sign in.)",
      ].join("\n"),
    );
  }
  return 0;
}

export async function testEmail(client: ClosableVboClient): Promise<number> {
  const settings = await client.audit.getEmailSettings();
  await client.audit.sendTestEmail();
  console.log(`VBO sent a test mail to ${settings.to || "the configured recipients"}`);
  return 0;
}
