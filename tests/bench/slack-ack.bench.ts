/**
 * Slack ack latency while the pools hang: bursts of concurrent slash commands sent by the fake Slack
 * (tests/adapters/slack/fake-slack.ts, Socket Mode on 127.0.0.1) to the bot — createApp + startSlack,
 * the real bolt App behind the project's adapter — and to a bare bolt App that only acks, each in its
 * own process with its own fake. Latency runs from the fake sending an envelope to the fake receiving
 * its ack, timed in this process (the bots' CPU is not ours). The simulator (its own process too)
 * holds every XAPI call, so a bot that touched a pool before acking would show it. Rounds alternate
 * which subject goes first, so a noisy neighbour lands on both. One bias left against the bot: its
 * /docker ps answers reach its fake here, during its rounds, while the bare app posts nothing.
 */
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { FakeSlack } from '../adapters/slack/fake-slack.js'
import { type SlackUser, slashCommand } from '../adapters/slack/slack-payloads.js'
import { type BenchResult, firstJsonLine, percentile, round, type SimPoolInfo, spawnTs } from './bench-lib.js'
import type { SlackBotChildArgs } from './slack-bot-child.js'

const GOAL = 1.2
const ROUNDS = 15
const USER: SlackUser = { id: 'U0ALICE', name: 'alice' }
/** Half read the inventory (answered at once), half need a plugin call the hung pool holds. */
const LINES = ['/docker ps web-1', '/docker top web-1 nginx-front'] as const

type Subject = 'ours' | 'bare'

/** A child that prints one JSON line when it is ready; stopped with SIGTERM. */
async function startChild(file: string, args: readonly string[]): Promise<{ stop(): Promise<void> }> {
  const child = spawnTs(file, args)
  await firstJsonLine(child)
  return {
    stop: async () => {
      if (child.exitCode !== null) return
      child.kill('SIGTERM')
      await once(child, 'exit')
    },
  }
}

interface HungSim {
  readonly pools: readonly SimPoolInfo[]
  /** Every pool holds every XAPI call (`hang`), or answers again (`release`). */
  send(command: 'hang' | 'release'): Promise<void>
  stop(): Promise<void>
}

/** The demo pools in hung-sim-child.ts, driven through its stdin. */
async function startHungSim(): Promise<HungSim> {
  const child = spawnTs('hung-sim-child.ts', [])
  if (!child.stdout || !child.stdin) throw new Error('the simulator child has no stdio')
  const stdin = child.stdin
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]()
  const next = async () => {
    const line = await lines.next()
    if (line.done) throw new Error('the simulator child exited')
    return JSON.parse(String(line.value)) as { pools?: SimPoolInfo[] }
  }
  const { pools = [] } = await next()
  return {
    pools,
    send: async (command) => {
      stdin.write(`${command}\n`)
      await next()
    },
    stop: async () => {
      if (child.exitCode !== null) return
      child.kill('SIGTERM')
      await once(child, 'exit')
    },
  }
}

/** Resolves once `slack` has recorded nothing (no Web API call, no response) for `ms`. */
async function quiet(slack: FakeSlack, ms: number): Promise<void> {
  for (;;) {
    const before = slack.calls.length + slack.responses.length
    await new Promise((resolve) => setTimeout(resolve, ms))
    if (slack.calls.length + slack.responses.length === before) return
  }
}

/** `n` slash commands sent at once; resolves with each one's envelope-to-ack time in ms. */
function burst(slack: FakeSlack, n: number): Promise<number[]> {
  const payloads = Array.from({ length: n }, (_, i) => slashCommand(slack, USER, LINES[i % LINES.length] ?? ''))
  return Promise.all(
    payloads.map(async (payload) => {
      const sent = performance.now()
      const ack = await slack.send({ type: 'slash_commands', payload: payload as unknown as Record<string, unknown> })
      const ms = performance.now() - sent
      if (Object.keys(ack).length > 0) throw new Error(`unexpected ack payload ${JSON.stringify(ack)}`)
      return ms
    }),
  )
}

export async function benchSlackAck(scale: number): Promise<BenchResult[]> {
  const concurrency = Math.max(20, Math.round(200 * scale))
  const sim = await startHungSim()
  const fakes: Record<Subject, FakeSlack> = { ours: await FakeSlack.start(), bare: await FakeSlack.start() }
  const children: { stop(): Promise<void> }[] = []
  const answers = () => fakes.ours.callsOf('chat.postMessage').length + fakes.ours.responses.length
  try {
    const botArgs: SlackBotChildArgs = { pools: sim.pools, apiUrl: fakes.ours.apiUrl, user: USER.id }
    children.push(await startChild('slack-bot-child.ts', [JSON.stringify(botArgs)]))
    children.push(await startChild('bare-bolt-child.ts', [fakes.bare.apiUrl]))
    await Promise.all([fakes.ours.connected(), fakes.bare.connected()])
    await sim.send('hang')

    const samples: Record<Subject, number[]> = { ours: [], bare: [] }
    let sent = 0
    for (let r = -1; r < ROUNDS; r++) {
      const order: Subject[] = r % 2 === 0 ? ['ours', 'bare'] : ['bare', 'ours']
      for (const who of order) {
        const latencies = await burst(fakes[who], concurrency)
        if (r >= 0) samples[who].push(...latencies)
        if (who !== 'ours') continue
        // Let the bot finish what it can before the other subject's round: the inventory answers.
        sent += concurrency
        const answerable = Math.ceil(sent / LINES.length)
        await fakes.ours.until(() => answers() >= answerable, `${answerable} /docker ps answers`, 120_000)
        await quiet(fakes.ours, 100)
      }
    }
    // The pools answer again: every command held on a plugin call is answered too.
    await sim.send('release')
    let answered = 'all'
    try {
      await fakes.ours.until(() => answers() >= sent, `${sent} answers`, 120_000)
    } catch {
      answered = `${answers()} of ${sent}`
    }

    const ratio = (p: number) => percentile(samples.ours, p) / percentile(samples.bare, p)
    const row = (p: number): BenchResult => ({
      name: `Slack ack p${p}, ${concurrency} concurrent slash commands while the pools hang, vs a bare bolt app`,
      goal: `≤ ${GOAL} ×`,
      measured: `${round(percentile(samples.ours, p), 1)} ms vs ${round(percentile(samples.bare, p), 1)} ms (bare bolt)`,
      value: round(ratio(p)),
      met: ratio(p) <= GOAL,
      how:
        `fake Socket Mode Slack on 127.0.0.1, envelope sent → ack received, timed in the fake's process; ` +
        `bot (createApp + startSlack) and bare bolt App (ack only) each in a child process with its own fake; ` +
        `demo pools (another child) holding every XAPI call; ${ROUNDS} rounds × ${concurrency} per subject after 1 warm-up, ` +
        `alternating who goes first; half /docker ps (answered from the inventory, posted to this fake during the round), ` +
        `half /docker top (held by the pool); ${answered} answered once the pools recovered`,
    })
    return [row(50), row(99)]
  } finally {
    for (const child of children.reverse()) await child.stop()
    await Promise.all([fakes.ours.close(), fakes.bare.close()])
    await sim.stop()
  }
}
