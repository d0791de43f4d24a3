// Pure configuration parsing: YAML text + environment + flags → ExporterConfig or error sentences
// that name where each problem was set (file and key, environment variable, or flag).
import { resolve } from "node:path";
import { LineCounter, parseDocument } from "yaml";
import { buildConfig, type ReadFile } from "./build.ts";
import { envHasServer, envLayer } from "./env.ts";
import { mergeHeaders } from "./http-header.ts";
import { type Env, interpolateTree } from "./interpolate.ts";
import { formatKeyPath, type KeyPath } from "./key-path.ts";
import { checkRules } from "./rules.ts";
import { fileSchema, KNOWN_KEYS } from "./schema.ts";
import type { ConfigOverrides, ConfigResult } from "./types.ts";
import { aliasProblems } from "./yaml-aliases.ts";

export interface ParseInput {
  /** The YAML text, or null when there is no file (environment only). */
  readonly text: string | null;
  /** How errors name the file, e.g. `config.yml`. */
  readonly fileName: string;
  /** Relative paths in the configuration resolve against this directory. */
  readonly baseDir: string;
  /** Relative paths in environment variables resolve against this directory. */
  readonly cwd: string;
  readonly env: Env;
  readonly readFile: ReadFile;
  readonly overrides?: ConfigOverrides;
}

type Tree = Record<string, unknown>;

function isTree(value: unknown): value is Tree {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The file's value wins; the environment fills in what the file leaves out. */
function fill(file: unknown, env: unknown): unknown {
  if (file === undefined) return env;
  if (isTree(file) && isTree(env)) {
    const out: Tree = { ...file };
    for (const [key, value] of Object.entries(env)) out[key] = fill(file[key], value);
    return out;
  }
  return file;
}

const HEADERS_PATH = ["logs", "otlp", "headers"] as const;

/**
 * fill() for logs.otlp.headers, whose keys are header names and so compare case-insensitively:
 * the file's X-Scope-OrgID replaces the environment's x-scope-orgid instead of joining it.
 */
function fillHeaders(merged: unknown, file: unknown, env: unknown): void {
  const at = (tree: unknown): unknown =>
    HEADERS_PATH.reduce<unknown>((node, key) => (isTree(node) ? node[key] : undefined), tree);
  const fileHeaders = at(file);
  const envHeaders = at(env);
  if (!isTree(fileHeaders) || !isTree(envHeaders) || !isTree(merged)) return;
  setPath(merged, [...HEADERS_PATH], mergeHeaders(envHeaders, fileHeaders));
}

function has(tree: unknown, path: KeyPath): boolean {
  let node: unknown = tree;
  for (const part of path) {
    if (node === null || typeof node !== "object") return false;
    node = (node as Record<string | number, unknown>)[part];
    if (node === undefined) return false;
  }
  return true;
}

function setPath(tree: Tree, path: readonly string[], value: unknown): void {
  let node = tree;
  for (const part of path.slice(0, -1)) {
    if (!isTree(node[part])) node[part] = {};
    node = node[part] as Tree;
  }
  node[path[path.length - 1] ?? ""] = value;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j] ?? 0;
      const cost = a[i - 1]?.toLowerCase() === b[j - 1]?.toLowerCase() ? 0 : 1;
      row[j] = Math.min(current + 1, (row[j - 1] ?? 0) + 1, previous + cost);
      previous = current;
    }
  }
  return row[b.length] ?? 0;
}

function suggestion(key: string): string {
  let best: string | undefined;
  let bestDistance = 3;
  for (const known of KNOWN_KEYS) {
    const d = editDistance(key, known);
    if (d < bestDistance) {
      best = known;
      bestDistance = d;
    }
  }
  return best === undefined ? "" : ` (did you mean ${best}?)`;
}

function yamlMessage(message: string): string {
  const first = message.split("\n")[0] ?? message;
  return first
    .replace(/ in YAML stream: ".*"/, "")
    .replace(/ at line \d+, column \d+:?$/, "")
    .trim();
}

