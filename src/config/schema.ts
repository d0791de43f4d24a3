// The zod schema of the configuration file as written: unknown keys rejected, every message a
// short sentence that never repeats the value (it may be a secret).
import { z } from "zod";
import { parseDuration } from "./duration.ts";
import { BAD_HEADER_NAME, BAD_HEADER_VALUE, isHeaderName, isHeaderValue } from "./http-header.ts";
import { parseListenAddress } from "./listen-address.ts";

type IssueInput = { readonly input?: unknown };

/** "is required" when the key is missing, the expectation otherwise. */
function expect(expected: string) {
  return { error: (issue: IssueInput) => (issue.input === undefined ? "is required" : expected) };
}

function fromText(value: unknown): unknown {
  return typeof value === "string" ? value.trim() : value;
}

function wholeNumber(min: number, max: number) {
  const message = `expected a whole number between ${min} and ${max}`;
  return z.preprocess(
    (value) => (typeof value === "string" && /^-?\d+$/.test(value.trim()) ? Number(value) : value),
    z
      .number(expect(message))
      .refine((n) => Number.isInteger(n) && n >= min && n <= max, { message }),
  );
}

const boolean = z.preprocess(
  (value) => {
    const text = fromText(value);
    if (text === "true") return true;
    if (text === "false") return false;
    return value;
  },
  z.boolean(expect("expected true or false")),
);

function duration(minMs: number, minText: string) {
  const message = "expected a duration like 30s";
  return z.string(expect(message)).transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === null) {
      ctx.addIssue({ code: "custom", message });
      return z.NEVER;
    }
    if (ms < minMs) {
      ctx.addIssue({ code: "custom", message: `must be at least ${minText}` });
      return z.NEVER;
    }
    return ms;
  });
}

function nonEmpty(what: string) {
  return z.string(expect(`expected ${what}`)).refine((s) => s.trim() !== "", {
    message: `expected ${what}, got an empty value`,
  });
}

const path = nonEmpty("a file path");

/** An http(s) URL without credentials, query or fragment; returned without a trailing slash. */
function httpUrl(example: string) {
  const message = `expected an http or https URL like ${example}`;
  return z.string(expect(message)).transform((text, ctx) => {
    let url: URL;
    try {
      url = new URL(text.trim());
    } catch {
      ctx.addIssue({ code: "custom", message });
      return z.NEVER;
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      ctx.addIssue({ code: "custom", message });
      return z.NEVER;
    }
    if (url.username !== "" || url.password !== "") {
      ctx.addIssue({
        code: "custom",
        message: "must not contain credentials (use username and password keys)",
      });
      return z.NEVER;
    }
    if (url.search !== "" || url.hash !== "") {
      ctx.addIssue({ code: "custom", message: "must not contain a query or fragment" });
      return z.NEVER;
    }
    return url.href.replace(/\/+$/, "");
  });
}

/** The server URL: VBO's base, without the /vN the client adds itself. */
const serverUrl = httpUrl("https://vbo.example:4443").refine((url) => !/\/v\d+$/i.test(url), {
  message:
    "must not end with the API version (/v6, /v7, /v8): the exporter adds it; set apiVersion (VBO_API_VERSION) instead",
});

const serverName = z
  .string(expect("expected a name"))
  .refine((s) => /^[\p{L}\p{N}][\p{L}\p{N}_.:@-]{0,62}$/u.test(s), {
    message:
      "expected a name of letters, digits, '.', '_', ':', '@' or '-' (at most 63 characters, no spaces)",
  });

const tlsClient = z.strictObject({
  caFile: path.optional(),
  insecureSkipVerify: boolean.optional(),
});

