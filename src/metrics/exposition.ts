// The /metrics text: the registry's metrics in its order, with the large restore metrics (which
// change only when a batch commits) rendered again only after they changed, not on every scrape.
import { Registry as PromRegistry, type Registry } from "prom-client";

const PROMETHEUS_CONTENT_TYPE: string = PromRegistry.PROMETHEUS_CONTENT_TYPE;

/** What /metrics needs: the text and its content type (a Registry is one too). */
export interface Exposition {
  readonly contentType: string;
  metrics(): Promise<string>;
}

/** Metrics whose text stays the same while `generation()` returns the same number. */
export interface StableSeries {
  readonly names: ReadonlySet<string>;
  /** Brings the metrics up to date (held increments due) and says which state they are in. */
  generation(): number;
}

/**
 * prom-client's own text for the whole registry (same order, same separators), the stable metrics
 * taken from a cache. Formatting thousands of series costs tens of ms per scrape otherwise.
 */
export function createExposition(registry: Registry, stable: StableSeries): Exposition {
  const cache = new Map<string, string>();
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
      const parts = await Promise.all(
        registry.getMetricsAsArray().map(async (metric) => {
          const name = metric.name;
          if (!stable.names.has(name)) return registry.getSingleMetricAsString(name);
          const cached = cache.get(name);
          if (cached !== undefined) return cached;
          const text = await registry.getSingleMetricAsString(name);
          // Something committed while it was rendered: keep it for this scrape only.
          if (stable.generation() === generation) cache.set(name, text);
          return text;
        }),
      );
      return `${parts.join("\n\n")}\n`;
    },
  };
}
