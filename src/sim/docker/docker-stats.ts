/**
 * `GET /containers/{id}/stats?stream=false` and `GET /containers/{id}/top` for the model.
 *
 * Stats follow api/types `StatsJSON` as Docker 20.10 fills it on a cgroup v1 host (what a XenServer-era
 * guest runs). With stream=false and the default one-shot=false the daemon waits for a second sample, so
 * `preread`/`precpu_stats` are one second before `read`/`cpu_stats`. Numbers are deterministic per
 * container (seeded by its id) and counters grow with uptime; the CLI's CPU % comes out as the seeded
 * percentage. A container that is not running (or restarting) gets Docker's all-zero answer.
 */
import { type ContainerModel, sha256 } from './container-model.js'
import { goTime, ZERO_TIME } from './docker-status-text.js'

export interface HostFacts {
  now: number
  ncpu: number
  memTotal: number
  /** When the guest booted: the base of the host-wide `system_cpu_usage`. */
  bootedAt: number
}

/** A stable pseudo-random number in [0, 1) for this container and purpose. */
export function seeded(id: string, purpose: string): number {
  return Number.parseInt(sha256(`${id}:${purpose}`).slice(0, 8), 16) / 0x1_0000_0000
}

/** The share of one CPU the container uses: 0.05 % … 5 %. */
export function cpuShare(c: ContainerModel): number {
  return 0.0005 + 0.0495 * seeded(c.id, 'cpu')
}

const MIB = 1024 * 1024
const zeroCpu = () => ({
  cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 },
  throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
})
const EMPTY_BLKIO = {
  io_service_bytes_recursive: null,
  io_serviced_recursive: null,
  io_queue_recursive: null,
  io_service_time_recursive: null,
  io_wait_time_recursive: null,
  io_merged_recursive: null,
  io_time_recursive: null,
  sectors_recursive: null,
}

/** daemon/stats.go: a stopped or restarting container with stream=false gets only its name and id. */
function zeroStats(c: ContainerModel): Record<string, unknown> {
  return {
    read: ZERO_TIME,
    preread: ZERO_TIME,
    pids_stats: {},
    blkio_stats: EMPTY_BLKIO,
    num_procs: 0,
    storage_stats: {},
    cpu_stats: zeroCpu(),
    precpu_stats: zeroCpu(),
    memory_stats: {},
    name: `/${c.name}`,
    id: c.id,
  }
}

/** Cumulative CPU nanoseconds the container has used by `at` (frozen while paused: sampled at `now`). */
function cpuNanos(c: ContainerModel, at: number): number {
  const up = Math.max(0, at - (c.startedAt ?? at))
  return Math.round(up * 1e6 * cpuShare(c) + 150e6 * seeded(c.id, 'cpu-base'))
}

function cpuStats(c: ContainerModel, host: HostFacts, at: number) {
  const total = cpuNanos(c, at)
  const weights = Array.from({ length: host.ncpu }, (_, i) => 0.5 + seeded(c.id, `percpu${i}`))
  const sum = weights.reduce((a, b) => a + b, 0)
  const percpu = weights.map((w) => Math.floor((total * w) / sum))
  percpu[percpu.length - 1] = (percpu.at(-1) ?? 0) + total - percpu.reduce((a, b) => a + b, 0)
  // Kernel and user time come from USER_HZ ticks: multiples of 10 ms.
  const tick = (ns: number) => Math.floor(ns / 1e7) * 1e7
  return {
    cpu_usage: {
      total_usage: total,
      percpu_usage: percpu,
      usage_in_kernelmode: tick(total * 0.3),
      usage_in_usermode: tick(total * 0.65),
    },
    system_cpu_usage: tick((at - host.bootedAt) * 1e6 * host.ncpu),
    online_cpus: host.ncpu,
    throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
  }
}

