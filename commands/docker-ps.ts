import { z } from 'zod'
import { defineCommand } from '../src/core/command.js'
import { channelReply, context, fields, table, text } from '../src/core/reply.js'
import { vmArg } from './lib/container-args.js'
import { isRunning, portsText } from './lib/container-facts.js'
import { planVm } from './lib/resolve.js'
import { suggestVms } from './lib/suggest.js'
import { NONE, vmFields } from './lib/vm-facts.js'

export const dockerPs = defineCommand({
  path: 'docker ps',
  summary: 'List the containers of a VM (running ones unless --all)',
  args: z.object({
    vm: vmArg,
    all: z.boolean().default(false).describe('also list stopped containers'),
  }),
  positional: ['vm'],
  permission: 'docker.read',
  mutating: false,
  examples: ['/docker ps web-1', '/docker ps lab-legacy/web-2 --all'],
  plan: (ctx, args) => planVm(ctx.inventory, args.vm, suggestVms(ctx)),
  async run(ctx, args, { vm }) {
    const containers = await ctx.docker(vm).list(vm)
    const shown = args.all ? containers : containers.filter(isRunning)
    const hidden = containers.length - shown.length
    const header = fields(vmFields(vm))
    if (shown.length === 0) {
      const sentence =
        containers.length === 0
          ? `${vm.name} has no containers.`
          : `No running containers in ${vm.name}; ${hidden} stopped ${hidden === 1 ? 'one is' : 'ones are'} hidden: add --all to list ${hidden === 1 ? 'it' : 'them'}.`
      return channelReply(header, text(sentence))
    }
    const running = containers.filter(isRunning).length
    return channelReply(
      header,
      table(
        ['NAME', 'KEY', 'IMAGE', 'STATUS', 'PORTS'],
        shown.map((c) => [c.name, c.key, c.image, c.status || c.state || NONE, portsText(c.ports) || NONE]),
      ),
      context(
        hidden > 0
          ? `${running} running of ${containers.length}; --all also lists the ${hidden} stopped`
          : `${running} running of ${containers.length}`,
      ),
    )
  },
})
