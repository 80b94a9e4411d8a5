/** `/xen jobs`: the asker's recent jobs with their state, from the durable job store. */
import { z } from 'zod'
import { defineCommand } from '../src/core/command.js'
import { UserError } from '../src/core/errors.js'
import { context, privateReply, table, text } from '../src/core/reply.js'

const when = (ms: number) => `${new Date(ms).toISOString().replace('T', ' ').slice(0, 19)} UTC`

export const xenJobs = defineCommand({
  path: 'xen jobs',
  summary: 'Your recent jobs (actions the bot ran for you) and how they ended',
  args: z.object({}),
  permission: 'xen.read',
  mutating: false,
  examples: ['/xen jobs'],
  plan: () => ({}),
  async run(ctx) {
    if (!ctx.records) throw new UserError('store.unavailable', 'this bot runs without a job store')
    const jobs = await ctx.records.recentJobs()
    if (jobs.length === 0) return privateReply(text('You have no jobs yet.'))
    return privateReply(
      table(
        ['job', 'state', 'what', 'started', 'result'],
        jobs.map((j) => [j.id, j.state, j.summary, when(j.createdAt), j.error ?? j.result ?? '']),
      ),
      context('Jobs marked interrupted were cut short by a restart of the bot; check their effect before retrying.'),
    )
  },
})
