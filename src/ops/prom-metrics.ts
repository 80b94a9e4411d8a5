/**
 * The Metrics port over prom-client, with a registry of its own (not prom-client's global one, so two
 * apps in one process — tests — do not collide). `scrape()` is what `/metrics` serves.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import type {
  CounterMetric,
  GaugeMetric,
  HistogramDefinition,
  HistogramMetric,
  MetricDefinition,
  MetricLabels,
  Metrics,
} from '../core/metrics-port.js'

export interface Scrape {
  readonly contentType: string
  readonly body: string
}

export interface ScrapableMetrics extends Metrics {
  scrape(): Promise<Scrape>
}

const labelsOf = (labels: MetricLabels | undefined) => ({ ...labels })

export class PromMetrics implements ScrapableMetrics {
  readonly registry = new Registry()

  counter(definition: MetricDefinition): CounterMetric {
    const counter = new Counter({ ...this.#common(definition) })
    return { inc: (labels, value = 1) => counter.inc(labelsOf(labels), value) }
  }

  histogram(definition: HistogramDefinition): HistogramMetric {
    const histogram = new Histogram({
      ...this.#common(definition),
      ...(definition.buckets ? { buckets: [...definition.buckets] } : {}),
    })
    return { observe: (labels, value) => histogram.observe(labelsOf(labels), value) }
  }

  gauge(definition: MetricDefinition): GaugeMetric {
    const gauge = new Gauge({ ...this.#common(definition) })
    return { set: (labels, value) => gauge.set(labelsOf(labels), value) }
  }

  async scrape(): Promise<Scrape> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() }
  }

  #common(definition: MetricDefinition) {
    return {
      name: definition.name,
      help: definition.help,
      labelNames: [...definition.labelNames],
      registers: [this.registry],
    }
  }
}
