// The catalogue's metric names as typed constants: a dashboard that names a metric the exporter
// does not define fails the type check (and the ops tests name it).
import { CATALOGUE, type MetricName } from "../../src/metrics/catalogue.ts";

export const M = Object.fromEntries(Object.keys(CATALOGUE).map((name) => [name, name])) as {
  readonly [K in MetricName]: K;
};
