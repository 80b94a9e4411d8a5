/**
 * `GET /info` and `GET /version` as a Docker 20.10 engine on a cgroup v1 Linux guest answers them
 * (api/types `Info` and `Version`, keys in Go struct order). Counts follow the daemon's state counter
 * (daemon/metrics.go `setStateCounter`): paused and running are their own buckets, everything else —
 * created, exited and restarting — counts as stopped.
 */
import { sha256 } from './container-model.js'
import { goTime } from './docker-status-text.js'

export interface EngineFacts {
  hostname: string
  engineVersion: string
  os: string
  kernel: string
  ncpu: number
  memTotal: number
  now: number
  counts: { total: number; running: number; paused: number; stopped: number }
  images: number
}

/** Build metadata of real releases. [UNVERIFIED] commits and build time for 20.10.24 are from memory. */
const BUILDS: Record<string, { gitCommit: string; goVersion: string; buildTime: string }> = {
  '20.10.24': { gitCommit: '5d6db84', goVersion: 'go1.19.7', buildTime: '2023-04-04T10:29:42.000000000+00:00' },
}

function build(version: string) {
  return (
    BUILDS[version] ?? {
      gitCommit: sha256(`docker ${version}`).slice(0, 7),
      goVersion: 'go1.18.10',
      buildTime: '2023-01-19T17:32:04.000000000+00:00',
    }
  )
}

const CONTAINERD = { version: '1.6.20', commit: '2806fc1057397dbaeefbea0e4e17bddfbd388f38' }
const RUNC = { version: '1.1.5', commit: 'v1.1.5-0-gf19387a' }
const INIT = { version: '0.19.0', commit: 'de40ad0' }

/** The engine ID: twelve groups of four base32 characters, from the daemon's libtrust key. */
function engineId(hostname: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
  const bytes = Buffer.from(sha256(`engine:${hostname}`) + sha256(`engine2:${hostname}`), 'hex')
  const chars = Array.from({ length: 48 }, (_, i) => alphabet[(bytes[i] ?? 0) % 32])
  return Array.from({ length: 12 }, (_, g) => chars.slice(g * 4, g * 4 + 4).join('')).join(':')
}

export function engineInfo(f: EngineFacts): Record<string, unknown> {
  const running = f.counts.running + f.counts.paused
  return {
    ID: engineId(f.hostname),
    Containers: f.counts.total,
    ContainersRunning: f.counts.running,
    ContainersPaused: f.counts.paused,
    ContainersStopped: f.counts.stopped,
    Images: f.images,
    Driver: 'overlay2',
    DriverStatus: [
      ['Backing Filesystem', 'extfs'],
      ['Supports d_type', 'true'],
      ['Native Overlay Diff', 'true'],
      ['userxattr', 'false'],
    ],
    SystemStatus: null,
    Plugins: {
      Volume: ['local'],
      Network: ['bridge', 'host', 'ipvlan', 'macvlan', 'null', 'overlay'],
      Authorization: null,
      Log: [
        'awslogs',
        'fluentd',
        'gcplogs',
        'gelf',
        'journald',
        'json-file',
        'local',
        'logentries',
        'splunk',
        'syslog',
      ],
    },
    MemoryLimit: true,
    SwapLimit: false,
    KernelMemory: true,
    KernelMemoryTCP: true,
    CpuCfsPeriod: true,
    CpuCfsQuota: true,
    CPUShares: true,
    CPUSet: true,
    PidsLimit: true,
    IPv4Forwarding: true,
    BridgeNfIptables: true,
    BridgeNfIp6tables: true,
    Debug: false,
    NFd: 24 + 9 * running,
    OomKillDisable: true,
    NGoroutines: 33 + 7 * running,
    SystemTime: goTime(f.now),
    LoggingDriver: 'json-file',
    CgroupDriver: 'cgroupfs',
    CgroupVersion: '1',
    NEventsListener: 0,
    KernelVersion: f.kernel,
    OperatingSystem: f.os,
    OSVersion: /\d+(\.\d+)*/.exec(f.os)?.[0] ?? '',
    OSType: 'linux',
    Architecture: 'x86_64',
    IndexServerAddress: 'https://index.docker.io/v1/',
    RegistryConfig: {
      AllowNondistributableArtifactsCIDRs: [],
      AllowNondistributableArtifactsHostnames: [],
      InsecureRegistryCIDRs: ['127.0.0.0/8'],
      IndexConfigs: { 'docker.io': { Name: 'docker.io', Mirrors: [], Secure: true, Official: true } },
      Mirrors: [],
    },
    NCPU: f.ncpu,
    MemTotal: f.memTotal,
    GenericResources: null,
    DockerRootDir: '/var/lib/docker',
    HttpProxy: '',
    HttpsProxy: '',
    NoProxy: '',
    Name: f.hostname,
    Labels: [],
    ExperimentalBuild: false,
    ServerVersion: f.engineVersion,
    Runtimes: {
      'io.containerd.runc.v2': { path: 'runc' },
      'io.containerd.runtime.v1.linux': { path: 'runc' },
      runc: { path: 'runc' },
    },
    DefaultRuntime: 'runc',
    Swarm: {
      NodeID: '',
      NodeAddr: '',
      LocalNodeState: 'inactive',
      ControlAvailable: false,
      Error: '',
      RemoteManagers: null,
    },
    LiveRestoreEnabled: false,
    Isolation: '',
    InitBinary: 'docker-init',
    ContainerdCommit: { ID: CONTAINERD.commit, Expected: CONTAINERD.commit },
    RuncCommit: { ID: RUNC.commit, Expected: RUNC.commit },
    InitCommit: { ID: INIT.commit, Expected: INIT.commit },
    SecurityOptions: ['name=apparmor', 'name=seccomp,profile=default'],
    Warnings: ['WARNING: No swap limit support'],
  }
}

export function engineVersion(f: Pick<EngineFacts, 'engineVersion' | 'kernel'>): Record<string, unknown> {
  const b = build(f.engineVersion)
  return {
    Platform: { Name: 'Docker Engine - Community' },
    Components: [
      {
        Name: 'Engine',
        Version: f.engineVersion,
        Details: {
          ApiVersion: '1.41',
          Arch: 'amd64',
          BuildTime: b.buildTime,
          Experimental: 'false',
          GitCommit: b.gitCommit,
          GoVersion: b.goVersion,
          KernelVersion: f.kernel,
          MinAPIVersion: '1.12',
          Os: 'linux',
        },
      },
      { Name: 'containerd', Version: CONTAINERD.version, Details: { GitCommit: CONTAINERD.commit } },
      { Name: 'runc', Version: RUNC.version, Details: { GitCommit: RUNC.commit } },
      { Name: 'docker-init', Version: INIT.version, Details: { GitCommit: INIT.commit } },
    ],
    Version: f.engineVersion,
    ApiVersion: '1.41',
    MinAPIVersion: '1.12',
    GitCommit: b.gitCommit,
    GoVersion: b.goVersion,
    Os: 'linux',
    Arch: 'amd64',
    KernelVersion: f.kernel,
    BuildTime: b.buildTime,
  }
}
