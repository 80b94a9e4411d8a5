/**
 * `/xen approvals`: requests waiting for a second person, with the buttons to vote. Anyone with
 * xen.read sees the queue; whether a vote counts is decided when it is cast (the approve permission on
 * the request's own target, never one's own request).
 */
import { z } from 'zod'
import { voteToken } from '../src/core/approvals.js'
import { defineCommand } from '../src/core/command.js'
import { UserError } from '../src/core/errors.js'
import { actions, type Block, context, privateReply, text } from '../src/core/reply.js'

export const xenApprovals = defineCommand({
  path: 'xen approvals',
  summary: 'Requests waiting for an approval, with their Approve / Deny buttons',
  args: z.object({}),
  permission: 'xen.read',
  mutating: false,
  examples: ['/xen approvals'],
  plan: () => ({}),
  async run(ctx) {
    if (!ctx.records) throw new UserError('store.unavailable', 'this bot runs without an approval store')
    const pending = await ctx.records.pendingApprovals()
    if (pending.length === 0) return privateReply(text('Nothing is waiting for an approval.'))
    const me = `${ctx.actor.platform}:${ctx.actor.id}`
    const blocks: Block[] = pending.flatMap((a) => [
      text(
        `${a.requesterName} asks to ${a.planSummary} (request ${a.id}, ${a.approvals.length} of ${a.quorum} approvals)`,
      ),
      a.requesterKey === me
        ? actions({ token: voteToken(a.id, 'cancel'), label: 'Cancel' })
        : actions(
            { token: voteToken(a.id, 'approve'), label: 'Approve', style: 'primary' },
            { token: voteToken(a.id, 'deny'), label: 'Deny', style: 'danger' },
          ),
    ])
    return privateReply(
      ...blocks,
      context('Your own requests can only be cancelled; another approver must approve them.'),
    )
  },
})
