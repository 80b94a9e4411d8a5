/**
 * `/docker logs <vm> <container>`: the last lines a container wrote, answered only to the asker (logs
 * may hold what the channel should not read). Also what an alert's Logs button runs (issue #11).
 * xscontainer has no logs function, so on legacy VMs the backend says so in words.
 */
import { defineCommand } from '../src/core/command.js'
import { context, privateReply, text } from '../src/core/reply.js'
import { containerArgs } from './lib/container-args.js'
import { containerOf, planVm } from './lib/resolve.js'
import { suggestContainers, suggestVms } from './lib/suggest.js'

/** How many lines: enough to see why a container died, few enough for one chat message. */
export const LOG_LINES = 40

export const dockerLogs = defineCommand({
  path: 'docker logs',
  summary: `Show the last ${LOG_LINES} lines a container wrote (only you see them)`,
  args: containerArgs,
  positional: ['vm', 'container'],
  permission: 'docker.read',
  mutating: false,
  examples: ['/docker logs web-1 nginx-front'],
  plan: (ctx, args) => planVm(ctx.inventory, args.vm, suggestVms(ctx)),
  async run(ctx, args, { vm }) {
    const { backend, container } = await containerOf(ctx.docker, vm, args.container, suggestContainers(ctx, vm))
    const lines = await backend.logs(vm, container.key, { tail: LOG_LINES })
    const where = context(`${container.name} in ${vm.name} (pool ${vm.pool}) · backend ${backend.kind}`)
    if (lines.length === 0) return privateReply(text(`${container.name} has written nothing yet.`), where)
    return privateReply(
      text(`Last ${lines.length} lines of ${container.name}`, 'heading'),
      text(lines.join('\n')),
      where,
    )
  },
})
