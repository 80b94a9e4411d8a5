import { defineCommand } from '../src/core/command.js'
import { channelReply, context, fields } from '../src/core/reply.js'
import { containerArgs } from './lib/container-args.js'
import { inspectFields } from './lib/inspect-fields.js'
import { containerOf, planVm } from './lib/resolve.js'
import { suggestContainers, suggestVms } from './lib/suggest.js'

export const dockerInspect = defineCommand({
  path: 'docker inspect',
  summary: "Show a container's key facts: id, image, state, restarts, ports, mounts",
  args: containerArgs,
  positional: ['vm', 'container'],
  permission: 'docker.read',
  mutating: false,
  examples: ['/docker inspect web-1 nginx-front', '/docker inspect lab-legacy/registry registry'],
  plan: (ctx, args) => planVm(ctx.inventory, args.vm, suggestVms(ctx)),
  async run(ctx, args, { vm }) {
    const { backend, container } = await containerOf(ctx.docker, vm, args.container, suggestContainers(ctx, vm))
    const inspect = await backend.inspect(vm, container.key)
    return channelReply(
      fields(inspectFields(container.name, inspect)),
      context(`in ${vm.name} (pool ${vm.pool}) · backend ${backend.kind}`),
    )
  },
})
