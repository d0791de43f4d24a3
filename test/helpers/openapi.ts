// Veeam's OpenAPI files as validators: real ajv validation of response bodies, plus a check that no
// field is sent which the spec does not name. The files live in ../shared/vbo-api/ beside the repo.
import { existsSync, readFileSync } from "node:fs";
import type { TestContext } from "node:test";
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";

export type SpecVersion = "v6" | "v7" | "v8";

export const SPEC_DIR = new URL("../../../shared/vbo-api/", import.meta.url);

type Json = Record<string, unknown>;

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** True when the spec files are present; otherwise skips the test (fails under CI=true). */
export function requireSpecs(t: TestContext): boolean {
  if (existsSync(new URL("openapi-v8.json", SPEC_DIR))) return true;
  const message = `Veeam OpenAPI files not found in ${SPEC_DIR.pathname}: schema conformance not checked`;
  if (process.env.CI === "true") throw new Error(message);
  t.skip(message);
  return false;
}

export class OpenApiSpec {
  readonly version: SpecVersion;
  private readonly spec: Json;
  private readonly ajv: Ajv;
  private readonly cache = new Map<string, ValidateFunction>();

  constructor(version: SpecVersion) {
    this.version = version;
    this.spec = JSON.parse(
      readFileSync(new URL(`openapi-${version}.json`, SPEC_DIR), "utf8"),
    ) as Json;
    this.ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
    addFormats(this.ajv);
    this.ajv.addSchema({ ...this.spec, $id: "spec" });
  }

  /** The schema of a response, e.g. ("/v8/RestoreSessions", "get", "200"). */
  responseSchema(path: string, method: string, status: string): Json {
    const paths = this.spec.paths as Record<string, Record<string, Json>>;
    const operation = paths[path]?.[method];
    const responses = operation?.responses as Record<string, Json> | undefined;
    const content = responses?.[status]?.content as Record<string, Json> | undefined;
    const schema = (content?.["application/json"] ?? Object.values(content ?? {})[0])?.schema as
      | Json
      | undefined;
    if (!schema)
      throw new Error(`${this.version}: no ${status} schema for ${method.toUpperCase()} ${path}`);
    return schema;
  }

  /** Validates a body; returns the list of problems (empty when it conforms). */
  check(path: string, method: string, status: string, body: unknown): string[] {
    const key = `${method} ${path} ${status}`;
    let validate = this.cache.get(key);
    if (!validate) {
      validate = this.ajv.compile(
        this.rewriteRefs(this.responseSchema(path, method, status)) as Json,
      );
      this.cache.set(key, validate);
    }
    const problems: string[] = [];
    if (!validate(body)) {
      for (const error of validate.errors ?? [])
        problems.push(`${error.instancePath || "/"} ${error.message ?? ""}`);
    }
    this.unknownFields(this.responseSchema(path, method, status), body, "", problems);
    return problems;
  }

  private rewriteRefs(schema: unknown): unknown {
    if (Array.isArray(schema)) return schema.map((s) => this.rewriteRefs(s));
    if (typeof schema !== "object" || schema === null) return schema;
    const out: Json = {};
    for (const [k, v] of Object.entries(schema))
      out[k] = k === "$ref" && typeof v === "string" ? `spec${v}` : this.rewriteRefs(v);
    return out;
  }

  private resolve(schema: Json): Json {
    let current = schema;
    while (typeof current.$ref === "string") {
      const name = current.$ref.replace("#/components/schemas/", "");
      const schemas = (this.spec.components as Json).schemas as Record<string, Json>;
      const next = schemas[name];
      if (!next) break;
      current = next;
    }
    return current;
  }

  /** Fields present in the data that the schema does not declare (ajv allows them by default). */
  private unknownFields(schemaIn: Json, data: unknown, at: string, problems: string[]): void {
    const schema = this.resolve(schemaIn);
    if (Array.isArray(data) && schema.items) {
      for (const [i, item] of data.entries()) {
        this.unknownFields(schema.items as Json, item, `${at}/${i}`, problems);
      }
      return;
    }
    if (typeof data !== "object" || data === null || Array.isArray(data)) return;
    const properties = schema.properties as Record<string, Json> | undefined;
    if (!properties || schema.additionalProperties) return;
    for (const [key, value] of Object.entries(data)) {
      const property = properties[key];
      if (!property) problems.push(`${at}/${key} is not in the ${this.version} schema`);
      else if (key !== "_links") this.unknownFields(property, value, `${at}/${key}`, problems);
    }
  }
}
