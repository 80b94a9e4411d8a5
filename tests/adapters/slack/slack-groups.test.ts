/**
 * User-group membership (slack-groups.ts) behind a fake SlackCaller: only the groups the access config
 * names are read, once, then served from the cache and refreshed behind; a group Slack cannot read keeps
 * its last members, a group that is gone has none. And the access policy's lookup uses the cache for an
 * actor that comes without groups (a requester re-checked later).
 */
import { describe, expect, it } from 'vitest'
import type { SlackCaller } from '../../../adapters/slack/slack-api.js'
import { SlackGroups } from '../../../adapters/slack/slack-groups.js'
import { AccessPolicy, accessSchema } from '../../../src/core/access.js'
import { silentLog } from '../../../src/log.js'

function directory(groups: Record<string, string[] | 'gone' | 'broken'>) {
  const calls: string[] = []
  const api: SlackCaller = {
    async call(method, args = {}) {
      const group = String(args.usergroup)
      calls.push(`${method} ${group}`)
      const members = groups[group]
      if (members === 'broken') throw new Error('socket hang up')
      if (members === 'gone' || members === undefined) {
        throw Object.assign(new Error('no_such_subteam'), {
          code: 'slack_webapi_platform_error',
          data: { error: 'no_such_subteam' },
        })
      }
      return { ok: true, users: members }
    },
  }
  return { api, calls, groups }
}

describe('SlackGroups', () => {
  it('reads nothing when the access config names no groups', async () => {
    const { api, calls } = directory({})
    const groups = new SlackGroups({ api, log: silentLog, groups: [], refreshMs: 60_000 })
    expect(await groups.of('U1')).toEqual([])
    expect(groups.cached('U1')).toEqual([])
    expect(calls).toEqual([])
  })

  it('loads once, then answers from the cache and refreshes behind when stale', async () => {
    const { api, calls, groups: members } = directory({ S0OPS: ['U1', 'U2'], S0APPROVERS: ['U2'] })
    let now = 0
    const groups = new SlackGroups({
      api,
      log: silentLog,
      groups: ['S0OPS', 'S0APPROVERS'],
      refreshMs: 60_000,
      now: () => now,
    })
    expect(groups.cached('U2')).toBeUndefined()
    expect(await groups.of('U2')).toEqual(['S0OPS', 'S0APPROVERS'])
    expect(await groups.of('U1')).toEqual(['S0OPS'])
    expect(calls).toHaveLength(2)
    // U1 joins the approvers; seen after the refresh period, without making the asker wait for it.
    members.S0APPROVERS = ['U1', 'U2']
    now = 61_000
    expect(await groups.of('U1')).toEqual(['S0OPS'])
    await groups.refresh()
    expect(await groups.of('U1')).toEqual(['S0OPS', 'S0APPROVERS'])
    expect(calls.length).toBeGreaterThanOrEqual(4)
  })

  it('keeps the last members of a group it cannot read, and empties a group that is gone', async () => {
    const { api, groups: members } = directory({ S0OPS: ['U1'], S0OLD: ['U1'] })
    const groups = new SlackGroups({ api, log: silentLog, groups: ['S0OPS', 'S0OLD'], refreshMs: 60_000 })
    expect(await groups.of('U1')).toEqual(['S0OPS', 'S0OLD'])
    members.S0OPS = 'broken'
    members.S0OLD = 'gone'
    await groups.refresh()
    expect(groups.cached('U1')).toEqual(['S0OPS'])
  })

  it('gives an actor without groups (a requester re-checked later) the groups in the cache', async () => {
    const { api } = directory({ S0OPS: ['U1'] })
    const groups = new SlackGroups({ api, log: silentLog, groups: ['S0OPS'], refreshMs: 60_000 })
    const access = new AccessPolicy(
      accessSchema.parse({
        roles: { operator: { permissions: ['docker.operate'] } },
        subjects: [{ platform: 'slack', groups: ['S0OPS'], roles: ['operator'] }],
      }),
    )
    expect(access.groupsNamed('slack')).toEqual(['S0OPS'])
    access.setGroupLookup('slack', (id) => groups.cached(id))
    const requester = { platform: 'slack', id: 'U1', name: 'alice' }
    // Before the first load nothing is known: denied, as by default.
    expect(access.allows(requester, 'docker.operate')).toBe(false)
    await groups.refresh()
    expect(access.allows(requester, 'docker.operate')).toBe(true)
    expect(access.allows({ ...requester, id: 'U9' }, 'docker.operate')).toBe(false)
    // Groups the adapter did give win over the lookup.
    expect(access.allows({ ...requester, groups: [] }, 'docker.operate')).toBe(false)
  })
})
