// Reads the tables and links of a rendered page back into text, the way a reader would see them
// (tags dropped, entities decoded), for assertions that do not depend on the markup's details.

const ENTITIES: Readonly<Record<string, string>> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  "#39": "'",
};

export function decodeEntities(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39);/g, (_, name: string) => ENTITIES[name] ?? "");
}

function text(html: string): string {
  return decodeEntities(html.replace(/<[^>]*>/g, "")).trim();
}

/** The body rows of the table with this class: each row's cells as text, and its first link. */
export function tableRows(
  html: string,
  className: string,
): { cells: string[]; href: string | null }[] {
  const table = new RegExp(`<table class="cards ${className}">.*?<tbody>(.*?)</tbody>`, "s").exec(
    html,
  );
  if (table === null) return [];
  return [...(table[1] ?? "").matchAll(/<tr>(.*?)<\/tr>/gs)].map((row) => {
    const body = row[1] ?? "";
    const cells = [...body.matchAll(/<td[^>]*>(.*?)<\/td>/gs)].map((cell) => text(cell[1] ?? ""));
    const href = /<a href="([^"]*)"/.exec(body)?.[1];
    return { cells, href: href === undefined ? null : decodeEntities(href) };
  });
}

/** The href of the link whose text is `label`, decoded; null when there is none. */
export function linkTo(html: string, label: string): string | null {
  for (const m of html.matchAll(/<a href="([^"]*)"[^>]*>(.*?)<\/a>/gs)) {
    if (text(m[2] ?? "") === label) return decodeEntities(m[1] ?? "");
  }
  return null;
}

/** The query parameters of a relative link such as `./?organization=x` or `session?id=1`. */
export function linkParams(href: string): URLSearchParams {
  return new URL(href, "http://page.example/").searchParams;
}

/** The text of the element with this class (the first one). */
export function textOf(html: string, className: string): string {
  const m = new RegExp(`<(\\w+) class="${className}"[^>]*>(.*?)</\\1>`, "s").exec(html);
  return m === null ? "" : text(m[2] ?? "");
}
