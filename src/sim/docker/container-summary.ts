/**
 * A container as `GET /containers/json` lists it (Docker Engine API 1.41, api/types `Container`), keys in
 * Go's struct order, omitempty fields left out when empty, map keys sorted as Go marshals them; and the
 * network endpoint both the summary and inspect show.
 */
import { type ContainerModel, type MountPoint, sha256 } from './container-model.js'
import { type ContainerStateName, stateString, statusText } from './docker-status-text.js'

export const BRIDGE_GATEWAY = '172.17.0.1'

/** What a view needs from the daemon beyond the container itself. */
export interface ViewContext {
  now: number
  /** The default bridge network's id. */
  networkId: string
}

export interface SummaryPort {
  IP?: string
  PrivatePort: number
  PublicPort?: number
  Type: string
}

/** api/types/network `EndpointSettings`. */
export interface EndpointSettings {
  IPAMConfig: null
  Links: null
  Aliases: null
  NetworkID: string
  EndpointID: string
  Gateway: string
  IPAddress: string
  IPPrefixLen: number
  IPv6Gateway: string
  GlobalIPv6Address: string
  GlobalIPv6PrefixLen: number
  MacAddress: string
  DriverOpts: null
}

/** A type alias, not an interface, so that it stays assignable to `Record<string, unknown>`. */
export type ContainerSummary = {
  Id: string
  Names: string[]
  Image: string
  ImageID: string
  Command: string
  Created: number
  Ports: SummaryPort[]
  SizeRw?: number
  SizeRootFs?: number
  Labels: Record<string, string>
  State: ContainerStateName
  Status: string
  HostConfig: { NetworkMode: string }
  NetworkSettings: { Networks: Record<string, EndpointSettings> }
  Mounts: MountPoint[]
}

/** Docker (before v26) derives a container's MAC from its IPv4 address: 02:42 then the four octets. */
export function macFor(ip: string): string {
  const hex = ip.split('.').map((o) => Number(o).toString(16).padStart(2, '0'))
  return ['02', '42', ...hex].join(':')
}

/**
 * Network details exist only while the container has a process: `daemon.Cleanup` releases the endpoint on
 * exit and while restarting. [UNVERIFIED] that NetworkID stays filled in for a stopped container.
 */
export function attached(c: ContainerModel): boolean {
  return c.running && !c.restarting && c.ip !== ''
}

export function endpoint(c: ContainerModel, ctx: ViewContext): EndpointSettings {
  const on = attached(c)
  return {
    IPAMConfig: null,
    Links: null,
    Aliases: null,
    NetworkID: ctx.networkId,
    EndpointID: on ? sha256(`${c.id}/endpoint/${c.runSeq}`) : '',
    Gateway: on ? BRIDGE_GATEWAY : '',
    IPAddress: on ? c.ip : '',
    IPPrefixLen: on ? 16 : 0,
    IPv6Gateway: '',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    MacAddress: on ? macFor(c.ip) : '',
    DriverOpts: null,
  }
}

/** container/view.go: Path plus Args, an argument containing a space wrapped in single quotes. */
export function commandText(c: ContainerModel): string {
  if (c.args.length === 0) return c.path
  return `${c.path} ${c.args.map((a) => (a.includes(' ') ? `'${a}'` : a)).join(' ')}`
}

function summaryPorts(c: ContainerModel): SummaryPort[] {
  if (!attached(c)) return []
  return c.exposed.flatMap((key) => {
    const [port, type = 'tcp'] = key.split('/')
    const PrivatePort = Number(port)
    const bindings = c.publishedBindings[key]
    if (!bindings) return [{ PrivatePort, Type: type }]
    return bindings.map((b) => ({ IP: b.HostIp, PrivatePort, PublicPort: Number(b.HostPort), Type: type }))
  })
}

/** Deterministic writable-layer size: what the container wrote on top of its image. */
function sizeRw(c: ContainerModel): number {
  return 1024 + (Number.parseInt(c.id.slice(8, 14), 16) % 98_304)
}

export function toSummary(c: ContainerModel, ctx: ViewContext, size: boolean): ContainerSummary {
  const rw = sizeRw(c)
  return {
    Id: c.id,
    Names: [`/${c.name}`],
    Image: c.spec.image,
    ImageID: c.imageId,
    Command: commandText(c),
    Created: Math.floor(c.created / 1000),
    Ports: summaryPorts(c),
    ...(size ? { SizeRw: rw, SizeRootFs: c.profile.sizeBytes + rw } : {}),
    Labels: c.labels,
    State: stateString(c.flags),
    Status: statusText(c.flags, ctx.now),
    HostConfig: { NetworkMode: 'default' },
    NetworkSettings: { Networks: { bridge: endpoint(c, ctx) } },
    Mounts: c.mounts,
  }
}
