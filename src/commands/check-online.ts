// check-config --online: each configured VBO server contacted with the client and secrets `serve`
// uses, within a time box: its API version and organizations or a sentence, then the tenant
// mappings checked against the organizations the servers have (only when every server answered).
import { formatDuration } from "../config/duration.ts";
import type { ExporterConfig, ServerConfig } from "../config/types.ts";
import { vboClientOptions } from "../config/vbo-client-options.ts";
import { describeError, toReason } from "../errors.ts";
import { configSecrets, scrub } from "../secrets/scrub.ts";
import { splitMappingSentence, splitMappings } from "../tenants/split-mappings.ts";
import { unknownMappingSentences } from "../tenants/unknown-mapping-sentences.ts";
import { unknownMappings } from "../tenants/unknown-mappings.ts";
import { createVboClient } from "../vbo/client.ts";
import type { ApiVersion, Organization } from "../vbo/types.ts";

export type ServerAnswer =
  | {
      readonly ok: true;
      readonly server: ServerConfig;
      readonly version: ApiVersion;
      readonly organizations: readonly Organization[];
    }
  | { readonly ok: false; readonly server: ServerConfig; readonly problem: string };

/** What to do about a failure whose message does not say it already. */
function hint(reason: string): string {
  if (reason === "unreachable")
    return "; check the server URL and that this machine can reach it (DNS, firewall, proxy)";
  if (reason === "timeout")
    return "; check the server URL and port, and that the server is up (or raise the server's timeout)";
  return "";
}

/** Logs into one server and lists its organizations, giving up after `timeoutMs`. */
export async function askServer(
  server: ServerConfig,
  secrets: readonly string[],
  timeoutMs: number,
): Promise<ServerAnswer> {
  const client = createVboClient({ ...vboClientOptions(server), secrets });
  const signal = AbortSignal.timeout(timeoutMs);
  const name = `server ${server.name} (${server.url})`;
  try {
    const organizations = await client.listOrganizations(signal);
    const version = await client.apiVersion(signal);
    return { ok: true, server, version, organizations };
  } catch (error) {
    const problem = signal.aborted
      ? `${name}: no answer within ${formatDuration(timeoutMs)}; check the server URL and port, and that the server is up and reachable from here`
      : `${name}: ${describeError(error)}${hint(toReason(error))}`;
    return { ok: false, server, problem: scrub(problem, secrets) };
  } finally {
    client.close();
  }
}

/** One line for a server that answered, e.g. `server main: reachable, API v8, 3 organizations`. */
export function describeAnswer(answer: Extract<ServerAnswer, { ok: true }>): string {
  const n = answer.organizations.length;
  return `server ${answer.server.name}: reachable, API ${answer.version}, ${n} organization${n === 1 ? "" : "s"}`;
}

/**
 * Prints what each server answered and the mappings naming unknown organizations; `mark` starts
 * every line printed to stdout (`# ` when stdout is a configuration). 0 when all is well, else 1.
 */
export async function checkOnline(
  config: ExporterConfig,
  timeoutMs: number,
  mark: string,
): Promise<number> {
  const secrets = configSecrets(config);
  const clean = (text: string) => scrub(text, secrets);
  const answers = await Promise.all(config.servers.map((s) => askServer(s, secrets, timeoutMs)));
  const problems: string[] = [];
  for (const answer of answers) {
    if (answer.ok) console.log(`${mark}${describeAnswer(answer)}`);
    else problems.push(answer.problem);
  }
  const mapped = {
    logs: Object.keys(config.logs.tenants?.organizations ?? {}),
    web: config.web.tenants,
  };
  const count = mapped.logs.length + mapped.web.reduce((n, u) => n + u.organizations.length, 0);
  let note: string | null = null;
  if (count > 0) {
    const silent = answers.filter((a) => !a.ok).map((a) => a.server.name);
    const known = answers.flatMap((a) =>
      a.ok ? [{ organizations: a.organizations, labelMaxLength: a.server.labelMaxLength }] : [],
    );
    if (silent.length > 0) {
      note = `organization mappings: not checked, as ${silent.length === 1 ? "server" : "servers"} ${silent.join(", ")} could not be asked for ${silent.length === 1 ? "its" : "their"} organizations (the ones named could be there)`;
    } else {
      const sentences = unknownMappingSentences(
        config.source,
        unknownMappings(mapped, known),
        known,
      );
      const split = splitMappings(
        config.logs.tenants?.organizations ?? {},
        known.flatMap((k) => k.organizations),
      ).map((s) => splitMappingSentence(config.source, s));
      sentences.push(...split);
      problems.push(...sentences.map(clean));
      if (sentences.length === 0)
        console.log(
          `${mark}organization mappings: ${count} checked, each names an organization a server has`,
        );
    }
  }
  if (problems.length === 0) {
    console.log(`${mark}online checks: passed`);
    return 0;
  }
  console.error(problems.join("\n"));
  if (note !== null) console.error(note);
  console.error(
    `\n${problems.length} problem${problems.length === 1 ? "" : "s"} found by the online checks.`,
  );
  return 1;
}
