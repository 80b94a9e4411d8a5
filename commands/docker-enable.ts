/**
 * `/docker enable <vm>`: xscontainer-prepare-vm in one click (xscontainer.md §3.5), from chat. A form
 * asks for the guest user and either a one-time password or "the bot's key is already installed"; the
 * password reaches this command only as a handle (never stored, logged or audited) and is read once, to
 * log in and install the keys. Then the job checks Docker access with xscontainer's diagnosis, records
 * the user on the VM, registers it where the pack runs, and waits until Docker answers.
 */
import { z } from 'zod'
import { defineCommand, type Target } from '../src/core/command.js'
import { UserError } from '../src/core/errors.js'
import type { FormSpec } from '../src/core/reply.js'
import { channelReply, context, fields, text } from '../src/core/reply.js'
import { isSecretHandle } from '../src/core/secret-stash.js'
import { vmArg } from './lib/container-args.js'
import { guestUser, setupOf } from './lib/docker-setup.js'
import { resolveVm, vmByUuid } from './lib/resolve.js'
import { suggestVms } from './lib/suggest.js'
import { vmTarget } from './lib/vm-facts.js'

/** How long the job waits for Docker to answer once the VM is set up. */
const DOCKER_WAIT_MS = 60_000

const args = z
  .object({
    vm: vmArg,
    user: guestUser.describe('the guest account Docker is reached as (in the docker group)'),
    auth: z
      .enum(['password', 'key'], 'choose password (a one-time password installs the key) or key (already installed)')
      .describe('password: a one-time password installs the key; key: the bot key is already installed'),
    password: z.string().min(1).max(1024).meta({ formOnly: true }).describe('one-time; only in the form').optional(),
  })
  .superRefine((a, issues) => {
    if (a.auth === 'password' && a.password === undefined) {
      issues.addIssue({
        code: 'custom',
        path: ['password'],
        message: 'type the one-time password, or choose "the bot key is already installed"',
      })
    }
    if (a.auth === 'key' && a.password !== undefined) {
      issues.addIssue({
        code: 'custom',
        path: ['password'],
        message: 'leave the password empty when the key is installed',
      })
    }
  })

export interface EnablePlan {
  readonly target: Target
  readonly summary: string
  readonly pool: string
  readonly vmUuid: string
  readonly vmName: string
  readonly user: string
  readonly auth: 'password' | 'key'
  /** The VM's host runs a product that had xscontainer: the pack is looked for, and used when found. */
  readonly legacy: boolean
}

const STEPS = {
  reach: (p: EnablePlan) => `reach ${p.vmName} over SSH`,
  pack: () => 'look for xscontainer on its host',
  keys: (p: EnablePlan) => `install the keys for ${p.user}${p.auth === 'password' ? ' (one-time password)' : ''}`,
  check: (p: EnablePlan) => `check Docker access as ${p.user}`,
  record: (p: EnablePlan) => `record ${p.user} on the VM`,
  register: () => 'register with xscontainer',
  wait: () => 'wait until Docker answers',
}

function enableForm(given: Readonly<Record<string, unknown>>, user: string): FormSpec {
  const initial = (name: string) => (typeof given[name] === 'string' ? (given[name] as string) : undefined)
  return {
    title: 'Enable Docker on a VM',
    submitLabel: 'Enable',
    inputs: [
      {
        kind: 'text',
        id: 'vm',
        label: 'VM',
        initial: initial('vm'),
        hint: 'name, name prefix or UUID; pool/name picks the pool',
      },
      {
        kind: 'text',
        id: 'user',
        label: 'Guest user',
        initial: initial('user') ?? user,
        hint: 'the account Docker is reached as; it must be in the docker group',
      },
      {
        kind: 'select',
        id: 'auth',
        label: 'How the bot logs in to install its key',
        options: [
          { value: 'password', label: 'with a one-time password (typed below)' },
          { value: 'key', label: "the bot's key is already installed (see /xen key)" },
        ],
        initial: initial('auth') ?? 'password',
      },
      {
        kind: 'text',
        id: 'password',
        label: 'One-time password',
        secret: true,
        optional: true,
        hint: 'used once to log in and install the key; never stored, logged or audited',
      },
    ],
  }
}

export const dockerEnable = defineCommand({
  path: 'docker enable',
  summary: "Make a VM Docker-managed: install the bot's SSH key (and xscontainer's), check Docker, register it",
  args,
  positional: ['vm'],
  permission: 'docker.admin',
  mutating: true,
  examples: ['/docker enable app-server', '/docker enable app-server --user ops --auth key'],
  form: (ctx, given) => {
    const found = typeof given.vm === 'string' ? ctx.inventory.findVm(given.vm) : undefined
    return enableForm(given, (found?.kind === 'found' && found.vm.docker.sshUser) || 'core')
  },
  steps: (plan: EnablePlan) => [
    STEPS.reach(plan),
    ...(plan.legacy ? [STEPS.pack()] : []),
    STEPS.keys(plan),
    STEPS.check(plan),
    STEPS.record(plan),
    ...(plan.legacy ? [STEPS.register()] : []),
    STEPS.wait(),
  ],
  plan(ctx, a): EnablePlan {
    // Defence in depth: the dispatcher refuses a typed password; only a form's handle gets here.
    if (a.password !== undefined && !isSecretHandle(a.password)) {
      throw new UserError('form.secret_typed', 'the one-time password can only be given in the form')
    }
    const vm = resolveVm(ctx.inventory, a.vm, suggestVms(ctx))
    return {
      target: vmTarget(vm),
      summary: `enable Docker on ${vm.name} as ${a.user}`,
      pool: vm.pool,
      vmUuid: vm.uuid,
      vmName: vm.name,
      user: a.user,
      auth: a.auth,
      legacy: setupOf(ctx).legacyCandidate(vm),
    }
  },
  async run(ctx, a, plan) {
    const setup = setupOf(ctx)
    const vm = () => vmByUuid(ctx.inventory, plan.pool, plan.vmUuid, plan.vmName)
    const address = await ctx.step(STEPS.reach(plan), () => setup.reach(vm()))
    const legacy = plan.legacy && (await ctx.step(STEPS.pack(), () => setup.hasXscontainer(vm())))
    const password = a.password === undefined ? undefined : ctx.secret(a.password)
    const keys = await ctx.step(STEPS.keys(plan), () => setup.installKeys(vm(), { user: plan.user, password }, legacy))
    await ctx.step(STEPS.check(plan), () => setup.checkDocker(vm(), plan.user, legacy))
    await ctx.step(STEPS.record(plan), () => setup.recordUser(vm(), plan.user, legacy))
    if (legacy) await ctx.step(STEPS.register(), () => setup.register(vm()))
    const count = await ctx.step(STEPS.wait(), () => setup.waitForDocker(vm(), legacy, DOCKER_WAIT_MS))
    const backend = legacy ? 'xscontainer' : 'ssh'
    return channelReply(
      text(
        `Docker is enabled on ${plan.vmName}: ${count} container${count === 1 ? '' : 's'}, served by ${backend}`,
        'success',
      ),
      fields({
        VM: plan.vmName,
        Pool: plan.pool,
        Address: address,
        User: plan.user,
        'Keys installed': keys.join(', '),
        'Host key': (await setup.pinned(vm()))?.fingerprint ?? '—',
        Backend: backend,
      }),
      context(`by ${ctx.actor.name} · try /docker ps ${plan.vmName}`),
    )
  },
})
