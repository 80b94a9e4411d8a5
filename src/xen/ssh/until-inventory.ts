/**
 * Waits for the inventory to show a VM in some state (its `docker` tag, its docker_ps written by
 * xscontainer's monitor): resolves with the VM as then summarised, or undefined when the time is up.
 */
import type { Inventory, VmSummary } from '../../core/ports.js'

export function untilInventory(
  inventory: Inventory,
  vm: Pick<VmSummary, 'pool' | 'uuid'>,
  timeoutMs: number,
  reached: (vm: VmSummary) => boolean,
): Promise<VmSummary | undefined> {
  const current = () => inventory.vms({ pool: vm.pool }).find((v) => v.uuid === vm.uuid)
  const now = current()
  if (now && reached(now)) return Promise.resolve(now)
  return new Promise((resolve) => {
    const timer = setTimeout(() => finish(undefined), timeoutMs)
    const unsubscribe = inventory.onChange(() => {
      const found = current()
      if (found && reached(found)) finish(found)
    })
    function finish(value: VmSummary | undefined) {
      clearTimeout(timer)
      unsubscribe()
      resolve(value)
    }
  })
}
