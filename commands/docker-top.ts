import { defineCommand } from '../src/core/command.js'
import { channelReply, context, table, text } from '../src/core/reply.js'
import { containerArgs } from './lib/container-args.js'
import { containerOf, planVm } from './lib/resolve.js'
import { suggestContainers, suggestVms } from './lib/suggest.js'

export const dockerTop = defineCommand({
  path: 'docker top',
  summary: 'List the processes running in a container',
  args: containerArgs,
  positional: ['vm', 'container'],
  permission: 'docker.read',
  mutating: false,
  examples: ['/docker top web-1 nginx-front'],
  plan: (ctx, args) => planVm(ctx.inventory, args.vm, suggestVms(ctx)),
  async run(ctx, args, { vm }) {
    const { backend, container } = await containerOf(ctx.docker, vm, args.container, suggestContainers(ctx, vm))
    const top = await backend.top(vm, container.key)
    const where = context(`in ${vm.name} (pool ${vm.pool}) · backend ${backend.kind}`)
    if (top.processes.length === 0) return channelReply(text(`${container.name} runs no processes.`), where)
    return channelReply(text(`Processes in ${container.name}`, 'heading'), table(top.titles, top.processes), where)
  },
})
