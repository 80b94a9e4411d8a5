/**
 * The container commands on a modern VM, answered through the SSH backend: inspect, top, and the
 * lifecycle actions, whose answer waits for Docker's own list (there is no xscontainer monitor to wait
 * for) — and each names the backend.
 */
import { describe, expect, it, vi } from 'vitest'
import { plain, startChat } from '../helpers/test-chat.js'

describe('container commands over SSH', () => {
  it('inspect and top answer from the guest, naming the ssh backend', async () => {
    const chat = await startChat()
    const inspect = plain(await chat.say('alice', '/docker inspect metrics grafana'))
    expect(inspect).toContain('grafana/grafana:10.4')
    expect(inspect).toContain('backend ssh')
    const top = plain(await chat.say('alice', '/docker top metrics grafana'))
    expect(top).toContain('PID')
    expect(top).toContain('backend ssh')
  })

  it('stop and start act in the guest and answer once Docker lists the new state', async () => {
    const chat = await startChat()
    // stop asks for a confirmation first (destructive).
    const ask = await chat.say('alice', '/docker stop metrics alertmanager')
    const confirm = ask.blocks
      .flatMap((b) => (b.kind === 'actions' ? b.actions : []))
      .find((a) => a.label === 'Confirm')
    const stopped = plain(await chat.press('alice', confirm?.token ?? expect.fail(plain(ask))))
    expect(stopped).toContain('alertmanager in metrics: stop done')
    expect(stopped).toContain('backend ssh')
    expect(stopped).not.toContain('has not caught up')
    expect(chat.daemon('lab-modern', 'metrics').inspect('alertmanager').State).toMatchObject({ Running: false })
    expect(plain(await chat.say('alice', '/docker start metrics alertmanager'))).toContain('start done')
    expect(chat.daemon('lab-modern', 'metrics').inspect('alertmanager').State).toMatchObject({ Running: true })
  })

  it('logs come from the multiplexed stream, to the asker only, cleaned of control characters', async () => {
    const chat = await startChat()
    const daemon = chat.daemon('lab-modern', 'ci-runner')
    // flaky-tests crashes 90 simulated seconds in, and writes its last words (the demo runs 200× fast).
    await vi.waitFor(() => expect(daemon.logs('flaky-tests').length).toBeGreaterThan(0), { timeout: 5000 })
    const expected = daemon.logs('flaky-tests', { tail: 40 }).map((e) => e.line)
    const reply = await chat.say('alice', '/docker logs ci-runner flaky-tests')
    expect(reply.visibility).toBe('ephemeral')
    expect(plain(reply)).toMatch(/Last \d+ lines of flaky-tests/)
    // The backend strips control characters from log lines; the expectation drops them the same way.
    const printable = (line: string) => [...line].filter((c) => c.charCodeAt(0) >= 0x20).join('')
    for (const line of expected) expect(plain(reply)).toContain(printable(line))
    expect(plain(reply)).toContain('backend ssh')
  })
})
