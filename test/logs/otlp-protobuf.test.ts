// Our protobuf writer puts out, byte for byte, what the OpenTelemetry serializer writes for the same
// records: thousands of generated records with every value shape (ASCII, multi-byte and emoji text,
// lone surrogates, strings past one- and two-byte lengths, negative, huge and fractional numbers,
// repeated and integer-like keys, several resources, times at the edges).
import assert from "node:assert/strict";
import { test } from "node:test";
import { encodeWithSerializer } from "../../src/logs/otlp-encode.ts";
import { encodeLogsProtobuf } from "../../src/logs/otlp-protobuf.ts";
import type { Attribute, AttributeValue, LogRecord } from "../../src/logs/records.ts";

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = [
  "a",
  "Contoso",
  "é",
  "ß",
  "日本",
  "😀",
  "\ud800",
  "\udc00",
  " ",
  "\n",
  '"',
  "\\",
  "0",
];
const KEYS = [
  "vbo.session.id",
  "vbo.event.id",
  "user.name",
  "vbo.event.duration_seconds",
  "client.address",
  "1",
  "42",
  "__proto__",
  "constructor",
  "ключ",
];

function text(random: () => number): string {
  const kind = random();
  if (kind < 0.1) return "";
  const length =
    kind < 0.8
      ? Math.floor(random() * 40)
      : kind < 0.99
        ? 100 + Math.floor(random() * 300)
        : 17_000;
  let out = "";
  const ascii = random() < 0.6;
  while (out.length < length) {
    out += ascii
      ? String.fromCharCode(32 + Math.floor(random() * 95))
      : (PIECES[Math.floor(random() * PIECES.length)] as string);
  }
  return out;
}

function value(random: () => number): AttributeValue {
  const kind = random();
  if (kind < 0.5) return { type: "string", value: text(random) };
  const numbers = [
    0,
    1,
    -1,
    127,
    128,
    2 ** 31,
    2 ** 32,
    2 ** 53,
    -(2 ** 40),
    2 ** 63,
    -(2 ** 63),
    0.5,
    -2.25,
    1e300,
    Number.NaN,
    Number.POSITIVE_INFINITY,
  ];
  const n =
    random() < 0.5
      ? (numbers[Math.floor(random() * numbers.length)] as number)
      : Math.floor(random() * 1e7) / (random() < 0.5 ? 1 : 1000);
  return Number.isInteger(n) ? { type: "int", value: n } : { type: "double", value: n };
}

function attributes(random: () => number, count: number): Attribute[] {
  const out: Attribute[] = [];
  for (let i = 0; i < count; i++) {
    const key =
      random() < 0.7 ? (KEYS[Math.floor(random() * KEYS.length)] as string) : text(random);
    out.push({ key, value: value(random) });
  }
  return out;
}

const TIMES = [0n, 1n, 999_999_999n, 1_700_000_000_123_456_789n, 4_102_444_800_000_000_000n, -5n];

function record(random: () => number, resources: readonly Attribute[][]): LogRecord {
  const time = () =>
    random() < 0.2
      ? (TIMES[Math.floor(random() * TIMES.length)] as bigint)
      : 1_600_000_000_000_000_000n + BigInt(Math.floor(random() * 1e15));
  return {
    key: `event:${random()}`,
    server: "lab",
    eventName: random() < 0.9 ? "vbo.restore.event" : "",
    timeUnixNano: time(),
    observedTimeUnixNano: time(),
    severityNumber: [0, 9, 13, 17, 21][Math.floor(random() * 5)] as number,
    severityText: ["", "INFO", "WARN", "ERROR"][Math.floor(random() * 4)] as string,
    body: text(random),
    resource: resources[Math.floor(random() * resources.length)] as Attribute[],
    attributes: attributes(random, Math.floor(random() * 30)),
  };
}

test("the protobuf request is the OpenTelemetry serializer's, byte for byte", () => {
  const random = prng(20_261_201);
  let compared = 0;
  for (let request = 0; request < 200; request++) {
    const resources = Array.from({ length: 1 + Math.floor(random() * 3) }, () =>
      attributes(random, 1 + Math.floor(random() * 5)),
    );
    // Equal resources that are not the same array are one resource for both writers.
    resources.push(resources[0]?.map((a) => ({ ...a })) ?? []);
    const records = Array.from({ length: 1 + Math.floor(random() * 25) }, () =>
      record(random, resources),
    );
    const ours = encodeLogsProtobuf(records);
    const reference = encodeWithSerializer(records, "http/protobuf");
    assert.ok(
      Buffer.from(ours).equals(Buffer.from(reference)),
      `request ${request}: ${ours.length} bytes, the serializer wrote ${reference.length}`,
    );
    compared += records.length;
  }
  assert.ok(compared > 1_500);
});
