// Basic-auth checks against an scrypt hash: a flood of guesses is computed a few at a time and
// answered busy beyond a bounded queue, while verified credentials keep passing from the cache.
import assert from "node:assert/strict";
import { test } from "node:test";
import { hashPassword, verifyPassword } from "../../src/config/password-hash.ts";
import { createCredentialsCheck } from "../../src/http/basic-auth.ts";
import { basic } from "./request.ts";

test("hash checks run at most two at a time, guesses beyond the queue are answered busy at once, the cache still answers", async () => {
  const passwordHash = await hashPassword("right pw", 10);
  let running = 0;
  let mostAtOnce = 0;
  let computed = 0;
  const check = createCredentialsCheck(
    { username: "prom", password: null, passwordHash },
    {
      queuedHashChecks: 8,
      queuedHashChecksPerClient: 8,
      verify: async (password, hash) => {
        running++;
        computed++;
        mostAtOnce = Math.max(mostAtOnce, running);
        try {
          return await verifyPassword(password, hash);
        } finally {
          running--;
        }
      },
    },
  );
  const header = (user: string, password: string) => basic(user, password).authorization;
  assert.equal(await check(header("prom", "right pw")), "ok");
  assert.equal(computed, 1);

  const guesses = Array.from({ length: 30 }, (_, i) => check(header("prom", `guess ${i}`)));
  const cached = check(header("prom", "right pw"));
  assert.equal(await cached, "ok", "verified credentials are answered from the cache");
  // Beyond the queue nothing is known about a guess: busy (503), not denied (401).
  assert.deepEqual(await Promise.all(guesses), [
    ...new Array(10).fill("denied"),
    ...new Array(20).fill("busy"),
  ]);
  assert.equal(mostAtOnce, 2);
  assert.equal(computed, 1 + 2 + 8, "two running and eight queued are computed; the rest refused");
  assert.equal(await check(header("prom", "guess 99")), "denied", "the queue frees up again");
  assert.equal(computed, 12);
});
