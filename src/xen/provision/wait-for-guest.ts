/**
 * Waiting for a new guest: for its IP (the guest agent's report, seen in the inventory) and for Docker
 * to answer through the backend that will serve the VM. Both wait on inventory changes, not on a sleep
 * loop (a backend that reaches Docker itself, over SSH, is also retried every few seconds), and both
 * give up after a configurable time with a sentence that says what to check.
 */
import { UserError } from '../../core/errors.js'
import type { DockerBackend, Inventory, VmSummary } from '../../core/ports.js'

/** How often Docker is asked again when no inventory change prompts it (an SSH backend sees no events). */
const DOCKER_RETRY_MS = 2_000

const find = (inventory: Inventory, pool: string, uuid: string) =>
  inventory.vms({ pool }).find((vm) => vm.uuid === uuid)

/**
 * Resolves on the first `check` that returns a value, re-checking on each inventory change of the VM
 * and every `retryMs`; rejects with `timeout()` once `timeoutMs` has passed.
 */
function waitFor<T>(
  inventory: Inventory,
  pool: string,
  uuid: string,
  check: (vm: VmSummary | undefined) => Promise<T | undefined> | T | undefined,
  options: { readonly timeoutMs: number; readonly retryMs?: number | undefined; readonly timeout: () => Error },
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let done = false
    let checking = false
    let again = false
    let retry: NodeJS.Timeout | undefined
    let deadline: NodeJS.Timeout | undefined
    const finish = (outcome: () => void) => {
      if (done) return
      done = true
      unsubscribe()
      clearTimeout(deadline)
      clearTimeout(retry)
      outcome()
    }
    const attempt = async () => {
      if (done) return
      // One check at a time; a change during a check makes it run once more.
      if (checking) {
        again = true
        return
      }
      checking = true
      try {
        do {
          again = false
          const value = await check(find(inventory, pool, uuid))
          if (value !== undefined) return finish(() => resolve(value))
        } while (again && !done)
      } catch (error) {
        finish(() => reject(error))
      } finally {
        checking = false
      }
    }
    const unsubscribe = inventory.onChange((change) => {
      if ('vm' in change && change.vm.uuid === uuid) void attempt()
    })
    deadline = setTimeout(() => finish(() => reject(options.timeout())), options.timeoutMs)
    deadline.unref()
    const tick = () => {
      if (done) return
      void attempt()
      if (options.retryMs === undefined) return
      retry = setTimeout(tick, options.retryMs)
      retry.unref()
    }
    tick()
  })
}

export function waitForIp(
  inventory: Inventory,
  vm: { readonly pool: string; readonly uuid: string; readonly name: string },
  timeoutMs: number,
  check: string,
): Promise<string> {
  return waitFor(inventory, vm.pool, vm.uuid, (summary) => (summary?.power === 'running' ? summary.ip : undefined), {
    timeoutMs,
    timeout: () =>
      new UserError('vm.no_ip', `${vm.name} reported no IP address within ${Math.round(timeoutMs / 1000)} s: ${check}`),
  })
}

/** Resolves with the VM as the inventory has it once its Docker backend lists containers. */
export function waitForDocker(
  inventory: Inventory,
  docker: (vm: VmSummary) => DockerBackend,
  vm: { readonly pool: string; readonly uuid: string; readonly name: string },
  timeoutMs: number,
  check: string,
): Promise<VmSummary> {
  let last = ''
  return waitFor(
    inventory,
    vm.pool,
    vm.uuid,
    async (summary) => {
      if (!summary) return undefined
      try {
        await docker(summary).list(summary)
        return summary
      } catch (error) {
        if (!(error instanceof UserError)) throw error
        last = error.message
        return undefined
      }
    },
    {
      timeoutMs,
      retryMs: DOCKER_RETRY_MS,
      timeout: () =>
        new UserError(
          'vm.docker_silent',
          `Docker in ${vm.name} did not answer within ${Math.round(timeoutMs / 1000)} s${last ? ` (last answer: ${last})` : ''}: ${check}`,
        ),
    },
  )
}
