/**
 * Issue #6: no audit, no action. The audit log is broken behind the bot's back — a trigger on the same
 * SQLite file that refuses inserts, as a full disk or a read-only file would — and the action must
 * not happen: the container keeps its state, no job is stored, and the user is told why.
 */
import { describe, expect, it } from 'vitest'
import { actions, approvalIdOf, rawConnection, startGovernedChat } from '../helpers/governed-chat.js'
import { plain } from '../helpers/test-chat.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const REFUSED = 'the audit log cannot be written right now, so nothing was done; tell an admin'

/** Makes every audit insert (or only those of `kind`) fail, through a second connection on the file. */
function breakAudit(file: string, kind?: string) {
  const db = rawConnection(file)
  const when = kind ? ` WHEN NEW.kind = '${kind}'` : ''
  db.exec(`CREATE TRIGGER audit_full BEFORE INSERT ON audit_log${when} BEGIN SELECT RAISE(ABORT, 'disk full'); END`)
  return () => db.exec('DROP TRIGGER audit_full')
}

describe('a failing audit write blocks the action', () => {
  it('at the request: /docker start of a stopped container (no approval needed) does nothing, and says why', async () => {
    const chat = await startGovernedChat()
    const daemon = chat.daemon('lab-legacy', 'web-1')
    const events = chat.dockerEvents('lab-legacy', 'web-1')
    expect(daemon.inspect('nightly-report').State.Status).toBe('exited')
    const entries = (await chat.audit()).length
    breakAudit(chat.dbFile)

    const reply = await chat.say('alice', '/docker start web-1 nightly-report')
    expect(reply.visibility).toBe('ephemeral')
    expect(plain(reply)).toBe(REFUSED)
    await sleep(200)
    expect(events).toEqual([])
    expect(daemon.inspect('nightly-report').State.Status).toBe('exited')
    expect(await chat.bot.store.jobs.recent('shell:alice', 10)).toEqual([])
    expect(await chat.audit()).toHaveLength(entries)
    // Reading does not change anything, so it still works (its audit entry is lost and logged).
    expect(plain(await chat.say('alice', '/docker ps web-1'))).toContain('nginx-front')
  })

  it('at the start of the job: with only job.started refused, the start is not run either', async () => {
    const chat = await startGovernedChat()
    const daemon = chat.daemon('lab-legacy', 'web-1')
    const events = chat.dockerEvents('lab-legacy', 'web-1')
    const repair = breakAudit(chat.dbFile, 'job.started')

    expect(plain(await chat.say('alice', '/docker start web-1 nightly-report'))).toBe(REFUSED)
    await sleep(200)
    expect(events).toEqual([])
    expect(daemon.inspect('nightly-report').State.Status).toBe('exited')
    expect(await chat.bot.store.jobs.recent('shell:alice', 10)).toEqual([])
    // What was written says so: the request and the access decision, no job.
    expect((await chat.audit()).map((e) => e.kind)).toEqual(['request', 'access'])

    // Once the log can be written again, the same command runs.
    repair()
    expect(plain(await chat.say('alice', '/docker start web-1 nightly-report'))).toMatch(
      /^nightly-report in web-1: start done\n/,
    )
    expect(actions(events, 'start', 'nightly-report')).toHaveLength(1)
    expect(await chat.bot.store.audit.verify()).toMatchObject({ ok: true })
  })

  it('at the approval: bob’s approve is refused with the reason, the request stays pending, and runs once repaired', async () => {
    const chat = await startGovernedChat()
    const events = chat.dockerEvents('lab-legacy', 'web-1')
    const id = approvalIdOf(await chat.say('alice', '/docker restart web-1 nginx-front'))
    const repair = breakAudit(chat.dbFile)

    const refused = await chat.press('bob', `${id}:approve`)
    expect(refused.visibility).toBe('ephemeral')
    expect(plain(refused)).toBe(REFUSED)
    expect(await chat.bot.approvals.get(id)).toMatchObject({ state: 'pending', approvals: [] })
    await sleep(200)
    expect(actions(events, 'restart', 'nginx-front')).toEqual([])
    expect(await chat.bot.store.jobs.recent('shell:alice', 10)).toEqual([])

    repair()
    expect(plain(await chat.press('bob', `${id}:approve`))).toMatch(/\nnginx-front in web-1: restart done\n/)
    expect(actions(events, 'restart', 'nginx-front')).toHaveLength(1)
  })

  it('at a confirm: a confirmed /docker stop is not run when the audit fails between the button and the press', async () => {
    const chat = await startGovernedChat({ rules: {} })
    const daemon = chat.daemon('lab-legacy', 'web-1')
    const ask = await chat.say('alice', '/docker stop web-1 redis-cache')
    const confirm = ask.blocks
      .flatMap((b) => (b.kind === 'actions' ? b.actions : []))
      .find((a) => a.label === 'Confirm')
    expect(confirm?.token).toMatch(/^[a-z0-9]{6}$/)
    breakAudit(chat.dbFile)
    expect(plain(await chat.press('alice', confirm?.token ?? ''))).toBe(REFUSED)
    await sleep(200)
    expect(daemon.inspect('redis-cache').State.Status).toBe('running')
    expect(await chat.bot.store.jobs.recent('shell:alice', 10)).toEqual([])
  })
})