export function parseConfig(input: ParseInput): ConfigResult {
  const { fileName, env } = input;
  const errors: string[] = [];

  let fileRaw: unknown = {};
  if (input.text !== null) {
    const lineCounter = new LineCounter();
    const doc = parseDocument(input.text, { uniqueKeys: true, lineCounter });
    const yamlError = doc.errors[0];
    if (yamlError) {
      const pos = yamlError.linePos?.[0];
      const at = pos ? ` line ${pos.line}, column ${pos.col}:` : "";
      return { ok: false, errors: [`${fileName}:${at} ${yamlMessage(yamlError.message)}`] };
    }
    const aliases = aliasProblems(doc, lineCounter);
    if (aliases.length > 0) {
      return {
        ok: false,
        errors: aliases.map((p) => `${fileName}: line ${p.line}, column ${p.col}: ${p.message}`),
      };
    }
    let tree: unknown;
    try {
      tree = doc.toJS({ maxAliasCount: 1000 });
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      // Aliases of aliases expanding beyond reason (a "billion laughs" file).
      const why = /excessive alias count/i.test(text)
        ? "its aliases (*name) expand to too many values; write the values out instead"
        : yamlMessage(text);
      return { ok: false, errors: [`${fileName}: the YAML cannot be read: ${why}`] };
    }
    const interpolated = interpolateTree(tree ?? {}, env);
    for (const issue of interpolated.errors) {
      errors.push(`${fileName}: ${formatKeyPath(issue.path)}: ${issue.message}`);
    }
    fileRaw = interpolated.value;
  }

  const layer = envLayer(env, (p) => resolve(input.cwd, p));
  for (const issue of layer.errors) errors.push(`environment: ${issue.variable}: ${issue.message}`);
  if (input.text !== null && has(fileRaw, ["servers"]) && envHasServer(env)) {
    errors.push(
      `${fileName}: servers: servers are defined both here and by VBO_URL; remove one of them`,
    );
  }

  const merged = (isTree(fileRaw) ? fill(fileRaw, layer.raw) : fileRaw) as unknown;
  fillHeaders(merged, fileRaw, layer.raw);
  const flagOrigins = new Map<string, string>();
  if (isTree(merged)) {
    const flags: [keyof ConfigOverrides, string[], string][] = [
      ["listenAddress", ["web", "listenAddress"], "--listen-address"],
      ["stateDir", ["state", "dir"], "--state-dir"],
      ["logLevel", ["logging", "level"], "--log-level"],
    ];
    for (const [key, path, flag] of flags) {
      const value = input.overrides?.[key];
      if (value === undefined) continue;
      setPath(merged, path, value);
      flagOrigins.set(formatKeyPath(path), flag);
    }
  }

  /** The variable that set a key, when the value came from the environment. */
  const envVariable = (path: KeyPath): string | undefined =>
    has(fileRaw, path) ? undefined : layer.origins.get(formatKeyPath(path));
  const where = (path: KeyPath): string => {
    const flag = flagOrigins.get(formatKeyPath(path));
    if (flag !== undefined) return flag;
    const variable = envVariable(path);
    if (variable !== undefined) return `environment: ${variable}`;
    return `${input.text === null ? "environment" : fileName}: ${formatKeyPath(path)}`;
  };
  const keyName = (path: KeyPath): string => envVariable(path) ?? String(path[path.length - 1]);

  if (errors.length > 0) return { ok: false, errors };

  const parsed = fileSchema.safeParse(merged);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
      if (issue.code === "unrecognized_keys") {
        for (const key of issue.keys) {
          errors.push(`${where([...path, key])}: unknown key${suggestion(key)}`);
        }
      } else {
        errors.push(`${where(path)}: ${issue.message}`);
      }
    }
    return { ok: false, errors };
  }

  const ruleIssues = checkRules(parsed.data, keyName);
  for (const issue of ruleIssues) errors.push(`${where(issue.path)}: ${issue.message}`);
  if (errors.length > 0) return { ok: false, errors };

  const source = input.text === null ? "environment" : fileName;
  const built = buildConfig(parsed.data, source, input.baseDir, input.readFile);
  for (const issue of built.issues) errors.push(`${where(issue.path)}: ${issue.message}`);
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, config: built.config };
}
