import { z } from 'zod'
import { defineCommand } from '../src/core/command.js'
import { UserError } from '../src/core/errors.js'
import { CLEANUP_STEPS } from '../src/core/provision-port.js'
import { channelReply, text } from '../src/core/reply.js'
import { leftoversText } from './coreos-create.js'
import { PERMISSION, provisioningOf } from './lib/coreos-form.js'

const ONE = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'
const UUID = new RegExp(`^${ONE}$`)
const UUIDS = new RegExp(`^${ONE}(,${ONE})*$`)

export const coreosCleanup = defineCommand({
  path: 'coreos cleanup',
  summary: 'Remove what a failed /coreos create left behind: the half-built VM and its disks',
  args: z.object({
    pool: z.string().min(1),
    vm: z.string().regex(UUID, "the VM's UUID, as the failed build named it").optional(),
    // Kept a string (not split by a transform): stored arguments are parsed again when an approval lands.
    disks: z
      .string()
      .regex(UUIDS, 'disk UUIDs separated by commas')
      .optional()
      .describe('UUIDs of disks the build made but had not attached yet'),
  }),
  positional: ['pool', 'vm'],
  permission: PERMISSION,
  mutating: true,
  examples: ['/coreos cleanup lab-legacy 6f1c…-uuid'],
  async plan(ctx, args) {
    const provisioning = provisioningOf(ctx)
    ctx.require(PERMISSION, { pool: args.pool })
    const leftovers = await provisioning.leftovers(args.pool, args.vm, args.disks?.split(',') ?? [])
    const what = leftoversText(leftovers)
    if (!what)
      throw new UserError('vm.nothing_left', `nothing is left to clean up in ${args.pool}: it is all gone already`)
    const vm = leftovers.vm
    const tags = vm ? (ctx.inventory.vms({ pool: args.pool }).find((v) => v.uuid === vm.uuid)?.tags ?? []) : []
    return {
      target: { pool: args.pool, ...(vm ? { vm: { name: vm.name, tags: [...tags] } } : {}) },
      summary: `remove ${what} from ${args.pool}`,
      leftovers,
    }
  },
  steps: (plan) => [
    ...(plan.leftovers.vm ? [CLEANUP_STEPS.stop, CLEANUP_STEPS.vm] : []),
    ...(plan.leftovers.disks.length > 0 ? [CLEANUP_STEPS.disks] : []),
  ],
  async run(ctx, _args, { leftovers }) {
    await provisioningOf(ctx).cleanUp(leftovers, ctx.step)
    return channelReply(text(`Removed ${leftoversText(leftovers)} from ${leftovers.pool}.`, 'success'))
  },
})
