// The cut of the text exposition for a tenant: the organization label is read as Prometheus
// escapes it, so a value elsewhere that looks like one never lets a series through.
import assert from "node:assert/strict";
import { test } from "node:test";
import { organizationOf, scopeExposition } from "../../src/http/metrics-scope.ts";

const TEXT = `# HELP vbo_up 1 when the last poll worked.
# TYPE vbo_up gauge
vbo_up{server="lab"} 1
# HELP vbo_restore_sessions_total Sessions.
# TYPE vbo_restore_sessions_total counter
vbo_restore_sessions_total{server="lab",organization="A \\"quoted\\" org",client_host="h"} 3
vbo_restore_sessions_total{server="lab",organization="B",client_host="x\\",organization=\\"A \\\\\\"quoted\\\\\\" org"} 4
vbo_restore_sessions_total{server="lab",backed_up_organization="A \\"quoted\\" org",organization="C"} 5
# HELP vbo_restore_duration_seconds Durations.
# TYPE vbo_restore_duration_seconds histogram
vbo_restore_duration_seconds_bucket{le="1",organization="B"} 1
vbo_restore_duration_seconds_count{organization="B"} 1
# HELP vbo_empty_family Known organization series, none of A's.
# TYPE vbo_empty_family counter
vbo_empty_family{organization="B"} 0
`;

test("the organization label is found by name and unescaped", () => {
  assert.equal(organizationOf('m{server="s",organization="A \\"q\\" \\\\ \\n"} 1'), 'A "q" \\ \n');
  assert.equal(organizationOf('m{client_host="organization=\\"A\\""} 1'), null);
  assert.equal(organizationOf("m 1"), null);
});

test("a tenant gets their series and the headers of families with organizations only", () => {
  assert.equal(
    scopeExposition(TEXT, new Set(['A "quoted" org'])),
    `# HELP vbo_restore_sessions_total Sessions.
# TYPE vbo_restore_sessions_total counter
vbo_restore_sessions_total{server="lab",organization="A \\"quoted\\" org",client_host="h"} 3
# HELP vbo_restore_duration_seconds Durations.
# TYPE vbo_restore_duration_seconds histogram
# HELP vbo_empty_family Known organization series, none of A's.
# TYPE vbo_empty_family counter
`,
  );
  assert.equal(scopeExposition(TEXT, new Set(["nobody"])).includes("vbo_up"), false);
});
