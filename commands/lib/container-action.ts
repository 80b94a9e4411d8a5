/**
 * One definition for the five lifecycle commands (`/docker start|stop|restart|pause|unpause <vm>
 * <container>`). The plan is plain, deterministic data — pool, VM uuid, container id and key, the
 * action — because the dispatcher binds a confirmation to its digest: pressing Confirm re-plans and
 * runs only if it still names the same container. No timestamps, no live state such as its status.
 */
import { defineCommand, type Target } from '../../src/core/command.js'
import type { ContainerAction, DockerBackend, Inventory, VmSummary } from '../../src/core/ports.js'
import { channelReply, context, text } from '../../src/core/reply.js'
import { containerArgs } from './container-args.js'
import { resolveContainer, resolveVm, vmByUuid } from './resolve.js'
import { suggestContainers, suggestVms } from './suggest.js'
import { vmTarget } from './vm-facts.js'

const PERMISSION = 'docker.operate'

export interface ContainerActionPlan {
  readonly target: Target
  readonly summary: string
  readonly action: ContainerAction
  readonly pool: string
  readonly vmUuid: string
  readonly vmName: string
  readonly containerId: string
  readonly containerKey: string
  readonly containerName: string
}

export function defineContainerAction(action: ContainerAction, options: { summary: string; confirm?: boolean }) {
  return defineCommand({
    path: `docker ${action}`,
    summary: options.summary,
    args: containerArgs,
    positional: ['vm', 'container'],
    permission: PERMISSION,
    mutating: true,
    confirm: options.confirm,
    examples: [`/docker ${action} web-1 nginx-front`, `/docker ${action} lab-legacy/web-2 nginx-front`],
    steps: (plan: ContainerActionPlan) => [actStep(plan), SEEN_STEP],
    async plan(ctx, args): Promise<ContainerActionPlan> {
      const vm = resolveVm(ctx.inventory, args.vm, suggestVms(ctx))
      const target = vmTarget(vm)
      // Before looking inside the VM: a "no such container" answer lists the containers it has.
      ctx.require(PERMISSION, target)
      const container = resolveContainer(await ctx.docker(vm).list(vm), args.container, vm, suggestContainers(ctx, vm))
      return {
        target,
        summary: `${action} ${container.name} (${container.key}) in ${vm.name}`,
        action,
        pool: vm.pool,
        vmUuid: vm.uuid,
        vmName: vm.name,
        containerId: container.id,
        containerKey: container.key,
        containerName: container.name,
      }
    },
    async run(ctx, _args, plan) {
      const vm = vmByUuid(ctx.inventory, plan.pool, plan.vmUuid, plan.vmName)
      const backend = ctx.docker(vm)
      await ctx.step(actStep(plan), () => backend.act(vm, plan.containerKey, plan.action))
      // Answer once the container list shows the new state, so the next /docker ps agrees with this reply:
      // the inventory's, fed by xscontainer's monitor, or — for a VM the inventory has no list of (SSH) —
      // the backend's own, which Docker answers live.
      const seen = await ctx.step(SEEN_STEP, () =>
        vm.docker.containers === undefined
          ? liveStatus(backend, vm, plan)
          : untilStatus(ctx.inventory, plan, SETTLE_MS),
      )
      return channelReply(
        text(`${plan.containerName} in ${vm.name}: ${plan.action} done`, 'success'),
        context(
          `backend ${backend.kind} · container ${plan.containerKey} · pool ${vm.pool} · by ${ctx.actor.name}` +
            (seen ? '' : ' · the container list has not caught up yet'),
        ),
      )
    },
  })
}

/** How long an action waits for the monitor's update to reach the inventory before answering anyway. */
const SETTLE_MS = 5_000

const EXPECTED: Record<ContainerAction, (status: string) => boolean> = {
  start: (s) => s.startsWith('Up') && !s.includes('(Paused)'),
  restart: (s) => s.startsWith('Up') && !s.includes('(Paused)'),
  unpause: (s) => s.startsWith('Up') && !s.includes('(Paused)'),
  stop: (s) => s.startsWith('Exited'),
  pause: (s) => s.includes('(Paused)'),
}

/** Whether the backend's live list shows the container in the state the action leads to. */
async function liveStatus(
  backend: DockerBackend,
  vm: VmSummary,
  plan: { readonly containerId: string; readonly action: ContainerAction },
): Promise<boolean> {
  const container = (await backend.list(vm)).find((c) => c.id === plan.containerId)
  return container !== undefined && EXPECTED[plan.action](container.status)
}

/** Resolves true once the inventory shows the container in the state the action leads to, false at the timeout. */
function untilStatus(
  inventory: Inventory,
  plan: {
    readonly pool: string
    readonly vmUuid: string
    readonly containerId: string
    readonly action: ContainerAction
  },
  timeoutMs: number,
): Promise<boolean> {
  const reached = () => {
    const vm = inventory.vms({ pool: plan.pool }).find((v) => v.uuid === plan.vmUuid)
    const container = vm?.docker.containers?.find((c) => c.id === plan.containerId)
    return container !== undefined && EXPECTED[plan.action](container.status)
  }
  if (reached()) return Promise.resolve(true)
  return new Promise((resolve) => {
    const timer = setTimeout(() => finish(false), timeoutMs)
    const unsubscribe = inventory.onChange(() => {
      if (reached()) finish(true)
    })
    function finish(value: boolean) {
      clearTimeout(timer)
      unsubscribe()
      resolve(value)
    }
  })
}

const SEEN_STEP = 'see the new state in the container list'
const actStep = (plan: { readonly action: ContainerAction; readonly containerName: string; readonly vmName: string }) =>
  `${plan.action} ${plan.containerName} in ${plan.vmName}`