export const serverSchema = z.strictObject({
  name: serverName,
  url: serverUrl,
  apiVersion: z
    .enum(["v6", "v7", "v8", "auto"], expect("expected one of v6, v7, v8, auto"))
    .optional(),
  username: nonEmpty("a user name"),
  password: z.string(expect("expected a string")).optional(),
  passwordFile: path.optional(),
  tls: tlsClient.optional(),
  pollInterval: duration(1_000, "1s").optional(),
  lookback: duration(0, "0s").optional(),
  timeout: duration(100, "100ms").optional(),
  eventConcurrency: wholeNumber(1, 64).optional(),
  batchMaxEvents: wholeNumber(1, 1_000_000).optional(),
  batchMaxBytes: wholeNumber(65_536, 1_073_741_824).optional(),
  clientHostLimit: wholeNumber(1, 100_000).optional(),
  labelMaxLength: wholeNumber(16, 2_048).optional(),
  labelLimits: z
    .strictObject({
      organization: wholeNumber(1, 1_000_000).optional(),
      restoreType: wholeNumber(1, 1_000_000).optional(),
      eventType: wholeNumber(1, 1_000_000).optional(),
      status: wholeNumber(1, 1_000_000).optional(),
      result: wholeNumber(1, 1_000_000).optional(),
      subject: wholeNumber(1, 1_000_000).optional(),
    })
    .optional(),
  dropClientHostLabel: boolean.optional(),
  pageSize: wholeNumber(1, 10_000).optional(),
  watchlist: z
    .strictObject({
      fromVbo: boolean.optional(),
      refreshInterval: duration(5_000, "5s").optional(),
      subjects: z
        .array(
          z.union(
            [
              z.strictObject({
                user: nonEmpty("a UPN or display name"),
                organization: z.string().optional(),
              }),
              z.strictObject({ site: nonEmpty("a site URL"), organization: z.string().optional() }),
              z.strictObject({
                oneDrive: nonEmpty("a OneDrive URL"),
                organization: z.string().optional(),
              }),
            ],
            expect(
              "expected one of { user: UPN }, { site: URL } or { oneDrive: URL }, each with an optional organization",
            ),
          ),
          expect("expected a list of watched subjects"),
        )
        .max(500, { message: "at most 500 local subjects (each is a label value)" })
        .optional(),
    })
    .optional(),
});

const webSchema = z.strictObject({
  listenAddress: z
    .string(expect("expected an address like 127.0.0.1:9853 or :9853"))
    .refine((s) => parseListenAddress(s) !== null, {
      message: "expected an address like 127.0.0.1:9853 or :9853",
    })
    .optional(),
  basicAuth: z
    .strictObject({
      username: nonEmpty("a user name"),
      password: z.string(expect("expected a string")).optional(),
      passwordFile: path.optional(),
      passwordHash: z.string(expect("expected a string")).optional(),
    })
    .optional(),
  tls: z.strictObject({ certFile: path, keyFile: path }).optional(),
  grafana: z
    .strictObject({
      url: httpUrl("https://grafana.example.com"),
      lokiDatasource: nonEmpty("the uid of the Loki datasource").optional(),
    })
    .optional(),
  newSeriesHold: duration(0, "0s").optional(),
  tenants: z
    .array(
      z.strictObject(
        {
          username: nonEmpty("a user name"),
          passwordHash: z.string(expect("expected an scrypt hash (hash-password)")),
          organizations: z
            .array(
              nonEmpty("an organization name"),
              expect("expected a list of organization names"),
            )
            .min(1, { message: "expected at least one organization" }),
        },
        expect("expected a tenant user (username, passwordHash, organizations)"),
      ),
      expect("expected a list of tenant users"),
    )
    .optional(),
});

