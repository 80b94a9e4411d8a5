/**
 * Subjects and keys of alerts: one key per condition (the dedupe key), built from stable identities —
 * pool name, VM UUID, full container id, host UUID — never from names, which change.
 */
import type { Container, VmSummary } from '../core/ports.js'
import type { AlertKind, AlertSubject } from './alert-types.js'

export function vmSubject(vm: VmSummary, container?: Container): AlertSubject {
  return {
    pool: vm.pool,
    vm: { uuid: vm.uuid, name: vm.name, tags: [...vm.tags] },
    container: container && { id: container.id, key: container.key, name: container.name },
  }
}

export const vmKey = (kind: AlertKind, vm: { readonly pool: string; readonly uuid: string }) =>
  `${kind}:${vm.pool}/${vm.uuid}`

export const containerKey = (
  kind: AlertKind,
  vm: { readonly pool: string; readonly uuid: string },
  container: { readonly id: string },
) => `${kind}:${vm.pool}/${vm.uuid}/${container.id}`

export const poolKey = (kind: AlertKind, pool: string) => `${kind}:${pool}`

export const hostKey = (kind: AlertKind, pool: string, hostUuid: string) => `${kind}:${pool}/host/${hostUuid}`
