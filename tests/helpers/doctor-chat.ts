/**
 * `/xen doctor` until the dispatcher passes the Doctor port through (DispatcherOptions.doctor): the
 * demo chat of test-chat.ts for the pools and access rules, and a command context built here the way
 * Dispatcher#context builds it, with the doctor added. `doctor(user, args)` plans and runs the command
 * as the dispatcher would (plan, access check on the plan's target, run); `access` replaces the demo
 * access rules.
 */
import { xenDoctor } from '../../commands/xen-doctor.js'
import { type AccessConfig, AccessPolicy } from '../../src/core/access.js'
import type { Actor, CommandContext } from '../../src/core/command.js'
import type { Doctor } from '../../src/core/doctor-port.js'
import type { Reply } from '../../src/core/reply.js'
import { silentLog } from '../../src/log.js'
import { createDockerRouter } from '../../src/xen/docker-router.js'
import { createDoctor } from '../../src/xen/doctor.js'
import { DEMO_ACCESS, type DemoUser, startChat, type TestChat } from './test-chat.js'

export interface DoctorChat extends TestChat {
  readonly doctorPort: Doctor
  /** `/xen doctor [pool]` as `user`: the Reply, or the error the dispatcher would turn into one. */
  doctor(user: DemoUser | string, args?: { pool?: string }): Promise<Reply>
}

export async function startDoctorChat(
  options: { probeTimeoutMs?: number; access?: AccessConfig } = {},
): Promise<DoctorChat> {
  const chat = await startChat()
  const doctorPort = createDoctor(chat.xen.connections, chat.xen.inventory, {
    probeTimeoutMs: options.probeTimeoutMs ?? 2000,
  })
  const access = new AccessPolicy(options.access ?? DEMO_ACCESS)
  const docker = createDockerRouter({ xscontainer: chat.xen.xscontainer, ssh: chat.xen.ssh })
  const context = (actor: Actor): CommandContext => ({
    actor,
    requestId: 'doctor-test',
    log: silentLog,
    inventory: chat.xen.inventory,
    docker,
    status: async () => undefined,
    secret: () => {
      throw new Error('no secrets in this test')
    },
    visibleCommands: () => [],
    allows: (permission, target) => access.allows(actor, permission, target),
    require: (permission, target) => access.require(actor, permission, target),
    step: (_label, fn) => fn(() => undefined),
    button: () => {
      throw new Error('no buttons in this test')
    },
    doctor: doctorPort,
  })
  return {
    ...chat,
    doctorPort,
    doctor: async (user, args = {}) => {
      const ctx = context({ platform: 'shell', id: user, name: user })
      const parsed = xenDoctor.args.parse(args)
      const plan = await xenDoctor.plan(ctx, parsed)
      access.require(ctx.actor, xenDoctor.permission as 'xen.read', plan.target)
      return xenDoctor.run(ctx, parsed, plan)
    },
  }
}
