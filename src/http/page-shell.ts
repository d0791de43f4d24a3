// The frame every page shares: head, inline CSS (no external assets), the small enhancement
// script and the Content-Security-Policy that allows exactly that script; plus card tables that
// turn into label/value lists on a phone.
import { createHash } from "node:crypto";
import { escapeHtml } from "./html.ts";

/**
 * Progressive enhancement only (the pages work without it): local time on hover of every time,
 * and a filter applied as soon as it is chosen.
 */
const SCRIPT = `document.querySelectorAll("time[datetime]").forEach(function(t){var d=new Date(t.dateTime);if(!isNaN(d.getTime()))t.title="Local time: "+d.toLocaleString()+(t.title?"\\n"+t.title:"")});
document.querySelectorAll("form.filters:not([data-on-button]) select").forEach(function(s){s.addEventListener("change",function(){s.form.submit()})});`;

const STYLE = `*{box-sizing:border-box}html{-webkit-text-size-adjust:100%}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;padding:1rem 1.25rem;max-width:1600px;color:#1d1d1f;background:#fff}
h1{font-size:1.35rem;margin:.1rem 0 .3rem}h2{font-size:1.1rem;margin:1.3rem 0 .5rem}a{color:#0b57d0}
nav{display:flex;flex-wrap:wrap;gap:.2rem 1rem;color:#555}
table{border-collapse:collapse;width:100%;margin:0 0 1rem}
th,td{border-bottom:1px solid #e3e3e3;padding:.3rem .45rem;text-align:left;vertical-align:top;overflow-wrap:break-word}
th{background:#f4f4f5;font-weight:600;white-space:nowrap}td.w{overflow-wrap:anywhere;min-width:7.5rem}td.n{white-space:nowrap}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
time{font-variant-numeric:tabular-nums;white-space:nowrap}
.up{color:#17702a}.down{color:#b00020}.warn{color:#a05a00}.running,.pending{color:#555}
.error{max-width:40em}.progress:empty{display:none}
.notice{background:#fff6d6;border:1px solid #e8d48a;padding:.5rem .8rem;overflow-wrap:anywhere}
.filters{display:flex;flex-wrap:wrap;gap:.5rem .8rem;align-items:flex-end;margin:.3rem 0 .6rem}
.filters label{display:flex;flex-direction:column;font-size:.85rem;color:#444;min-width:0;max-width:100%}
.filters select,.filters button{font:inherit;max-width:15rem}
.summary{color:#333}.summary a{white-space:nowrap}
.counts{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,24rem),1fr));gap:0 1.5rem}
.counts h3{font-size:1rem;margin:.4rem 0}
dl.facts{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:.2rem 1rem;margin:0 0 1rem}
dl.facts dt{color:#555}dl.facts dd{margin:0;overflow-wrap:anywhere}
@media (max-width:760px){body{padding:.6rem}
table.cards thead{display:none}
table.cards,table.cards tbody,table.cards tr,table.cards td{display:block;width:100%}
table.cards tr{border:1px solid #ddd;border-radius:4px;margin:0 0 .6rem;padding:.2rem 0}
table.cards td,table.cards td.n,table.cards td.num{border:0;position:relative;padding:.15rem .5rem .15rem 8rem;min-height:1.6em;text-align:left;white-space:normal;overflow-wrap:anywhere}
table.cards td:empty{display:none}
table.cards td::before{position:absolute;left:.5rem;width:7rem;color:#666;font-size:.85rem;overflow-wrap:anywhere}
dl.facts{grid-template-columns:minmax(0,1fr)}dl.facts dd{margin-bottom:.3rem}}`;

/** The response header value: nothing loads from elsewhere; only the page script runs. */
export function contentSecurityPolicy(): string {
  const hash = createHash("sha256").update(SCRIPT, "utf8").digest("base64");
  return `default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${hash}'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`;
}

export interface PageFrame {
  readonly title: string;
  readonly version: string;
  /** Seconds between reloads; null for none. */
  readonly refreshSeconds: number | null;
  /** Extra navigation links, already HTML. */
  readonly links?: readonly string[];
  /** A notice shown at the top (e.g. the demo banner); plain text. */
  readonly notice?: string | undefined;
  /** CSS rules of this page's card tables (see cardLabels). */
  readonly style?: string;
  readonly body: string;
}

export function renderPage(frame: PageFrame): string {
  const refresh =
    frame.refreshSeconds === null
      ? ""
      : `<meta http-equiv="refresh" content="${escapeHtml(frame.refreshSeconds)}">`;
  const links = [
    '<a href="./">Sessions</a>',
    '<a href="reports">Reports</a>',
    '<a href="metrics">Metrics</a>',
    '<a href="healthz">Health</a>',
    '<a href="readyz">Readiness</a>',
    ...(frame.links ?? []),
  ];
  const notice = frame.notice ? `<p class="notice">${escapeHtml(frame.notice)}</p>` : "";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(frame.title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">${refresh}<style>${STYLE}${frame.style ?? ""}</style></head>
<body><header><h1>VBO restore exporter</h1>
<nav><span>Version ${escapeHtml(frame.version)}</span>${links.join("")}</nav></header>
${notice}<main>${frame.body}</main>
<script>${SCRIPT}</script>
</body></html>
`;
}

/** A table whose rows become label/value cards on a narrow screen; cells are HTML `<td>`s. */
export function cardTable(
  className: string,
  columns: readonly string[],
  rows: readonly string[],
): string {
  const head = columns.map((c) => `<th>${escapeHtml(c)}</th>`).join("");
  return `<table class="cards ${className}"><thead><tr>${head}</tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

/** The CSS giving each cell of `className` its column label on a narrow screen. */
export function cardLabels(className: string, columns: readonly string[]): string {
  const rules = columns.map(
    (c, i) => `table.${className} td:nth-child(${i + 1})::before{content:${JSON.stringify(c)}}`,
  );
  return `@media (max-width:760px){${rules.join("")}}`;
}