function memoryStats(c: ContainerModel, host: HostFacts) {
  const rss = Math.round((4 + 120 * seeded(c.id, 'rss')) * MIB)
  const cache = Math.round((1 + 40 * seeded(c.id, 'cache')) * MIB)
  const usage = rss + cache
  const activeFile = Math.round(cache * 0.4)
  const inactiveFile = cache - activeFile
  const pgfault = Math.round(usage / 1024)
  const v1 = {
    active_anon: rss,
    active_file: activeFile,
    cache,
    dirty: 0,
    inactive_anon: 0,
    inactive_file: inactiveFile,
    mapped_file: Math.round(cache * 0.2),
    pgfault,
    pgmajfault: 0,
    pgpgin: Math.round(pgfault * 1.2),
    pgpgout: Math.round(pgfault * 0.3),
    rss,
    rss_huge: 0,
    unevictable: 0,
    writeback: 0,
  }
  // The cgroup v1 map also has hierarchical_memory_limit (2^63-4096 when unlimited); it is left out because
  // a JS number cannot print it exactly, and nothing reads it (the CLI uses usage - total_inactive_file).
  const stats = Object.fromEntries(
    Object.entries({ ...v1, ...Object.fromEntries(Object.entries(v1).map(([k, v]) => [`total_${k}`, v])) }).sort(
      ([a], [b]) => (a < b ? -1 : 1),
    ),
  )
  return { usage, max_usage: Math.round(usage * (1.1 + 0.4 * seeded(c.id, 'max'))), stats, limit: host.memTotal }
}

/** Xen paravirtual disk xvda is block major 202, minor 0. */
function blkio(c: ContainerModel, host: HostFacts) {
  const up = Math.max(0, host.now - (c.startedAt ?? host.now)) / 1000
  const read = Math.round((2 + 60 * seeded(c.id, 'read')) * MIB)
  const write = Math.round(up * 200 * seeded(c.id, 'write')) * 512
  const entries = (r: number, w: number) =>
    (
      [
        ['Read', r],
        ['Write', w],
        ['Sync', Math.round(w * 0.8) + r],
        ['Async', w - Math.round(w * 0.8)],
        ['Discard', 0],
        ['Total', r + w],
      ] as const
    ).map(([op, value]) => ({ major: 202, minor: 0, op, value }))
  return {
    io_service_bytes_recursive: entries(read, write),
    io_serviced_recursive: entries(Math.round(read / 16_384), Math.round(write / 4096)),
    io_queue_recursive: [],
    io_service_time_recursive: [],
    io_wait_time_recursive: [],
    io_merged_recursive: [],
    io_time_recursive: [],
    sectors_recursive: [],
  }
}

function networks(c: ContainerModel, host: HostFacts) {
  const up = Math.max(0, host.now - (c.startedAt ?? host.now)) / 1000
  const rx = Math.round(up * (20 + 4000 * seeded(c.id, 'rx')))
  const tx = Math.round(up * (10 + 3000 * seeded(c.id, 'tx')))
  const eth0 = {
    rx_bytes: rx,
    rx_packets: Math.round(rx / 420),
    rx_errors: 0,
    rx_dropped: 0,
    tx_bytes: tx,
    tx_packets: Math.round(tx / 610),
    tx_errors: 0,
    tx_dropped: 0,
  }
  return { eth0 }
}

export function containerStats(c: ContainerModel, host: HostFacts, processCount: number): Record<string, unknown> {
  if (!c.running || c.restarting) return zeroStats(c)
  const now = host.now
  // A paused container's cgroup is frozen: both samples show the same CPU time.
  const previous = c.paused ? now : now - 1000
  return {
    read: goTime(now),
    preread: goTime(now - 1000),
    pids_stats: { current: processCount },
    blkio_stats: blkio(c, host),
    num_procs: 0,
    storage_stats: {},
    cpu_stats: cpuStats(c, host, now),
    precpu_stats: { ...cpuStats(c, host, previous), system_cpu_usage: cpuStats(c, host, now - 1000).system_cpu_usage },
    memory_stats: memoryStats(c, host),
    name: `/${c.name}`,
    id: c.id,
    networks: networks(c, host),
  }
}
