// Grafana dashboards and provisioning: generated JSON is committed, well-formed, and every query
// parses and uses only the exporter's metrics and labels and the log records' attributes.
import assert from "node:assert/strict";
import { test } from "node:test";
import { dashboards, render } from "../../grafana/src/generate.ts";
import {
  asGrafanaSchema,
  type Dashboard,
  type Panel,
  type Target,
} from "../../grafana/src/model.ts";
import { lokiFieldNames, prometheusMetrics } from "../helpers/ops-contract.ts";
import { definedMetrics } from "../helpers/ops-defined-metrics.ts";
import { analyseLogql, checkLogql } from "../helpers/ops-logql.ts";
import { catalogueFrom, checkPromql } from "../helpers/ops-metric-check.ts";
import { analysePromql } from "../helpers/ops-promql.ts";
import {
  asArray,
  asRecord,
  asString,
  listRepoFiles,
  readRepoText,
  readRepoYaml,
} from "../helpers/ops-repo.ts";

/** The metrics the exporter defines (catalogue and log pipeline), the contract queries are checked against. */
const defined = await definedMetrics();

const STABLE_UIDS = ["vbo-exporter-health", "vbo-restore-activity", "vbo-restore-investigation"];
const files = listRepoFiles("grafana/dashboards", ".json");
const committed = new Map(files.map((file) => [file, JSON.parse(readRepoText(file)) as Dashboard]));
const all = [...committed.values()];
const catalogue = catalogueFrom([...defined, ...prometheusMetrics]);

function panelsOf(dashboard: Dashboard): Panel[] {
  return dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
}

function targetsOf(dashboard: Dashboard): { panel: Panel; target: Target }[] {
  return panelsOf(dashboard).flatMap((panel) =>
    (panel.targets ?? []).map((target) => ({ panel, target })),
  );
}

function provisionedDatasourceUids(): Map<string, string> {
  return new Map(
    ["vbo.yml", "loki.yml"].flatMap((file) => {
      const root = asRecord(
        readRepoYaml(`grafana/provisioning/datasources/${file}`),
        "datasources",
      );
      return asArray(root.datasources, "datasources").map((d): [string, string] => {
        const ds = asRecord(d, "datasource");
        return [asString(ds.uid, "uid"), asString(ds.type, "type")];
      });
    }),
  );
}

test("the committed dashboards are exactly what grafana/src/generate.ts writes (npm run dashboards)", () => {
  const generated = dashboards();
  assert.deepEqual([...generated.keys()].map((f) => `grafana/dashboards/${f}`).sort(), files);
  for (const [file, dashboard] of generated) {
    assert.equal(
      readRepoText(`grafana/dashboards/${file}`),
      render(dashboard),
      `${file} is stale: run npm run dashboards`,
    );
  }
});

