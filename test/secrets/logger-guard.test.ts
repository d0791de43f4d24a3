// The logger's last guard: configured secrets are scrubbed from every field of every line, and
// the lines stay valid JSON.
import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { test } from "node:test";
import { createLogger } from "../../src/logger.ts";

test("a secret in any field of a log line is scrubbed, nested or not", async () => {
  const out = new PassThrough();
  let text = "";
  out.setEncoding("utf8").on("data", (chunk: string) => {
    text += chunk;
  });
  const secret = "tok-9d2c4e6f8a";
  const logger = createLogger("info", out, [secret, "123456"]);
  logger.warn(
    {
      receiverMessage: `denied for Bearer ${secret}`,
      nested: { list: [`x${secret}x`, 7], count: 123456 },
    },
    "the receiver said no",
  );
  logger.flush();
  await new Promise((resolve) => setImmediate(resolve));
  const line = JSON.parse(text.trim()) as Record<string, unknown>;
  assert.equal(line.receiverMessage, "denied for Bearer [redacted]");
  assert.deepEqual(line.nested, { list: ["x[redacted]x", 7], count: 123456 });
  assert.ok(!text.includes(secret));
});
