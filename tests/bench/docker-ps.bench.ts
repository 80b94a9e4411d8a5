/**
 * `/docker ps <vm>` answered by the bot (inventory cache, parsed `docker_ps`) against the naive way a
 * script would do it: `VM.get_all_records` on every call, find the VM, parse its `docker_ps` XML. Both
 * run against the same simulated pool, in the same run, one after the other.
 */
import { XMLParser } from 'fast-xml-parser'
import { createClient } from 'xen-api'
import { BENCH_ACTOR, startBenchBot } from './bench-bot.js'
import { type BenchResult, round, startSimChild } from './bench-lib.js'
import { vmName } from './big-scenario.js'

const GOAL = 100

export async function benchDockerPs(scale: number): Promise<BenchResult> {
  const vms = Math.max(100, Math.round(5_000 * scale))
  const sim = await startSimChild(1, vms)
  const bot = await startBenchBot(sim.pools)
  const pool = sim.pools[0]
  if (!pool) throw new Error('no pool')
  const dockerVms = Array.from({ length: Math.floor(vms / 10) }, (_, i) => vmName(0, i * 10))
  const pick = (i: number) => dockerVms[i % dockerVms.length] as string
  try {
    // The bot: the whole dispatch (grammar, access, lookup, render-ready reply).
    const answer = async (i: number) => {
      const reply = await bot.app.dispatcher.handle({ actor: BENCH_ACTOR, text: `/docker ps ${pick(i)}` })
      if (!JSON.stringify(reply.blocks).includes('svc-0'))
        throw new Error(`unexpected answer: ${JSON.stringify(reply)}`)
    }
    for (let i = 0; i < 200; i++) await answer(i)
    const oursCalls = 2_000
    let start = performance.now()
    for (let i = 0; i < oursCalls; i++) await answer(i)
    const oursPerCall = (performance.now() - start) / oursCalls

    // The naive script: every call fetches every VM record, then parses the one it wants.
    const xapi = createClient({ url: pool.url, auth: { user: pool.username, password: pool.password } })
    await xapi.connect()
    const parser = new XMLParser()
    const naive = async (i: number) => {
      const records = (await xapi.call('VM.get_all_records')) as Record<string, Record<string, unknown>>
      const name = pick(i)
      const vm = Object.values(records).find((r) => r.name_label === name)
      const ps = (vm?.other_config as Record<string, string> | undefined)?.docker_ps
      if (!ps || !JSON.stringify(parser.parse(ps)).includes('svc-0')) throw new Error(`no docker_ps for ${name}`)
    }
    await naive(0)
    const naiveCalls = 10
    start = performance.now()
    for (let i = 0; i < naiveCalls; i++) await naive(i)
    const naivePerCall = (performance.now() - start) / naiveCalls
    await xapi.disconnect()

    const ratio = naivePerCall / oursPerCall
    return {
      name: `/docker ps from the inventory vs VM.get_all_records per call (${vms} VMs)`,
      goal: `≥ ${GOAL} × faster`,
      measured: `${round(oursPerCall, 3)} ms vs ${round(naivePerCall, 1)} ms per call`,
      value: round(ratio, 1),
      met: ratio >= GOAL,
      how: `${oursCalls} bot dispatches after 200 warm-up vs ${naiveCalls} naive calls (xen-api client, JSON-RPC), same simulated pool`,
    }
  } finally {
    await bot.stop()
    await sim.stop()
  }
}
