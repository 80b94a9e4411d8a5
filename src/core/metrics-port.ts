/**
 * What the core needs of a metrics library (issue #12): counters, histograms and gauges with labels.
 * The Prometheus implementation lives in src/ops/prom-metrics.ts; the core depends only on this port.
 */
export type MetricLabels = Readonly<Record<string, string>>

export interface MetricDefinition {
  /** A Prometheus metric name, e.g. `xen_chatops_commands_total`. */
  readonly name: string
  readonly help: string
  readonly labelNames: readonly string[]
}

export interface HistogramDefinition extends MetricDefinition {
  /** Upper bounds of the buckets (seconds for latencies). */
  readonly buckets?: readonly number[] | undefined
}

export interface CounterMetric {
  inc(labels?: MetricLabels, value?: number): void
}

export interface HistogramMetric {
  observe(labels: MetricLabels, value: number): void
}

export interface GaugeMetric {
  set(labels: MetricLabels, value: number): void
}

export interface Metrics {
  counter(definition: MetricDefinition): CounterMetric
  histogram(definition: HistogramDefinition): HistogramMetric
  gauge(definition: MetricDefinition): GaugeMetric
}
