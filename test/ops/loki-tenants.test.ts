// The compose stack's Loki tenants agree end to end: the tenants the compose exporter's
// configuration routes the compose simulator's organizations to are exactly the Loki ruler's rule
// directories and the provisioned Grafana datasources (one per tenant, plus uid loki over all).
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { test } from "node:test";
import { parseConfig } from "../../src/config/parse.ts";
import { createSimulatorApp } from "../../src/simulator/server.ts";
import { createTenantRouter } from "../../src/tenants/tenant-router.ts";
import { asArray, asRecord, asString, readRepoYaml, repoPath } from "../helpers/ops-repo.ts";

const compose = asRecord(readRepoYaml("docker-compose.yml"), "docker-compose.yml");
const services = asRecord(compose.services, "services");
const service = (name: string) => asRecord(services[name], `services.${name}`);

/** The exporter's environment as compose passes it without a .env file. */
function exporterEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(
    asRecord(service("exporter").environment, "exporter.environment"),
  ))
    env[key] = String(value).replace(/\$\{[A-Z_]+:?-([^}]*)\}/g, "$1");
  return env;
}

/** The tenants the compose exporter writes to: its own routing of the simulator's organizations. */
function routedTenants(): Set<string> {
  const result = parseConfig({
    text: null,
    fileName: "environment",
    baseDir: "/",
    cwd: "/",
    env: exporterEnv(),
    readFile: () => "",
  });
  assert.ok(result.ok, result.ok ? "" : result.errors.join("\n"));
  const tenants = result.config.logs.tenants;
  assert.ok(tenants, "the compose exporter routes records to tenants");
  assert.equal(tenants.perOrganization, true);
  const command = asArray(service("simulator").command, "simulator.command").map(String);
  const at = command.indexOf("--organizations");
  const sim = createSimulatorApp({
    apiVersion: "v8",
    ...(at < 0 ? {} : { organizations: Number(command[at + 1]) }),
  });
  const route = createTenantRouter(tenants);
  const routed = new Set(sim.world.organizations().map((o) => route({ name: o.name, id: o.id })));
  routed.add(tenants.defaultTenant);
  return routed;
}

interface Datasource {
  readonly uid: string;
  readonly header: string;
  readonly value: string;
}

function lokiDatasources(): Datasource[] {
  const root = asRecord(readRepoYaml("grafana/provisioning/datasources/loki.yml"), "loki.yml");
  return asArray(root.datasources, "datasources").map((d) => {
    const ds = asRecord(d, "datasource");
    assert.equal(ds.type, "loki");
    assert.equal(ds.url, "http://loki:3100");
    return {
      uid: asString(ds.uid, "uid"),
      header: asString(asRecord(ds.jsonData, "jsonData").httpHeaderName1, "httpHeaderName1"),
      value: asString(
        asRecord(ds.secureJsonData, "secureJsonData").httpHeaderValue1,
        "httpHeaderValue1",
      ),
    };
  });
}

test("Loki requires a tenant and answers multi-tenant queries", () => {
  const loki = asRecord(readRepoYaml("loki/loki.yml"), "loki.yml");
  assert.equal(loki.auth_enabled, true);
  assert.equal(asRecord(loki.querier, "querier").multi_tenant_queries_enabled, true);
});

test("the ruler has the audit rules of every tenant the exporter writes to, and no other", () => {
  const tenants = routedTenants();
  assert.ok(tenants.size >= 3, `${[...tenants].join(", ")}`);
  assert.deepEqual(new Set(readdirSync(repoPath("loki/rules"))), tenants);
});

test("one datasource per tenant, and uid loki over all of them", () => {
  const tenants = routedTenants();
  const datasources = lokiDatasources();
  for (const ds of datasources) assert.equal(ds.header, "X-Scope-OrgID", ds.uid);
  const all = datasources.find((ds) => ds.uid === "loki");
  assert.ok(all, "the dashboards' default datasource uid loki exists");
  assert.deepEqual(new Set(all.value.split("|")), tenants);
  const single = datasources.filter((ds) => ds.uid !== "loki");
  assert.deepEqual(new Set(single.map((ds) => ds.value)), tenants);
  assert.equal(single.length, tenants.size, "one datasource per tenant");
  assert.equal(new Set(datasources.map((ds) => ds.uid)).size, datasources.length, "unique uids");
  for (const ds of single) assert.ok(!ds.value.includes("|"), `${ds.uid} sees one tenant`);
});
