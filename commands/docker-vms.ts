import { z } from 'zod'
import { defineCommand } from '../src/core/command.js'
import type { VmSummary } from '../src/core/ports.js'
import { channelReply, context, table, text } from '../src/core/reply.js'
import { isRunning } from './lib/container-facts.js'
import { planPool } from './lib/resolve.js'
import { NONE, vmTarget } from './lib/vm-facts.js'

const PERMISSION = 'docker.read'

/** `3 running / 5`, `unreadable` when xscontainer's data cannot be parsed, `—` when there is none. */
function containersText(vm: VmSummary): string {
  if (vm.docker.unreadable) return 'unreadable'
  const containers = vm.docker.containers
  if (!containers) return NONE
  return `${containers.filter(isRunning).length} running / ${containers.length}`
}

export const dockerVms = defineCommand({
  path: 'docker vms',
  summary: 'List the Docker-managed VMs: power, IP, backend and container counts',
  args: z.object({ pool: z.string().min(1).optional().describe('only this pool') }),
  positional: ['pool'],
  permission: PERMISSION,
  mutating: false,
  examples: ['/docker vms', '/docker vms lab-legacy'],
  plan: (ctx, { pool }) => planPool(ctx.inventory, pool),
  async run(ctx, { pool }) {
    // Managed: registered with xscontainer at all (a disabled monitor is shown, with backend 'none'), or
    // tagged for the SSH backend.
    // Only the VMs this user may read are listed, so a pool-scoped role sees only its pools.
    const vms = ctx.inventory
      .vms({ pool })
      .filter(
        (vm) =>
          (vm.docker.monitor !== 'absent' || vm.docker.backend.kind !== 'none') && ctx.allows(PERMISSION, vmTarget(vm)),
      )
    const where = pool === undefined ? '' : ` in ${pool}`
    if (vms.length === 0) return channelReply(text(`No Docker-managed VMs${where} that you can see.`))
    const known = vms.flatMap((vm) => vm.docker.containers ?? [])
    const unreadable = vms.filter((vm) => vm.docker.unreadable).length
    const counts = [
      `${vms.length} Docker-managed VM${vms.length === 1 ? '' : 's'}${where}`,
      `${vms.filter((vm) => vm.power === 'running').length} running`,
      `${known.filter(isRunning).length} of ${known.length} known containers running`,
      ...(unreadable > 0 ? [`${unreadable} with unreadable container data`] : []),
    ]
    return channelReply(
      table(
        ['VM', 'pool', 'power', 'IP', 'backend', 'containers'],
        vms.map((vm) => [vm.name, vm.pool, vm.power, vm.ip ?? NONE, vm.docker.backend.kind, containersText(vm)]),
      ),
      context(counts.join(' · ')),
    )
  },
})
