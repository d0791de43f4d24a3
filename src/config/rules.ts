// Cross-field rules the schema cannot express key by key: unique names, one secret source, shards.
import type { KeyPath } from "./key-path.ts";
import { parsePasswordHash } from "./password-hash.ts";
import type { FileConfig } from "./schema.ts";

export interface RuleIssue {
  readonly path: KeyPath;
  readonly message: string;
}

/** How a key is called where the user set it: the key itself or the environment variable. */
export type KeyNamer = (path: KeyPath) => string;

function exactlyOne(
  issues: RuleIssue[],
  base: KeyPath,
  values: Record<string, unknown>,
  keys: readonly string[],
  name: KeyNamer,
  optional = false,
): void {
  const set = keys.filter((k) => values[k] !== undefined);
  const names = keys.map((k) => name([...base, k]));
  const list = `${names.slice(0, -1).join(", ")} or ${names[names.length - 1]}`;
  if (set.length === 0 && !optional) {
    issues.push({ path: [...base, keys[0] ?? ""], message: `is required (set ${list})` });
  } else if (set.length > 1) {
    issues.push({ path: [...base, set[1] ?? ""], message: `set only one of ${list}` });
  }
}

export function checkRules(config: FileConfig, name: KeyNamer): RuleIssue[] {
  const issues: RuleIssue[] = [];
  const servers = config.servers ?? [];
  if (servers.length === 0) {
    issues.push({
      path: ["servers"],
      message: "at least one server is required (or set VBO_URL for a single server)",
    });
  }
  const seen = new Map<string, number>();
  servers.forEach((server, index) => {
    const first = seen.get(server.name);
    if (first !== undefined) {
      issues.push({
        path: ["servers", index, "name"],
        message: `duplicate server name "${server.name}" (also servers[${first}].name); names must be unique`,
      });
    } else seen.set(server.name, index);
    exactlyOne(issues, ["servers", index], server, ["password", "passwordFile"], name);
  });

  const sharding = config.sharding;
  if (sharding && sharding.index >= sharding.count) {
    issues.push({
      path: ["sharding", "index"],
      message: `must be less than the shard count (${sharding.count}); replicas are numbered from 0`,
    });
  }

  const basicAuth = config.web?.basicAuth;
  const tenantUsers = config.web?.tenants ?? [];
  if (tenantUsers.length > 0 && !basicAuth)
    issues.push({
      path: ["web", "tenants"],
      message:
        "needs web.basicAuth too: without it everyone would see every organization; set the provider's own user there",
    });
  const usernames = new Set(basicAuth ? [basicAuth.username] : []);
  tenantUsers.forEach((user, index) => {
    const base = ["web", "tenants", index];
    if (usernames.has(user.username))
      issues.push({
        path: [...base, "username"],
        message: "is already the user name of web.basicAuth or of another tenant user",
      });
    usernames.add(user.username);
    if (parsePasswordHash(user.passwordHash) === null)
      issues.push({
        path: [...base, "passwordHash"],
        message:
          'expected an scrypt hash like "$scrypt$ln=15,r=8,p=1$<salt>$<hash>" (hash-password)',
      });
  });
  if (basicAuth) {
    const base = ["web", "basicAuth"];
    exactlyOne(issues, base, basicAuth, ["password", "passwordFile", "passwordHash"], name);
    if (
      basicAuth.passwordHash !== undefined &&
      parsePasswordHash(basicAuth.passwordHash) === null
    ) {
      issues.push({
        path: [...base, "passwordHash"],
        message: 'expected an scrypt hash like "$scrypt$ln=15,r=8,p=1$<salt>$<hash>"',
      });
    }
  }

  const otlp = config.logs?.otlp;
  if (otlp) {
    const auth = { ...otlp, basicAuth: otlp.basicAuth };
    exactlyOne(
      issues,
      ["logs", "otlp"],
      auth,
      ["basicAuth", "bearerToken", "bearerTokenFile"],
      name,
      true,
    );
    if (otlp.basicAuth) {
      exactlyOne(
        issues,
        ["logs", "otlp", "basicAuth"],
        otlp.basicAuth,
        ["password", "passwordFile"],
        name,
      );
    }
  }
  return issues;
}
