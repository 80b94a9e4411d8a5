import { defineCommand } from '../src/core/command.js'
import { channelReply, context, fields } from '../src/core/reply.js'
import { containerArgs } from './lib/container-args.js'
import { inspectFields } from './lib/inspect-fields.js'
import { resolveContainer, resolveVm } from './lib/resolve.js'
import { vmTarget } from './lib/vm-facts.js'

export const dockerInspect = defineCommand({
  path: 'docker inspect',
  summary: "Show a container's key facts: id, image, state, restarts, ports, mounts",
  args: containerArgs,
  positional: ['vm', 'container'],
  permission: 'docker.read',
  mutating: false,
  examples: ['/docker inspect web-1 nginx-front', '/docker inspect lab-legacy/registry registry'],
  plan(ctx, args) {
    const vm = resolveVm(ctx.inventory, args.vm)
    return { target: vmTarget(vm), vm }
  },
  async run(ctx, args, { vm }) {
    const backend = ctx.docker(vm)
    const container = resolveContainer(await backend.list(vm), args.container, vm)
    const inspect = await backend.inspect(vm, container.key)
    return channelReply(
      fields(inspectFields(container.name, inspect)),
      context(`in ${vm.name} (pool ${vm.pool}) · backend ${backend.kind}`),
    )
  },
})
