/**
 * The demo pools plus two VMs that run Docker but are not Docker-managed yet, each with a guest
 * account that has only a password: `legacy-app` on lab-legacy (its host runs xscontainer, whose key is
 * not in the guest), `app-server` on lab-modern (no xscontainer anywhere). What `/docker enable` is for.
 */
import { expect } from 'vitest'
import type { Reply } from '../../src/core/reply.js'
import type { GuestSsh } from '../../src/sim/guest-ssh/guest-ssh.js'
import { loadScenario, parseScenario, type Scenario } from '../../src/sim/scenario.js'
import type { Simulator } from '../../src/sim/simulator.js'
import type { GovernedChat } from '../helpers/governed-chat.js'
import { plain } from '../helpers/test-chat.js'

/** Made up for these tests: what an operator would type once into the form. */
export const ONE_TIME_PASSWORD = 'Xq7!one-time-Enable-pw'

export function setupScenario(): Scenario {
  const scenario = loadScenario('demo')
  const extra = parseScenario(
    `
name: extra
pools:
  - name: lab-legacy
    hosts: [{ name: xs76-a }]
    vms:
      - name: legacy-app
        power: running
        host: xs76-b
        ips: [10.10.0.60]
        docker:
          ssh: { poolKeyAuthorized: false, users: [{ name: core, password: "${ONE_TIME_PASSWORD}" }] }
          containers:
            - { name: shop, image: "nginx:1.25", ports: [{ privatePort: 80, publicPort: 8080 }] }
            - { name: shop-db, image: "postgres:16" }
  - name: lab-modern
    hosts: [{ name: xcp83-a }]
    vms:
      - name: app-server
        power: running
        host: xcp83-a
        ips: [10.20.0.50]
        docker:
          ssh: { users: [{ name: ops, password: "${ONE_TIME_PASSWORD}" }] }
          containers:
            - { name: api, image: "node:20-alpine", command: node server.js }
            - { name: cache, image: "redis:7" }
            - { name: migrate, image: "alpine:3.19", state: exited, exitCode: 0 }
`,
    'setup fixture',
  )
  for (const pool of extra.pools) {
    const target = scenario.pools.find((p) => p.name === pool.name) ?? expect.fail(`no pool ${pool.name}`)
    target.vms.push(...pool.vms)
  }
  return scenario
}

/** The simulated guest's SSH model of a VM, to look at (or break) what the bot does inside it. */
export function guestOf(sim: Simulator, pool: string, vm: string): GuestSsh {
  const simPool = sim.pool(pool).pool
  const ref = simPool.store.find('VM', (r) => r.name_label === vm)[0] ?? ''
  return simPool.guests.get(ref)?.ssh ?? expect.fail(`no SSH model for ${vm}`)
}

/** Opens the form for `vm` as ada and submits it. */
export async function enable(chat: GovernedChat, vm: string, values: Record<string, string>): Promise<Reply> {
  const opened = await chat.say('ada', `/docker enable ${vm}`)
  const token = opened.form?.token ?? expect.fail(`no form: ${plain(opened)}`)
  const outcome = await chat.submit('ada', token, { vm, ...values })
  if (outcome.kind !== 'reply') throw new Error(`the form was refused: ${JSON.stringify(outcome.errors)}`)
  return outcome.reply
}
