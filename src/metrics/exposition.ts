// The /metrics text: the registry's metrics in its order, with the large restore metrics (which
// change only when a batch commits) rendered again only after they changed, not on every scrape.
import { Registry as PromRegistry, type Registry } from "prom-client";

const PROMETHEUS_CONTENT_TYPE: string = PromRegistry.PROMETHEUS_CONTENT_TYPE;

/** What /metrics needs: the text (or its UTF-8 bytes) and its content type (a Registry is one too). */
export interface Exposition {
  readonly contentType: string;
  metrics(): Promise<string | Uint8Array>;
}

/** Metrics whose text stays the same while `generation()` returns the same number. */
export interface StableSeries {
  readonly names: ReadonlySet<string>;
  /** Brings the metrics up to date (held increments due) and says which state they are in. */
  generation(): number;
}

/**
 * prom-client's own text for the whole registry (same order, same separators) as UTF-8 bytes, the
 * stable metrics taken from a cache of their bytes. Formatting thousands of series costs tens of ms
 * per scrape otherwise, and so does encoding a text of several hundred kB again (Koa measures it,
 * the socket encodes it) where the bytes can be copied.
 */
export function createExposition(registry: Registry, stable: StableSeries): Exposition {
  const cache = new Map<string, Buffer>();
  let cachedGeneration = Number.NaN;
  return {
    get contentType() {
      return registry.contentType;
    },
    async metrics() {
      // prom-client's OpenMetrics text has other separators and an # EOF: no shortcut there.
      if (registry.contentType !== PROMETHEUS_CONTENT_TYPE) return registry.metrics();
      const generation = stable.generation();
      if (generation !== cachedGeneration) {
        cache.clear();
        cachedGeneration = generation;
      }
      const metrics = registry.getMetricsAsArray();
      const parts = await Promise.all(
        metrics.map(async (metric, index) => {
          const name = metric.name;
          // Each metric's text with what follows it in prom-client's output.
          const after = index === metrics.length - 1 ? "\n" : "\n\n";
          if (!stable.names.has(name))
            return Buffer.from(`${await registry.getSingleMetricAsString(name)}${after}`);
          const key = `${name}${after}`;
          const cached = cache.get(key);
          if (cached !== undefined) return cached;
          const bytes = Buffer.from(`${await registry.getSingleMetricAsString(name)}${after}`);
          // Something committed while it was rendered: keep it for this scrape only.
          if (stable.generation() === generation) cache.set(key, bytes);
          return bytes;
        }),
      );
      return Buffer.concat(parts);
    },
  };
}
