import { z } from 'zod'
import { defineCommand } from '../src/core/command.js'
import { channelReply, context, fields, text } from '../src/core/reply.js'
import { setupOf } from './lib/docker-setup.js'

export const xenKey = defineCommand({
  path: 'xen key',
  summary: "Show the bot's SSH public key (for a guest's authorized_keys)",
  args: z.object({}),
  permission: 'xen.read',
  mutating: false,
  examples: ['/xen key'],
  plan: () => ({}),
  async run(ctx) {
    const key = setupOf(ctx).key()
    return channelReply(
      text("The bot's SSH key", 'heading'),
      fields({ 'Public key': key.publicLine, Fingerprint: key.fingerprint, Source: key.source }),
      context(
        "Put the line in ~/.ssh/authorized_keys of the VM's Docker user (it must be in the docker group), or let /docker enable <vm> install it.",
      ),
    )
  },
})
