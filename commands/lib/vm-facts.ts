/**
 * What every answer about a VM says about it: the access target (pool, name, tags), the header fields
 * (VM, pool, host, IP, backend), and the backend in words. Values stay plain text; adapters escape them.
 */
import type { Target } from '../../src/core/command.js'
import type { VmSummary } from '../../src/core/ports.js'

export const NONE = '—'

export function vmTarget(vm: VmSummary): Target {
  return { pool: vm.pool, vm: { name: vm.name, tags: [...vm.tags] } }
}

/** `xscontainer (registered with xscontainer …)`: which backend serves the VM, and why. */
export const backendText = (vm: VmSummary) => `${vm.docker.backend.kind} (${vm.docker.backend.reason})`

export function vmFields(vm: VmSummary): Record<string, string> {
  return {
    VM: vm.name,
    Pool: vm.pool,
    Host: vm.host?.name ?? NONE,
    IP: vm.ip ?? NONE,
    Backend: backendText(vm),
  }
}
