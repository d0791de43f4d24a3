// A tenant user's /metrics: the Prometheus text exposition cut down to the series whose
// `organization` label is one of theirs. Families without an organization label (the exporter's
// own health, totals over every organization) are the provider's and are left out entirely.

/** The value of the `organization` label of a sample line, unescaped; null when it has none. */
export function organizationOf(line: string): string | null {
  const open = line.indexOf("{");
  if (open < 0) return null;
  let i = open + 1;
  while (i < line.length && line[i] !== "}") {
    const eq = line.indexOf("=", i);
    if (eq < 0 || line[eq + 1] !== '"') return null;
    const name = line.slice(i, eq).trim();
    let value = "";
    let j = eq + 2;
    for (; j < line.length; j += 1) {
      const c = line[j];
      if (c === "\\") {
        const next = line[j + 1];
        value += next === "n" ? "\n" : (next ?? "");
        j += 1;
      } else if (c === '"') break;
      else value += c;
    }
    if (name === "organization") return value;
    i = j + 1;
    if (line[i] === ",") i += 1;
  }
  return null;
}

function familyName(comment: string): string {
  return comment.split(" ")[2] ?? "";
}

/** The exposition with only the series of `organizations`, and only the families that have some. */
export function scopeExposition(text: string, organizations: ReadonlySet<string>): string {
  const out: string[] = [];
  let header: string[] = [];
  let samples: string[] = [];
  let family = "";
  let hasOrganization = false;
  const flush = () => {
    if (hasOrganization) out.push(...header, ...samples);
    header = [];
    samples = [];
    hasOrganization = false;
  };
  for (const line of text.split("\n")) {
    if (line === "") continue;
    if (line.startsWith("#")) {
      const name = familyName(line);
      if (name !== family || samples.length > 0) {
        flush();
        family = name;
      }
      header.push(line);
      continue;
    }
    const organization = organizationOf(line);
    if (organization === null) continue;
    hasOrganization = true;
    if (organizations.has(organization)) samples.push(line);
  }
  flush();
  return out.length === 0 ? "" : `${out.join("\n")}\n`;
}
