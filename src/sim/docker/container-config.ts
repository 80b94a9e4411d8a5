/**
 * The parts of a container's config Docker derives from `-p` and `-v` at `docker create`: exposed ports
 * and their bindings, and the mount points (including anonymous volumes for the image's VOLUMEs).
 */
import { createHash } from 'node:crypto'
import type { ResolvedContainerSpec } from './container-spec.js'
import type { ImageProfile } from './image-profiles.js'

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex')

/** api/types `MountPoint`, field order as Go marshals it (Name and Driver are omitempty). */
export interface MountPoint {
  Type: 'bind' | 'volume'
  Name?: string
  Source: string
  Destination: string
  Driver?: string
  Mode: string
  RW: boolean
  Propagation: string
}

export interface PortBinding {
  HostIp: string
  HostPort: string
}

export interface PortConfig {
  /** Exposed ports, sorted like Go map keys: '443/tcp', '80/tcp'. */
  exposed: string[]
  /** What `docker run -p` requested (HostConfig.PortBindings). */
  requested: Record<string, PortBinding[]>
  /** What the running container publishes (NetworkSettings.Ports). */
  published: Record<string, PortBinding[]>
}

export function derivePorts(spec: ResolvedContainerSpec, profile: ImageProfile): PortConfig {
  const exposed = new Set(profile.exposed)
  const requested: Record<string, PortBinding[]> = {}
  const published: Record<string, PortBinding[]> = {}
  for (const p of spec.ports) {
    const key = `${p.privatePort}/${p.type}`
    exposed.add(key)
    if (p.publicPort === undefined) continue
    const HostPort = String(p.publicPort)
    requested[key] = [...(requested[key] ?? []), { HostIp: p.ip ?? '', HostPort }]
    // Docker 20.10 publishes an unspecified host IP on both 0.0.0.0 and :: (docker ps: ":::8080->80/tcp").
    const ips = p.ip ? [p.ip] : ['0.0.0.0', '::']
    published[key] = [...(published[key] ?? []), ...ips.map((HostIp) => ({ HostIp, HostPort }))]
  }
  const sortedKeys = Object.keys(requested).sort()
  return {
    exposed: [...exposed].sort(),
    requested: Object.fromEntries(sortedKeys.map((k) => [k, requested[k] ?? []])),
    published,
  }
}

export function deriveMounts(spec: ResolvedContainerSpec, profile: ImageProfile, id: string): MountPoint[] {
  const mounts = spec.mounts.map((m): MountPoint => {
    if (m.type === 'bind') {
      const base = { Type: 'bind' as const, Source: m.source, Destination: m.destination }
      return { ...base, Mode: m.rw ? '' : 'ro', RW: m.rw, Propagation: 'rprivate' }
    }
    // [UNVERIFIED] Mode 'z' is what 20.10 records for a named volume given with -v and no options.
    const source = `/var/lib/docker/volumes/${m.source}/_data`
    const base = { Type: 'volume' as const, Name: m.source, Source: source, Destination: m.destination }
    return { ...base, Driver: 'local', Mode: m.rw ? 'z' : 'ro', RW: m.rw, Propagation: '' }
  })
  // An image VOLUME nobody mounted over gets an anonymous volume named by a random 64-hex id.
  for (const dest of profile.volumes) {
    if (mounts.some((m) => m.Destination === dest)) continue
    const Name = sha256(`${id}:${dest}`)
    const base = { Type: 'volume' as const, Name, Source: `/var/lib/docker/volumes/${Name}/_data`, Destination: dest }
    mounts.push({ ...base, Driver: 'local', Mode: '', RW: true, Propagation: '' })
  }
  return mounts
}
