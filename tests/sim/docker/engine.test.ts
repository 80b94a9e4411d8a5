/**
 * Engine-level answers: /info counts following container states, /version, /_ping, and the per-container
 * stats and top endpoints.
 */
import { describe, expect, it } from 'vitest'
import { dockerError, makeDaemon } from './daemon-fixture.js'

const counts = (info: Record<string, unknown>) => [
  info.Containers,
  info.ContainersRunning,
  info.ContainersPaused,
  info.ContainersStopped,
]

describe('GET /info', () => {
  it('counts restarting and created containers as stopped, and follows transitions', async () => {
    const { clock, daemon } = makeDaemon([
      { name: 'web', image: 'nginx:1.25' },
      { name: 'web2', image: 'nginx:1.25', state: 'paused' },
      { name: 'job', image: 'alpine', state: 'exited' },
      { name: 'fresh', image: 'alpine', state: 'created' },
      { name: 'loop', image: 'redis:7', state: 'restarting', exitCode: 1 },
    ])
    expect(counts(daemon.info())).toEqual([5, 1, 1, 3])
    expect(daemon.info().Images).toBe(3)
    await clock.advance(100)
    expect(counts(daemon.info())).toEqual([5, 2, 1, 2])
    daemon.pause('web')
    expect(counts(daemon.info())).toEqual([5, 1, 2, 2])
    daemon.stop('web2')
    daemon.start('fresh')
    expect(counts(daemon.info())).toEqual([5, 2, 1, 2])
  })

  it('describes the engine and its guest', () => {
    const { daemon } = makeDaemon([], {
      ncpu: 4,
      memTotal: 8_253_243_392,
      os: 'CentOS Linux 7 (Core)',
      kernel: '3.10.0-1160.el7.x86_64',
    })
    const info = daemon.info()
    expect(info).toMatchObject({
      Driver: 'overlay2',
      DriverStatus: [
        ['Backing Filesystem', 'extfs'],
        ['Supports d_type', 'true'],
        ['Native Overlay Diff', 'true'],
        ['userxattr', 'false'],
      ],
      Name: 'docker-vm',
      ServerVersion: '20.10.24',
      OperatingSystem: 'CentOS Linux 7 (Core)',
      OSVersion: '7',
      OSType: 'linux',
      Architecture: 'x86_64',
      KernelVersion: '3.10.0-1160.el7.x86_64',
      NCPU: 4,
      MemTotal: 8_253_243_392,
      DockerRootDir: '/var/lib/docker',
      Labels: [],
      LoggingDriver: 'json-file',
      CgroupVersion: '1',
      SystemTime: '2026-01-01T00:00:00Z',
      Swarm: { LocalNodeState: 'inactive' },
    })
    expect(info.ID).toMatch(/^([A-Z2-7]{4}:){11}[A-Z2-7]{4}$/)
    expect(Object.keys(info).slice(0, 8)).toEqual([
      'ID',
      'Containers',
      'ContainersRunning',
      'ContainersPaused',
      'ContainersStopped',
      'Images',
      'Driver',
      'DriverStatus',
    ])
  })
})

describe('GET /version and /_ping', () => {
  it('answers as Docker 20.10.24, API 1.41', () => {
    const { daemon } = makeDaemon([])
    const v = daemon.version()
    expect(Object.keys(v)).toEqual([
      'Platform',
      'Components',
      'Version',
      'ApiVersion',
      'MinAPIVersion',
      'GitCommit',
      'GoVersion',
      'Os',
      'Arch',
      'KernelVersion',
      'BuildTime',
    ])
    expect(v).toMatchObject({
      Version: '20.10.24',
      ApiVersion: '1.41',
      MinAPIVersion: '1.12',
      Os: 'linux',
      Arch: 'amd64',
      KernelVersion: '5.4.0-169-generic',
    })
    expect((v.Components as { Name: string }[]).map((c) => c.Name)).toEqual([
      'Engine',
      'containerd',
      'runc',
      'docker-init',
    ])
    expect(daemon.ping()).toBe('OK')
    expect(makeDaemon([], { engineVersion: '20.10.7' }).daemon.version().Version).toBe('20.10.7')
  })
})

