import { z } from 'zod'
import { type CommandContext, defineCommand } from '../src/core/command.js'
import { isUserError, UserError } from '../src/core/errors.js'
import {
  type BuildFailure,
  type BuiltVm,
  buildSteps,
  type Leftovers,
  looksLikePrivateKey,
  type NewVmPlan,
  PRIVATE_KEY_WARNING,
} from '../src/core/provision-port.js'
import { actions, channelReply, context, fields, text } from '../src/core/reply.js'
import { coreosForm, PERMISSION, provisioningOf } from './lib/coreos-form.js'
import { NONE } from './lib/vm-facts.js'

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/

/** "VM web-3 (uuid …) with its disks web-3 0 (8 GiB), …": what a failed build left, in words. */
export function leftoversText(leftovers: Leftovers): string {
  const disks = leftovers.disks.map((d) => `${d.name} (${d.size})`).join(', ')
  if (leftovers.vm) {
    return `VM ${leftovers.vm.name} (${leftovers.vm.uuid})${disks ? ` with disks ${disks}` : ''}`
  }
  return disks ? `disks ${disks}` : ''
}

/** The `/coreos cleanup` line that removes what a failed build left (the VM's own disks go with it). */
export function cleanupLine(leftovers: Leftovers): string {
  const disks = leftovers.disks
    .filter((d) => !d.attached || !leftovers.vm)
    .map((d) => d.uuid)
    .join(',')
  return `/coreos cleanup ${leftovers.pool}${leftovers.vm ? ` ${leftovers.vm.uuid}` : ''}${disks ? ` --disks ${disks}` : ''}`
}

/** A failed build as the asker sees it: the step and cause, what is left, and a clean-up button. */
function failed(ctx: CommandContext, error: unknown): unknown {
  if (!isUserError(error) || error.code !== 'vm.build_failed') return error
  const failure = error.details as unknown as BuildFailure
  const left = leftoversText(failure.leftovers)
  if (!left) return new UserError(error.code, `${error.message}. Nothing was left behind.`)
  const line = cleanupLine(failure.leftovers)
  return new UserError(
    error.code,
    `${error.message}. Left behind in ${failure.leftovers.pool}: ${left}. Press "Clean up" to remove them (an approver may have to agree), or type ${line}`,
    { details: { ...failure, actions: [ctx.button('Clean up', line, 'danger')] }, source: error.source },
  )
}

function readyReply(ctx: CommandContext, plan: NewVmPlan, built: BuiltVm) {
  const headline = built.started
    ? `${built.name} is up and Docker answers (${built.backend.kind}).`
    : `${built.name} is created and registered; it was not started.`
  return channelReply(
    text(headline, 'success'),
    fields({
      VM: built.name,
      Pool: built.pool,
      IP: built.ip ?? NONE,
      SSH: built.ip ? `ssh ${built.sshUser}@${built.ip}` : NONE,
      Backend: `${built.backend.kind} (${built.backend.reason})`,
      Key: `${plan.key.type} ${plan.key.bits}-bit ${plan.key.fingerprint}`,
    }),
    actions(ctx.button('docker ps', `/docker ps ${built.uuid}`, 'primary')),
    context(
      built.started
        ? `Built from ${plan.template.name}; the key above logs in as ${built.sshUser}.`
        : `Start it when you are ready; Docker is reached through ${built.backend.kind} once it runs.`,
    ),
  )
}

export const coreosCreate = defineCommand({
  path: 'coreos create',
  summary: 'Create a Docker-ready VM (CoreOS with a config drive, or a docker-ready template) from a form',
  args: z.object({
    name: z.string().regex(NAME, 'a VM name: letters, digits, . _ - (up to 63), starting with a letter or digit'),
    pool: z.string().min(1, 'pick a pool'),
    template: z.string().min(1, 'pick a template'),
    iso: z.string().min(1).optional().describe('the install ISO (CoreOS)'),
    sr: z.string().min(1, 'pick a storage repository'),
    network: z.string().min(1, 'pick a network'),
    sshKey: z
      .string()
      .min(1, 'paste your SSH public key')
      .max(16_384, 'that is far longer than an SSH public key')
      .refine((key) => !looksLikePrivateKey(key), PRIVATE_KEY_WARNING)
      .describe('your SSH public key, one line'),
    cloudConfig: z.string().max(70_000, 'the limit is 64 KiB').optional().describe('the cloud-config for the drive'),
    start: z.enum(['yes', 'no']).default('yes').describe('start the VM and wait until Docker answers'),
  }),
  permission: PERMISSION,
  mutating: true,
  examples: ['/coreos create', '/coreos create --pool lab-legacy --name web-3'],
  form: coreosForm,
  async plan(ctx, args) {
    const provisioning = provisioningOf(ctx)
    // Checked before the pool is asked anything (the plugin probe), not only after the plan.
    ctx.require(PERMISSION, { pool: args.pool })
    const build = await provisioning.prepare({ ...args, start: args.start === 'yes' })
    return {
      target: { pool: build.pool },
      summary: `create VM ${build.name} in ${build.pool} from ${build.template.name} with key ${build.key.type} ${build.key.fingerprint}`,
      build,
    }
  },
  steps: (plan) => buildSteps(plan.build),
  async run(ctx, _args, { build: plan }) {
    const provisioning = provisioningOf(ctx)
    let built: BuiltVm
    try {
      built = await provisioning.build(plan, {
        step: ctx.step,
        docker: ctx.docker,
        jobId: ctx.jobId ?? 'none',
        requester: ctx.actor.name,
      })
    } catch (error) {
      throw failed(ctx, error)
    }
    return readyReply(ctx, plan, built)
  },
})
