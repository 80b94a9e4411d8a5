/**
 * The few fields of `docker inspect` people look at, as label → plain text. The input is whatever the
 * backend returns (xscontainer's XML turned into strings, lists and records), so every step checks.
 */
import type { ContainerPort } from '../../src/core/ports.js'
import { portsText } from './container-facts.js'
import { NONE } from './vm-facts.js'

type Loose = Readonly<Record<string, unknown>>

const isRecord = (v: unknown): v is Loose => typeof v === 'object' && v !== null && !Array.isArray(v)

/** The string at `path`, or undefined; xscontainer writes Python's `None` for nulls. */
function at(value: unknown, ...path: string[]): string | undefined {
  let node = value
  for (const key of path) node = isRecord(node) ? node[key] : undefined
  return typeof node === 'string' && node !== '' && node !== 'None' ? node : undefined
}

/** NetworkSettings.Ports `{ "80/tcp": [{ HostIp, HostPort }] | None }` as container ports. */
function portsOf(inspect: Loose): ContainerPort[] {
  const settings = isRecord(inspect.NetworkSettings) ? inspect.NetworkSettings : {}
  const ports = isRecord(settings.Ports) ? settings.Ports : {}
  return Object.entries(ports).flatMap(([spec, bindings]) => {
    const [privatePort = spec, type = 'tcp'] = spec.split('/')
    const published = Array.isArray(bindings)
      ? bindings.map((b) => at(b, 'HostPort')).filter((p) => p !== undefined)
      : []
    if (published.length === 0) return [{ privatePort, type }]
    return published.map((publicPort) => ({ privatePort, publicPort, type }))
  })
}

/** Mounts as `/srv/registry → /var/lib/registry (bind)`. */
function mountsText(inspect: Loose): string {
  const mounts = Array.isArray(inspect.Mounts) ? inspect.Mounts : []
  return mounts
    .map(
      (m) =>
        `${at(m, 'Source') ?? at(m, 'Name') ?? '?'} → ${at(m, 'Destination') ?? '?'} (${at(m, 'Type') ?? 'mount'})`,
    )
    .join(', ')
}

export function inspectFields(name: string, inspect: Loose): Record<string, string> {
  return {
    Container: name,
    Id: at(inspect, 'Id') ?? NONE,
    Image: at(inspect, 'Config', 'Image') ?? at(inspect, 'Image') ?? NONE,
    'Image id': at(inspect, 'Image') ?? NONE,
    Status: at(inspect, 'State', 'Status') ?? NONE,
    'Started at': at(inspect, 'State', 'StartedAt') ?? NONE,
    'Restart count': at(inspect, 'RestartCount') ?? NONE,
    'Restart policy': at(inspect, 'HostConfig', 'RestartPolicy', 'Name') || NONE,
    Ports: portsText(portsOf(inspect)) || NONE,
    Mounts: mountsText(inspect) || NONE,
  }
}