const otlpSchema = z.strictObject({
  endpoint: httpUrl("http://loki:3100/otlp/v1/logs").optional(),
  protocol: z
    .enum(["http/protobuf", "http/json"], expect("expected http/protobuf or http/json"))
    .optional(),
  headers: z
    .record(z.string(), z.string(expect("expected a string")), expect("expected a mapping"))
    .superRefine((headers, ctx) => {
      const seen = new Set<string>();
      for (const [key, value] of Object.entries(headers)) {
        if (!isHeaderName(key)) {
          ctx.addIssue({ code: "custom", path: [key], message: BAD_HEADER_NAME });
        } else if (!isHeaderValue(value)) {
          ctx.addIssue({ code: "custom", path: [key], message: BAD_HEADER_VALUE });
        } else if (seen.has(key.toLowerCase())) {
          ctx.addIssue({
            code: "custom",
            path: [key],
            message: "names the same header as another key (header names ignore letter case)",
          });
        }
        seen.add(key.toLowerCase());
      }
    })
    .optional(),
  basicAuth: z
    .strictObject({
      username: nonEmpty("a user name"),
      password: z.string(expect("expected a string")).optional(),
      passwordFile: path.optional(),
    })
    .optional(),
  bearerToken: z.string(expect("expected a string")).optional(),
  bearerTokenFile: path.optional(),
  tls: tlsClient.optional(),
  timeout: duration(100, "100ms").optional(),
  compression: z.enum(["gzip", "none"], expect("expected gzip or none")).optional(),
});

export const fileSchema = z.strictObject(
  {
    web: webSchema.optional(),
    state: z.strictObject({ dir: path.optional() }).optional(),
    servers: z.array(serverSchema, expect("expected a list of servers")).optional(),
    sharding: z
      .strictObject({ index: wholeNumber(0, 999), count: wholeNumber(1, 1000) })
      .optional(),
    logs: z
      .strictObject({
        otlp: otlpSchema.optional(),
        outbox: z
          .strictObject({ maxRecords: wholeNumber(1_000, 100_000_000).optional() })
          .optional(),
        maxRecordAge: duration(3_600_000, "1h").optional(),
        tenants: z
          .strictObject({
            default: nonEmpty("a tenant id").optional(),
            perOrganization: boolean.optional(),
            organizations: z
              .record(
                z.string(),
                z.string(expect("expected a tenant id")),
                expect("expected a mapping of organization name or id to tenant id"),
              )
              .optional(),
          })
          .optional(),
        batch: z
          .strictObject({
            maxRecords: wholeNumber(1, 100_000).optional(),
            maxBytes: wholeNumber(1_024, 64 * 1_048_576).optional(),
          })
          .optional(),
      })
      .optional(),
    audit: z.strictObject({ feedRetention: duration(3_600_000, "1h").optional() }).optional(),
    logging: z
      .strictObject({
        level: z
          .enum(
            ["trace", "debug", "info", "warn", "error", "fatal", "silent"],
            expect("expected one of trace, debug, info, warn, error, fatal, silent"),
          )
          .optional(),
      })
      .optional(),
  },
  expect("expected a mapping of keys (web, state, servers, sharding, logs, audit, logging)"),
);

export type FileConfig = z.output<typeof fileSchema>;
export type FileServer = z.output<typeof serverSchema>;

/** Every key name the schema knows, for "did you mean" hints on unknown keys. */
export const KNOWN_KEYS: readonly string[] = [
  ...new Set([
    "web",
    "state",
    "servers",
    "sharding",
    "audit",
    "feedRetention",
    "watchlist",
    "fromVbo",
    "refreshInterval",
    "subjects",
    "user",
    "site",
    "oneDrive",
    "organization",
    "logs",
    "logging",
    "listenAddress",
    "newSeriesHold",
    "basicAuth",
    "tls",
    "certFile",
    "keyFile",
    "dir",
    "index",
    "count",
    "otlp",
    "outbox",
    "batch",
    "maxRecords",
    "maxBytes",
    "maxRecordAge",
    "level",
    "headers",
    "bearerToken",
    "bearerTokenFile",
    "timeout",
    "compression",
    "endpoint",
    "protocol",
    "passwordHash",
    "grafana",
    "lokiDatasource",
    "tenants",
    "username",
    "default",
    "perOrganization",
    "organizations",
    ...Object.keys(serverSchema.shape),
    ...Object.keys(tlsClient.shape),
  ]),
];