test("dashboards have stable uids, a schema version and no import-time placeholders", () => {
  assert.deepEqual(all.map((d) => d.uid).sort(), STABLE_UIDS);
  // Type-checked against @grafana/schema's Dashboard (tsc fails if the model drifts from it).
  for (const d of dashboards().values()) assert.equal(asGrafanaSchema(d).uid, d.uid);
  for (const [file, d] of committed) {
    assert.equal(file, `grafana/dashboards/${d.uid}.json`);
    assert.ok(
      Number.isInteger(d.schemaVersion) && d.schemaVersion >= 36,
      `${d.uid}: schemaVersion`,
    );
    assert.ok(d.title.startsWith("VBO "));
    const raw = readRepoText(file);
    assert.doesNotMatch(raw, /__inputs|__requires|\$\{DS_/, `${d.uid}: import placeholders`);
    assert.equal(
      (d as unknown as Record<string, unknown>).id,
      undefined,
      "no database id in provisioned JSON",
    );
  }
});

test("panels have unique ids, titles, units and non-overlapping positions on the 24-column grid", () => {
  for (const d of all) {
    const panels = panelsOf(d);
    assert.equal(
      new Set(panels.map((p) => p.id)).size,
      panels.length,
      `${d.uid}: duplicate panel ids`,
    );
    const cells = new Set<string>();
    for (const p of panels) {
      assert.ok(p.title.trim().length > 0, `${d.uid}#${p.id}: title`);
      const { x, y, w, h } = p.gridPos;
      assert.ok(
        x >= 0 && w > 0 && h > 0 && x + w <= 24,
        `${d.uid}: ${p.title}: gridPos ${JSON.stringify(p.gridPos)}`,
      );
      for (let cx = x; cx < x + w; cx++) {
        for (let cy = y; cy < y + h; cy++) {
          const cell = `${cx},${cy}`;
          assert.ok(!cells.has(cell), `${d.uid}: ${p.title} overlaps another panel at ${cell}`);
          cells.add(cell);
        }
      }
      if (!["row", "text", "logs", "table"].includes(p.type)) {
        assert.ok(p.fieldConfig?.defaults.unit, `${d.uid}: ${p.title}: unit`);
        assert.ok((p.description ?? "").length > 0, `${d.uid}: ${p.title}: description`);
      }
    }
  }
});

test("every restore panel's description says whether it counts from Prometheus or the audit log", () => {
  for (const d of all.filter((x) => x.uid !== "vbo-exporter-health")) {
    for (const panel of panelsOf(d)) {
      const source = panel.targets?.[0]?.datasource.type;
      if (!source) continue;
      const says = source === "prometheus" ? /From Prometheus/ : /From the audit log in Loki/;
      assert.match(panel.description ?? "", says, `${d.uid}: ${panel.title}`);
    }
  }
});

test("every query reads its datasource from a datasource variable defaulting to a provisioned uid", () => {
  const uids = provisionedDatasourceUids();
  for (const uid of ["alertmanager", "loki", "prometheus"]) assert.ok(uids.has(uid), uid);
  for (const d of all) {
    const variables = new Map(
      d.templating.list.filter((v) => v.type === "datasource").map((v) => [`\${${v.name}}`, v]),
    );
    for (const { panel, target } of targetsOf(d)) {
      const variable = variables.get(target.datasource.uid);
      assert.ok(
        variable,
        `${d.uid}: ${panel.title}: ${target.datasource.uid} is no datasource variable`,
      );
      assert.equal(
        variable.query,
        target.datasource.type,
        `${d.uid}: ${panel.title}: variable type`,
      );
      const current = String(variable.current?.value ?? "");
      assert.equal(
        uids.get(current),
        target.datasource.type,
        `${d.uid}: $${variable.name} default`,
      );
      assert.deepEqual(
        panel.datasource,
        target.datasource,
        `${d.uid}: ${panel.title}: panel and query datasource`,
      );
    }
    for (const v of d.templating.list) {
      if (v.datasource)
        assert.equal(
          variables.get(v.datasource.uid)?.query,
          v.datasource.type,
          `${d.uid}: $${v.name}`,
        );
    }
  }
});

test("every PromQL query parses, uses exported metrics and labels, and takes counters only through rate/increase", () => {
  let count = 0;
  for (const d of all) {
    for (const { panel, target } of targetsOf(d)) {
      if (target.datasource.type !== "prometheus") continue;
      count += 1;
      const problems = checkPromql(target.expr, catalogue, { countersOnlyThroughRate: true });
      assert.deepEqual(problems, [], `${d.uid}: ${panel.title}: ${problems.join("; ")}`);
      for (const selector of analysePromql(target.expr).selectors) {
        if (selector.rangeFunction === "rate" || selector.rangeFunction === "irate") {
          assert.equal(
            selector.range,
            "$__rate_interval",
            `${d.uid}: ${panel.title}: rate() over $__rate_interval`,
          );
        }
        if (selector.ranged) {
          assert.ok(
            ["$__rate_interval", "$__interval", "$__range"].includes(selector.range ?? ""),
            `${d.uid}: ${panel.title}: range ${selector.range}`,
          );
        }
      }
    }
  }
  assert.ok(count >= 30, `only ${count} PromQL queries found`);
});

test("label_values variables use exported metrics and labels", () => {
  for (const d of all) {
    for (const v of d.templating.list.filter((x) => x.type === "query")) {
      const match = /^label_values\((.+),\s*([a-z_]+)\)$/.exec(v.query);
      assert.ok(match, `${d.uid}: $${v.name}: ${v.query}`);
      const [, selector = "", label = ""] = match;
      assert.deepEqual(
        checkPromql(selector, catalogue, { countersOnlyThroughRate: false }),
        [],
        `${d.uid}: $${v.name}`,
      );
      const metric = analysePromql(selector).selectors[0]?.metric ?? "";
      assert.ok(
        catalogue.get(metric)?.labels.has(label),
        `${d.uid}: $${v.name}: ${metric} has no ${label}`,
      );
    }
  }
});

test("every LogQL query parses and uses only index labels and record attributes", () => {
  let count = 0;
  for (const d of all) {
    for (const { panel, target } of targetsOf(d)) {
      if (target.datasource.type !== "loki") continue;
      count += 1;
      assert.deepEqual(
        checkLogql(target.expr),
        [],
        `${d.uid}: ${panel.title}: ${checkLogql(target.expr).join("; ")}`,
      );
    }
  }
  assert.ok(count >= 8, `only ${count} LogQL queries found`);
});

test("table columns taken from log records are record attributes", () => {
  const fieldNames = lokiFieldNames();
  for (const d of all) {
    for (const panel of panelsOf(d)) {
      for (const t of panel.transformations ?? []) {
        const options = asRecord(t.options ?? {}, "options");
        for (const key of ["includeByName", "renameByName", "indexByName"]) {
          for (const column of Object.keys(asRecord(options[key] ?? {}, key))) {
            if (column.startsWith("vbo_"))
              assert.ok(fieldNames.has(column), `${d.uid}: ${panel.title}: column ${column}`);
          }
        }
      }
    }
  }
});

test("data links point at existing dashboards, variables and grouped labels", () => {
  const byUid = new Map(all.map((d) => [d.uid, d]));
  let links = 0;
  for (const d of all) {
    for (const panel of panelsOf(d)) {
      const urls = [
        ...(panel.fieldConfig?.defaults.links ?? []).map((l) => ({ url: l.url, field: true })),
        ...(panel.fieldConfig?.overrides ?? []).flatMap((o) =>
          o.properties
            .filter((p) => p.id === "links")
            .flatMap((p) =>
              asArray(p.value, "links").map((l) => ({
                url: asString(asRecord(l, "link").url, "url"),
                field: false,
              })),
            ),
        ),
      ];
      const grouped = new Set(
        (panel.targets ?? []).flatMap((t) =>
          t.datasource.type === "loki"
            ? analyseLogql(t.expr).groupingLabels
            : analysePromql(t.expr).groupingLabels,
        ),
      );
      for (const { url } of urls) {
        links += 1;
        const match = /^\/d\/([a-z-]+)\/[a-z-]+\?(.*)$/.exec(url);
        assert.ok(match, `${d.uid}: ${panel.title}: ${url}`);
        const [, uid = "", query = ""] = match;
        const target = byUid.get(uid);
        assert.ok(target, `${d.uid}: ${panel.title}: unknown dashboard ${uid}`);
        const variables = new Set(target.templating.list.map((v) => v.name));
        for (const [, name] of query.matchAll(/var-([a-z_]+)=/g))
          assert.ok(variables.has(name ?? ""), `${uid} has no $${name}`);
        for (const [, name] of query.matchAll(/\$\{([a-z_]+):queryparam\}/g))
          assert.ok(variables.has(name ?? ""), `${uid} has no $${name}`);
        for (const [, label] of query.matchAll(/__field\.labels\.([a-z_]+)/g))
          assert.ok(
            grouped.has(label ?? ""),
            `${d.uid}: ${panel.title}: link reads ${label}, which the query does not group by`,
          );
      }
    }
  }
  assert.ok(links >= 10, `only ${links} data links`);
});

test("the dashboard provider loads the folder the dashboards are mounted in", () => {
  const root = asRecord(readRepoYaml("grafana/provisioning/dashboards/vbo.yml"), "providers");
  const provider = asRecord(asArray(root.providers, "providers")[0], "provider");
  assert.equal(provider.type, "file");
  assert.equal(asRecord(provider.options, "options").path, "/var/lib/grafana/dashboards/vbo");
});
