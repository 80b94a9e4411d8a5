/**
 * A requester whose rights come through a group (a Discord role, a Slack user group): when the request
 * is approved it is planned again as the requester, with the groups they held when asking (stored with
 * the request), so the approval runs — and a request made without the group still cannot.
 */
import { describe, expect, it } from 'vitest'
import { accessSchema } from '../../src/core/access.js'
import type { Actor } from '../../src/core/command.js'
import { actions, approvalIdOf, startGovernedChat } from '../helpers/governed-chat.js'
import { plain } from '../helpers/test-chat.js'

const access = accessSchema.parse({
  roles: {
    operator: { permissions: ['docker.read', 'docker.operate'] },
    approver: { permissions: ['docker.read', 'approve'] },
  },
  subjects: [
    { platform: 'shell', groups: ['ops'], roles: ['operator'] },
    { platform: 'shell', users: ['bob'], roles: ['approver'] },
  ],
})

const alice: Actor = { platform: 'shell', id: 'alice', name: 'alice', groups: ['ops'] }
const bob: Actor = { platform: 'shell', id: 'bob', name: 'bob' }

describe('approvals for rights held through a group', () => {
  it('the approved request runs as the requester with the groups stored when asking', async () => {
    const chat = await startGovernedChat({ access })
    const events = chat.dockerEvents('lab-legacy', 'web-1')
    const card = await chat.bot.dispatcher.handle({ actor: alice, text: '/docker restart web-1 nginx-front' })
    const id = approvalIdOf(card)
    expect((await chat.bot.store.approvals.get(id))?.requesterGroups).toEqual(['ops'])

    const approved = await chat.bot.dispatcher.press({ actor: bob, token: `${id}:approve` })
    expect(plain(approved)).toContain('restart done')
    expect(actions(events, 'restart', 'nginx-front')).toHaveLength(1)
  })
})
