// ${VAR} and ${VAR:-default} in configuration values, resolved against an environment.
// Interpolation runs on parsed YAML strings, so a value can never break the YAML structure.
import type { KeyPath } from "./key-path.ts";

export type Env = Readonly<Record<string, string | undefined>>;

export interface InterpolationError {
  readonly path: KeyPath;
  readonly message: string;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The string with every reference replaced, or an error message (never containing values). */
export function interpolateString(
  text: string,
  env: Env,
): { ok: true; value: string } | { ok: false; message: string } {
  let out = "";
  let i = 0;
  while (i < text.length) {
    const dollar = text.indexOf("$", i);
    if (dollar === -1) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, dollar);
    const next = text[dollar + 1];
    if (next === "$") {
      out += "$";
      i = dollar + 2;
      continue;
    }
    if (next !== "{") {
      out += "$";
      i = dollar + 1;
      continue;
    }
    const close = text.indexOf("}", dollar + 2);
    if (close === -1)
      return { ok: false, message: 'unterminated "${" (write "$$" for a literal "$")' };
    const body = text.slice(dollar + 2, close);
    const sep = body.indexOf(":-");
    const name = sep === -1 ? body : body.slice(0, sep);
    if (!NAME.test(name)) {
      return { ok: false, message: `"\${${name}}" is not a valid environment variable reference` };
    }
    const value = env[name];
    if (sep !== -1) {
      out += value === undefined || value === "" ? body.slice(sep + 2) : value;
    } else if (value === undefined) {
      return {
        ok: false,
        message: `environment variable ${name} is not set (write \${${name}:-default} for a default)`,
      };
    } else {
      out += value;
    }
    i = close + 1;
  }
  return { ok: true, value: out };
}

/** A copy of a parsed YAML tree with every string value interpolated. */
export function interpolateTree(
  value: unknown,
  env: Env,
  path: KeyPath = [],
  errors: InterpolationError[] = [],
): { value: unknown; errors: InterpolationError[] } {
  const walk = (node: unknown, at: KeyPath): unknown => {
    if (typeof node === "string") {
      const result = interpolateString(node, env);
      if (result.ok) return result.value;
      errors.push({ path: at, message: result.message });
      return node;
    }
    if (Array.isArray(node)) return node.map((item, index) => walk(item, [...at, index]));
    if (node !== null && typeof node === "object") {
      const copy: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(node)) copy[key] = walk(item, [...at, key]);
      return copy;
    }
    return node;
  };
  return { value: walk(value, path), errors };
}
