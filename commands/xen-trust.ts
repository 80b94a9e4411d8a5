import { z } from 'zod'
import { defineCommand } from '../src/core/command.js'
import { channelReply, context, fields, text } from '../src/core/reply.js'
import { vmArg } from './lib/container-args.js'
import { actorTag, fingerprintArg, setupOf } from './lib/docker-setup.js'
import { planVm, vmByUuid } from './lib/resolve.js'
import { suggestVms } from './lib/suggest.js'

/**
 * Re-trusting a VM's SSH host key after it changed (a reinstall, regenerated keys): the admin checks the
 * new fingerprint on the VM's console and gives it here; the bot pins the key the VM presents only if it
 * has exactly that fingerprint, so a key swapped in between is still refused.
 */
export const xenTrust = defineCommand({
  path: 'xen trust',
  summary: "Trust a VM's new SSH host key, after checking its fingerprint on the VM's console",
  args: z.object({
    vm: vmArg,
    fingerprint: fingerprintArg.describe('the new key, as ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub prints it'),
  }),
  positional: ['vm', 'fingerprint'],
  permission: 'docker.admin',
  mutating: true,
  confirm: true,
  examples: ['/xen trust ci-runner SHA256:…'],
  steps: (plan: { summary: string }) => [plan.summary],
  // Plain data only: a confirmation binds to this plan's digest.
  plan(ctx, args) {
    const { target, vm } = planVm(ctx.inventory, args.vm, suggestVms(ctx))
    return {
      target,
      summary: `trust ${args.fingerprint} as the SSH host key of ${vm.name}`,
      pool: vm.pool,
      vmUuid: vm.uuid,
      vmName: vm.name,
      fingerprint: args.fingerprint,
    }
  },
  async run(ctx, args, plan) {
    const setup = setupOf(ctx)
    const vm = vmByUuid(ctx.inventory, plan.pool, plan.vmUuid, plan.vmName)
    const before = (await setup.pinned(vm))?.fingerprint
    const pinned = await ctx.step(plan.summary, () => setup.trust(vm, args.fingerprint, actorTag(ctx)))
    return channelReply(
      text(`${vm.name}: its SSH host key is trusted again`, 'success'),
      fields({ Now: pinned.fingerprint, Before: before ?? '—', By: ctx.actor.name }),
      context(`pool ${vm.pool} · the next connection to ${vm.name} uses this key`),
    )
  },
})
