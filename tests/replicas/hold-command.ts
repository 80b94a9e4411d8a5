/**
 * `/test hold`: a job that never ends by itself, for the replica tests (issue #15) to kill the replica
 * running it. Its card is posted, and it reports progress every 100 ms so the job's stored record
 * learns where its card is (the card's address is saved with the next change after the post).
 */
import { z } from 'zod'
import { defineCommand } from '../../src/core/command.js'
import { channelReply, text } from '../../src/core/reply.js'

export const HOLD_STEP = 'hold the job open'

export const holdCommand = defineCommand({
  path: 'test hold',
  summary: 'Holds a job open until its replica dies (replica tests)',
  args: z.object({}),
  permission: 'docker.operate',
  mutating: true,
  steps: () => [HOLD_STEP],
  plan: () => ({ summary: 'hold a job open' }),
  async run(ctx) {
    await ctx.step(HOLD_STEP, (progress) => {
      let ticks = 0
      setInterval(() => progress(`held for ${++ticks * 100} ms`), 100)
      return new Promise<never>(() => {})
    })
    return channelReply(text('never reached'))
  },
})