describe('GET /containers/{id}/stats?stream=false', () => {
  const cpuPercent = (s: Record<string, unknown>) => {
    type Cpu = { cpu_usage: { total_usage: number }; system_cpu_usage: number; online_cpus: number }
    const cpu = s.cpu_stats as Cpu
    const pre = s.precpu_stats as Cpu
    return (
      ((cpu.cpu_usage.total_usage - pre.cpu_usage.total_usage) / (cpu.system_cpu_usage - pre.system_cpu_usage)) *
      cpu.online_cpus *
      100
    )
  }

  it('has the StatsJSON fields with two samples a second apart', () => {
    const { daemon } = makeDaemon([{ name: 'web', image: 'nginx' }])
    const s = daemon.stats('web')
    expect(Object.keys(s)).toEqual([
      'read',
      'preread',
      'pids_stats',
      'blkio_stats',
      'num_procs',
      'storage_stats',
      'cpu_stats',
      'precpu_stats',
      'memory_stats',
      'name',
      'id',
      'networks',
    ])
    expect([s.read, s.preread, s.name, s.id]).toEqual([
      '2026-01-01T00:00:00Z',
      '2025-12-31T23:59:59Z',
      '/web',
      daemon.inspect('web').Id,
    ])
    expect(s.pids_stats).toEqual({ current: 3 })
    const cpu = s.cpu_stats as { cpu_usage: { total_usage: number; percpu_usage: number[] }; online_cpus: number }
    expect(cpu.online_cpus).toBe(2)
    expect(cpu.cpu_usage.percpu_usage.reduce((a, b) => a + b, 0)).toBe(cpu.cpu_usage.total_usage)
    const mem = s.memory_stats as { usage: number; limit: number; stats: Record<string, number> }
    expect(mem.limit).toBe(4_125_007_872)
    expect(mem.usage).toBe((mem.stats.rss ?? 0) + (mem.stats.cache ?? 0))
    expect(mem.usage - (mem.stats.total_inactive_file ?? 0)).toBeGreaterThan(4 * 1024 * 1024)
    expect(Object.keys(s.networks as object)).toEqual(['eth0'])
    const io = (s.blkio_stats as { io_service_bytes_recursive: { major: number; op: string }[] })
      .io_service_bytes_recursive
    expect(io.map((e) => `${e.major}:${e.op}`)).toEqual([
      '202:Read',
      '202:Write',
      '202:Sync',
      '202:Async',
      '202:Discard',
      '202:Total',
    ])
  })

  it('gives plausible CPU that differs per container and is deterministic', async () => {
    const specs = [
      { name: 'web', image: 'nginx' },
      { name: 'db', image: 'postgres:16' },
    ]
    const a = makeDaemon(specs)
    const b = makeDaemon(specs)
    const web = cpuPercent(a.daemon.stats('web'))
    const db = cpuPercent(a.daemon.stats('db'))
    expect(web).toBeGreaterThanOrEqual(0.05)
    expect(web).toBeLessThanOrEqual(5)
    expect(db).not.toBeCloseTo(web, 3)
    expect(a.daemon.stats('web')).toEqual(b.daemon.stats('web'))
    // Counters grow with uptime.
    const before = (a.daemon.stats('web').networks as { eth0: { rx_bytes: number } }).eth0.rx_bytes
    await a.clock.advance(60_000)
    expect((a.daemon.stats('web').networks as { eth0: { rx_bytes: number } }).eth0.rx_bytes).toBeGreaterThan(before)
    // A frozen cgroup uses no CPU.
    a.daemon.pause('web')
    expect(cpuPercent(a.daemon.stats('web'))).toBe(0)
  })

  it('answers Docker’s all-zero stats for a container that is not running', () => {
    const { daemon } = makeDaemon([{ name: 'job', image: 'alpine', state: 'exited' }])
    const zeroCpu = {
      cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 },
      throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
    }
    const nulls = [
      'io_service_bytes_recursive',
      'io_serviced_recursive',
      'io_queue_recursive',
      'io_service_time_recursive',
      'io_wait_time_recursive',
      'io_merged_recursive',
      'io_time_recursive',
      'sectors_recursive',
    ]
    expect(daemon.stats('job')).toEqual({
      read: '0001-01-01T00:00:00Z',
      preread: '0001-01-01T00:00:00Z',
      pids_stats: {},
      blkio_stats: Object.fromEntries(nulls.map((k) => [k, null])),
      num_procs: 0,
      storage_stats: {},
      cpu_stats: zeroCpu,
      precpu_stats: zeroCpu,
      memory_stats: {},
      name: '/job',
      id: daemon.inspect('job').Id,
    })
  })
})

describe('GET /containers/{id}/top', () => {
  it('lists host processes: the container’s first one under containerd-shim, workers under it', () => {
    const { daemon } = makeDaemon([{ name: 'web', image: 'nginx:1.25' }])
    const pid = daemon.inspect('web').State.Pid as number
    const top = daemon.top('web')
    expect(top.Titles).toEqual(['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD'])
    expect(top.Processes.map((p) => [p[0], p[2], p[7]])).toEqual([
      ['root', String(pid - 21), 'nginx: master process nginx -g daemon off;'],
      ['101', String(pid), 'nginx: worker process'],
      ['101', String(pid), 'nginx: worker process'],
    ])
    expect(top.Processes[0]?.[1]).toBe(String(pid))
    expect(top.Processes[0]?.slice(3, 6)).toEqual(['0', '21:00', '?'])
    expect(top.Processes[0]?.[6]).toMatch(/^\d\d:\d\d:\d\d$/)
  })

  it('supports ps aux columns and works on a paused container', () => {
    const { daemon } = makeDaemon([{ name: 'cache', image: 'redis:7', state: 'paused' }])
    const top = daemon.top('cache', 'aux')
    expect(top.Titles).toEqual(['USER', 'PID', '%CPU', '%MEM', 'VSZ', 'RSS', 'TTY', 'STAT', 'START', 'TIME', 'COMMAND'])
    expect(top.Processes).toHaveLength(1)
    expect(top.Processes[0]?.[10]).toBe('redis-server *:6379')
  })

  it('refuses a stopped container with 409', () => {
    const { daemon } = makeDaemon([{ name: 'job', image: 'alpine', state: 'exited' }])
    const e = dockerError(() => daemon.top('job'))
    expect([e.status, e.message]).toEqual([409, `Container ${daemon.inspect('job').Id} is not running`])
  })
})
