/**
 * The dict xscontainer builds before encoding `docker_ps` (`docker.get_ps_dict` and
 * `patch_docker_ps_status`, xenserver/xscontainer: src/xscontainer/docker.py): the first name without
 * its `/`, a `Container` key with the 10-character short id, time-free status text (the monitor does
 * not poll, so "Up 4 hours" would go stale), and lower-cased top-level keys.
 */
import { convertToXml, type PyValue } from './xs-xml.js'

export function patchStatus(status: string): string {
  if (status.startsWith('Up')) return status.endsWith('(Paused)') ? 'Up (Paused)' : 'Up'
  const exited = /^Exited \((-?\d+)\)/.exec(status)
  return exited ? `Exited (${exited[1]})` : status
}

export function dockerPsEntry(container: Record<string, unknown>): Record<string, PyValue> {
  const patched: Record<string, unknown> = { ...container }
  const names = container.Names
  patched.Names = Array.isArray(names) ? String(names[0] ?? '').replace(/^\//, '') : names
  patched.Container = String(container.Id ?? '').slice(0, 10)
  patched.Status = patchStatus(String(container.Status ?? ''))
  return Object.fromEntries(Object.entries(patched).map(([k, v]) => [k.toLowerCase(), v as PyValue]))
}

export function dockerPsXml(containers: readonly Record<string, unknown>[]): string {
  return convertToXml(
    'docker_ps',
    containers.map((c) => ({ entry: dockerPsEntry(c) })),
  )
}
