/** How containers read in answers: which count as running, and their ports as `8080→80/tcp`. */
import type { Container, ContainerPort } from '../../src/core/ports.js'

/**
 * Running as `docker ps` (without -a) means it: state running, or an `Up …` status for engines that
 * report no state. A paused container is still `Up (Paused)` and listed, as Docker lists it.
 */
export const isRunning = (c: Container) => c.state === 'running' || c.status.startsWith('Up')

/**
 * Ports without the per-address duplicates Docker reports (0.0.0.0 and ::), ordered by container
 * port: `8080→80/tcp, 8443→443/tcp`; an unpublished port is just `6379/tcp`.
 */
export function portsText(ports: readonly ContainerPort[]): string {
  const sorted = [...ports].sort(
    (a, b) => Number(a.privatePort) - Number(b.privatePort) || Number(a.publicPort ?? 0) - Number(b.publicPort ?? 0),
  )
  const words = sorted.map((p) =>
    p.publicPort ? `${p.publicPort}→${p.privatePort}/${p.type}` : `${p.privatePort}/${p.type}`,
  )
  return [...new Set(words)].join(', ')
}
