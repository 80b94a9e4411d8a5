/**
 * Docker's `GET /containers/json` entries as the core's Container: the same shape the xscontainer
 * backend gives, so answers do not depend on the backend. Status gets xscontainer's time-free form
 * (`patch_docker_ps_status`, xscontainer.md §2.5): `Up …` → `Up`, `Up … (Paused)` → `Up (Paused)`,
 * `Exited (N) …` → `Exited (N)`; anything else is kept.
 */
import type { Container, ContainerPort } from '../../core/ports.js'

/** The fields of dockerode's ContainerInfo this module reads. */
export interface DockerContainerInfo {
  readonly Id: string
  readonly Names?: readonly string[] | undefined
  readonly Image?: string | undefined
  readonly Command?: string | undefined
  readonly Created?: number | undefined
  readonly State?: string | undefined
  readonly Status?: string | undefined
  readonly Ports?: readonly { IP?: string; PrivatePort: number; PublicPort?: number; Type: string }[] | undefined
  readonly Labels?: Readonly<Record<string, string>> | undefined
}

export function timeFreeStatus(status: string): string {
  if (/^Up\b.*\(Paused\)$/.test(status)) return 'Up (Paused)'
  if (/^Up\b/.test(status)) return 'Up'
  const exited = /^Exited \((-?\d+)\)/.exec(status)
  return exited ? `Exited (${exited[1]})` : status
}

export function toContainer(info: DockerContainerInfo): Container {
  const ports: ContainerPort[] = (info.Ports ?? []).map((p) => ({
    ip: p.IP,
    privatePort: String(p.PrivatePort),
    publicPort: p.PublicPort === undefined ? undefined : String(p.PublicPort),
    type: p.Type,
  }))
  return {
    id: info.Id,
    key: info.Id.slice(0, 10),
    name: (info.Names?.[0] ?? '').replace(/^\//, ''),
    image: info.Image ?? '',
    command: info.Command ?? '',
    state: info.State ?? '',
    status: timeFreeStatus(info.Status ?? ''),
    created: String(info.Created ?? ''),
    ports,
    labels: { ...(info.Labels ?? {}) },
  }
}
