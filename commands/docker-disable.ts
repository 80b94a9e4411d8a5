/**
 * `/docker disable <vm> [--remove-key]`: the VM stops being Docker-managed — deregistered from
 * xscontainer where it was registered (its monitor stops and the docker_* keys go), the `docker` tag
 * removed — and, when asked, the bot's key removed from the guest user's authorized_keys (before the
 * rest, since that needs the key to log in). The guest's Docker itself is left alone.
 */
import { z } from 'zod'
import { defineCommand, type Target } from '../src/core/command.js'
import { UserError } from '../src/core/errors.js'
import { channelReply, context, text } from '../src/core/reply.js'
import { vmArg } from './lib/container-args.js'
import { DEFAULT_SSH_USER, setupOf } from './lib/docker-setup.js'
import { planVm, vmByUuid } from './lib/resolve.js'
import { suggestVms } from './lib/suggest.js'

interface DisablePlan {
  readonly target: Target
  readonly summary: string
  readonly pool: string
  readonly vmUuid: string
  readonly vmName: string
  readonly user: string
  readonly legacy: boolean
  readonly removeKey: boolean
}

const keyStep = (p: DisablePlan) => `remove the bot's key for ${p.user}`
const markStep = (p: DisablePlan) =>
  p.legacy ? 'deregister from xscontainer' : `remove the docker tag from ${p.vmName}`

export const dockerDisable = defineCommand({
  path: 'docker disable',
  summary: 'Stop managing Docker in a VM: deregister it (and optionally remove the bot key)',
  args: z.object({
    vm: vmArg,
    removeKey: z.boolean().default(false).describe("also remove the bot's key from the guest user's authorized_keys"),
  }),
  positional: ['vm'],
  permission: 'docker.admin',
  mutating: true,
  confirm: true,
  examples: ['/docker disable app-server', '/docker disable app-server --remove-key'],
  steps: (plan: DisablePlan) => [...(plan.removeKey ? [keyStep(plan)] : []), markStep(plan)],
  plan(ctx, args): DisablePlan {
    const { target, vm } = planVm(ctx.inventory, args.vm, suggestVms(ctx))
    if (vm.docker.backend.kind === 'none' && vm.docker.monitor !== 'enabled') {
      throw new UserError('docker.not_managed', `${vm.name} is not Docker-managed (${vm.docker.backend.reason})`)
    }
    const legacy = vm.docker.monitor === 'enabled'
    return {
      target,
      summary: `stop managing Docker in ${vm.name}${args.removeKey ? " and remove the bot's key" : ''}`,
      pool: vm.pool,
      vmUuid: vm.uuid,
      vmName: vm.name,
      user: vm.docker.sshUser ?? DEFAULT_SSH_USER,
      legacy,
      removeKey: args.removeKey,
    }
  },
  async run(ctx, _args, plan) {
    const setup = setupOf(ctx)
    const vm = () => vmByUuid(ctx.inventory, plan.pool, plan.vmUuid, plan.vmName)
    if (plan.removeKey) await ctx.step(keyStep(plan), () => setup.removeBotKey(vm(), plan.user))
    await ctx.step(markStep(plan), () => setup.unmark(vm(), plan.legacy))
    return channelReply(
      text(`${plan.vmName} is no longer Docker-managed`, 'success'),
      context(
        `by ${ctx.actor.name}${plan.removeKey ? ` · the bot's key was removed for ${plan.user}` : ''} · /docker enable ${plan.vmName} sets it up again`,
      ),
    )
  },
})
