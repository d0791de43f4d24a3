// What check-config says about a key the schema does not know: a sentence for keys that belong
// elsewhere (a tenant user's password), else the nearest known key as a "did you mean".
import { editDistance } from "../text/edit-distance.ts";
import type { KeyPath } from "./key-path.ts";
import { KNOWN_KEYS } from "./schema.ts";

function suggestion(key: string): string {
  let best: string | undefined;
  let bestDistance = 3;
  for (const known of KNOWN_KEYS) {
    const d = editDistance(key, known, true);
    // A key known elsewhere in the file but not here: suggesting itself would say nothing.
    if (d === 0 && known === key) continue;
    if (d < bestDistance) {
      best = known;
      bestDistance = d;
    }
  }
  return best === undefined ? "" : ` (did you mean ${best}?)`;
}

const TENANT_PASSWORD_KEYS = new Set(["password", "passwordFile"]);

export function unknownKeyMessage(path: KeyPath): string {
  const key = String(path[path.length - 1]);
  const [top, list, index] = path;
  if (
    path.length === 4 &&
    top === "web" &&
    list === "tenants" &&
    typeof index === "number" &&
    TENANT_PASSWORD_KEYS.has(key)
  )
    return "tenant users take passwordHash only (make one with vbo-restore-exporter hash-password)";
  return `unknown key${suggestion(key)}`;
}
