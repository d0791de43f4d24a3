// Pure configuration parsing: YAML text + environment + flags → ExporterConfig or error sentences
// that name where each problem was set (file and key, environment variable, or flag).
import { resolve } from "node:path";
import { type Document, LineCounter, parseDocument } from "yaml";
import { buildConfig, type ReadFile } from "./build.ts";
import { envHasServer, envLayer } from "./env.ts";
import { mergeHeaders } from "./http-header.ts";
import { type Env, interpolateTree } from "./interpolate.ts";
import { formatKeyPath, type KeyPath } from "./key-path.ts";
import { lineOf } from "./positions.ts";
import { prune, startsWith } from "./prune.ts";
import { checkRules } from "./rules.ts";
import { fileSchema } from "./schema.ts";
import type { ConfigOverrides, ConfigResult } from "./types.ts";
import { unknownKeyMessage } from "./unknown-key.ts";
import { configWarnings } from "./warnings.ts";
import { aliasProblems } from "./yaml-aliases.ts";
import { describeYamlErrors, libraryWords } from "./yaml-errors.ts";

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

/** A problem with where it was set: flags and environment first (line -1), then file order. */
interface Problem {
  readonly line: number;
  readonly text: string;
}

function sorted(problems: readonly Problem[]): string[] {
  return problems
    .map((problem, order) => ({ problem, order }))
    .sort((a, b) => a.problem.line - b.problem.line || a.order - b.order)
    .map(({ problem }) => problem.text);
}

const MAX_PRUNE_ROUNDS = 10;

/**
 * Every problem of the configuration in one run: YAML syntax (alone: what follows a broken line
 * cannot be trusted), interpolation, environment, schema, cross-field rules and files, sorted by
 * their place in the file. Values that fail the schema are taken out before the rules and files are
 * checked, so one mistake is reported once and does not hide the others.
 */
export function parseConfig(input: ParseInput): ConfigResult {
  const { fileName, env } = input;
  const problems: Problem[] = [];

  let fileRaw: unknown = {};
  let unresolved: readonly KeyPath[] = [];
  let doc: Document | null = null;
  const counter = new LineCounter();
  if (input.text !== null) {
    doc = parseDocument(input.text, { uniqueKeys: true, lineCounter: counter });
    if (doc.errors.length > 0) {
      const described = describeYamlErrors(input.text, doc.errors);
      return { ok: false, errors: described.map((p) => `${fileName}: ${p.message}`) };
    }
    const aliases = aliasProblems(doc, counter);
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
        : libraryWords(text);
      return { ok: false, errors: [`${fileName}: the YAML cannot be read: ${why}`] };
    }
    const interpolated = interpolateTree(tree ?? {}, env);
    for (const issue of interpolated.errors) {
      problems.push({
        line: lineOf(doc, counter, issue.path),
        text: `${fileName}: ${formatKeyPath(issue.path)}: ${issue.message}`,
      });
    }
    fileRaw = interpolated.value;
    unresolved = interpolated.errors.map((issue) => issue.path);
  }
  const removed: KeyPath[] = [];

  const layer = envLayer(env, (p) => resolve(input.cwd, p));
  for (const issue of layer.errors)
    problems.push({ line: -1, text: `environment: ${issue.variable}: ${issue.message}` });
  if (input.text !== null && has(fileRaw, ["servers"]) && envHasServer(env)) {
    problems.push({
      line: doc ? lineOf(doc, counter, ["servers"]) : 0,
      text: `${fileName}: servers: servers are defined both here and by VBO_URL; remove one of them`,
    });
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
  const problemAt = (path: KeyPath, message: string): Problem => {
    const flag = flagOrigins.get(formatKeyPath(path));
    if (flag !== undefined) return { line: -1, text: `${flag}: ${message}` };
    const variable = envVariable(path);
    if (variable !== undefined) return { line: -1, text: `environment: ${variable}: ${message}` };
    const where = input.text === null ? "environment" : fileName;
    return {
      line: doc ? lineOf(doc, counter, path) : 0,
      text: `${where}: ${formatKeyPath(path)}: ${message}`,
    };
  };
  const keyName = (path: KeyPath): string => envVariable(path) ?? String(path[path.length - 1]);
  const isRemoved = (path: KeyPath) => removed.some((r) => startsWith(path, r));

  // Pruned on a copy: the file's own tree still tells which keys it set.
  const candidate: unknown = structuredClone(merged);
  // A value whose ${VAR} could not be resolved is reported once, not again by the schema.
  if (isTree(candidate)) {
    for (const path of unresolved) {
      const gone = prune(candidate, path, removed);
      if (gone) removed.push(gone);
    }
  }

  let parsed = fileSchema.safeParse(candidate);
  let first = true;
  for (let round = 0; !parsed.success && round < MAX_PRUNE_ROUNDS; round++) {
    const failing: KeyPath[] = [];
    for (const issue of parsed.error.issues) {
      const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
      const keys =
        issue.code === "unrecognized_keys" ? issue.keys.map((k) => [...path, k]) : [path];
      for (const key of keys) {
        failing.push(key);
        if (!first || isRemoved(key)) continue;
        const message = issue.code === "unrecognized_keys" ? unknownKeyMessage(key) : issue.message;
        problems.push(problemAt(key, message));
      }
    }
    first = false;
    if (!isTree(candidate)) break;
    let progress = false;
    for (const path of failing) {
      const gone = prune(candidate, path, removed);
      if (gone) {
        removed.push(gone);
        progress = true;
      }
    }
    if (!progress) break;
    parsed = fileSchema.safeParse(candidate);
  }
  if (!parsed.success) return { ok: false, errors: sorted(problems) };

  for (const issue of checkRules(parsed.data, keyName)) {
    if (!isRemoved(issue.path)) problems.push(problemAt(issue.path, issue.message));
  }
  const source = input.text === null ? "environment" : fileName;
  const built = buildConfig(parsed.data, source, input.baseDir, input.readFile);
  for (const issue of built.issues) {
    if (!isRemoved(issue.path)) problems.push(problemAt(issue.path, issue.message));
  }
  if (problems.length > 0) return { ok: false, errors: sorted(problems) };
  // One line per warning, naming every file key it is about (several servers on the same plain
  // http:// simulator are one line, not one per server).
  const byMessage = new Map<string, { paths: KeyPath[]; others: Problem[] }>();
  for (const w of configWarnings(built.config)) {
    const entry = byMessage.get(w.message) ?? { paths: [], others: [] };
    const at = problemAt(w.path, w.message);
    if (at.line >= 0 && input.text !== null) entry.paths.push(w.path);
    else entry.others.push(at);
    byMessage.set(w.message, entry);
  }
  const warnings: Problem[] = [];
  for (const [message, { paths, others }] of byMessage) {
    warnings.push(...others);
    const [first] = paths;
    if (first === undefined) continue;
    warnings.push({
      line: doc ? lineOf(doc, counter, first) : 0,
      text: `${fileName}: ${paths.map(formatKeyPath).join(", ")}: ${message}`,
    });
  }
  return { ok: true, config: built.config, warnings: sorted(warnings) };
}
