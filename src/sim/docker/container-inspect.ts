/**
 * A container as `GET /containers/{id}/json` shows it (Docker Engine API 1.41, api/types `ContainerJSON`),
 * keys in Go's struct order. Network details exist only while the container has a process.
 */
import { type ContainerModel, type PortBinding, sha256, sortKeys } from './container-model.js'
import { attached, endpoint, type ViewContext } from './container-summary.js'
import { goTime, stateString } from './docker-status-text.js'

export type ContainerInspect = Record<string, unknown> & { Id: string; Name: string; State: Record<string, unknown> }

/** [UNVERIFIED] `{}` (not null) for a container without a process, as `docker inspect` prints it. */
function networkPorts(c: ContainerModel): Record<string, PortBinding[] | null> {
  if (!attached(c)) return {}
  return Object.fromEntries(c.exposed.map((key) => [key, c.publishedBindings[key] ?? null]))
}

export function toInspect(c: ContainerModel, ctx: ViewContext): ContainerInspect {
  const dir = `/var/lib/docker/containers/${c.id}`
  const layer = sha256(`${c.id}/layer`)
  const imageLayer = sha256(`${c.imageId}/layer`)
  const ep = endpoint(c, ctx)
  const on = attached(c)
  return {
    Id: c.id,
    Created: goTime(c.created),
    Path: c.path,
    Args: c.args,
    State: {
      Status: stateString(c.flags),
      Running: c.running,
      Paused: c.paused,
      Restarting: c.restarting,
      OOMKilled: false,
      Dead: false,
      Pid: c.pid,
      ExitCode: c.exitCode,
      Error: '',
      StartedAt: goTime(c.startedAt),
      FinishedAt: goTime(c.finishedAt),
    },
    Image: c.imageId,
    ResolvConfPath: `${dir}/resolv.conf`,
    HostnamePath: `${dir}/hostname`,
    HostsPath: `${dir}/hosts`,
    LogPath: `${dir}/${c.id}-json.log`,
    Name: `/${c.name}`,
    RestartCount: c.restartCount,
    Driver: 'overlay2',
    Platform: 'linux',
    MountLabel: '',
    ProcessLabel: '',
    // [UNVERIFIED] 'docker-default' on AppArmor hosts (Ubuntu/Debian); '' on CentOS/RHEL guests.
    AppArmorProfile: 'docker-default',
    ExecIDs: null,
    HostConfig: {
      Binds: c.binds.length ? c.binds : null,
      ContainerIDFile: '',
      LogConfig: { Type: 'json-file', Config: {} },
      NetworkMode: 'default',
      PortBindings: c.requestedBindings,
      RestartPolicy: { Name: c.spec.restartPolicy, MaximumRetryCount: 0 },
      AutoRemove: false,
      VolumeDriver: '',
      VolumesFrom: null,
      CapAdd: null,
      CapDrop: null,
      CgroupnsMode: 'host',
      Dns: [],
      DnsOptions: [],
      DnsSearch: [],
      ExtraHosts: null,
      GroupAdd: null,
      IpcMode: 'private',
      Cgroup: '',
      Links: null,
      OomScoreAdj: 0,
      PidMode: '',
      Privileged: false,
      PublishAllPorts: false,
      ReadonlyRootfs: false,
      SecurityOpt: null,
      UTSMode: '',
      UsernsMode: '',
      ShmSize: 67108864,
      Runtime: 'runc',
      ConsoleSize: [0, 0],
      Isolation: '',
      CpuShares: 0,
      Memory: 0,
      NanoCpus: 0,
      CgroupParent: '',
      BlkioWeight: 0,
      PidsLimit: null,
      OomKillDisable: false,
    },
    GraphDriver: {
      Data: {
        LowerDir: `/var/lib/docker/overlay2/${layer}-init/diff:/var/lib/docker/overlay2/${imageLayer}/diff`,
        MergedDir: `/var/lib/docker/overlay2/${layer}/merged`,
        UpperDir: `/var/lib/docker/overlay2/${layer}/diff`,
        WorkDir: `/var/lib/docker/overlay2/${layer}/work`,
      },
      Name: 'overlay2',
    },
    Mounts: c.mounts,
    Config: {
      Hostname: c.shortId,
      Domainname: '',
      User: '',
      AttachStdin: false,
      AttachStdout: false,
      AttachStderr: false,
      ...(c.exposed.length ? { ExposedPorts: Object.fromEntries(c.exposed.map((k) => [k, {}])) } : {}),
      Tty: false,
      OpenStdin: false,
      StdinOnce: false,
      Env: c.env,
      Cmd: c.cmd,
      Image: c.spec.image,
      Volumes: c.profile.volumes.length ? sortKeys(Object.fromEntries(c.profile.volumes.map((v) => [v, {}]))) : null,
      WorkingDir: c.profile.workingDir,
      Entrypoint: c.entrypoint.length ? c.entrypoint : null,
      OnBuild: null,
      Labels: c.labels,
      ...(c.profile.stopSignal ? { StopSignal: c.profile.stopSignal } : {}),
    },
    NetworkSettings: {
      Bridge: '',
      SandboxID: on ? sha256(`${c.id}/sandbox/${c.runSeq}`) : '',
      HairpinMode: false,
      LinkLocalIPv6Address: '',
      LinkLocalIPv6PrefixLen: 0,
      Ports: networkPorts(c),
      SandboxKey: on ? `/var/run/docker/netns/${sha256(`${c.id}/sandbox/${c.runSeq}`).slice(0, 12)}` : '',
      SecondaryIPAddresses: null,
      SecondaryIPv6Addresses: null,
      EndpointID: ep.EndpointID,
      Gateway: ep.Gateway,
      GlobalIPv6Address: '',
      GlobalIPv6PrefixLen: 0,
      IPAddress: ep.IPAddress,
      IPPrefixLen: ep.IPPrefixLen,
      IPv6Gateway: '',
      MacAddress: ep.MacAddress,
      Networks: { bridge: ep },
    },
  }
}
