/**
 * Autocomplete through the real discord.js Client: answered from the inventory (no XAPI call), ranked,
 * at most 25 choices, a name two pools share shown with its pool, and never a VM the user may not see
 * — not even as a pool label that would tell another VM of that name exists.
 */
import { describe, expect, it } from 'vitest'
import { createVm } from '../../../src/sim/handlers/vm-factory.js'
import { startDiscordChat } from '../../helpers/discord-chat.js'
import type { InteractionState } from '../../helpers/fake-discord/fake-discord.js'
import { autocomplete, opt, sub } from '../../helpers/fake-discord/fake-interactions.js'
import { waitFor } from '../../helpers/xen.js'

interface Choice {
  name: string
  value: string
}

describe('Discord autocomplete', () => {
  it('offers ≤ 25 ranked choices, the pool for shared names, and only VMs the user may read', async () => {
    const discord = await startDiscordChat()
    const { fake, chat, users } = discord
    const modern = chat.simPool('lab-modern')
    for (let i = 1; i <= 30; i++) {
      createVm(modern, {
        name_label: `node-${String(i).padStart(2, '0')}`,
        is_a_template: false,
        power_state: 'Halted',
      })
    }
    const metrics = modern.store.find('VM', (r) => r.name_label === 'metrics')[0] as string
    modern.store.update('VM', metrics, { name_label: 'web-1' })
    const inventory = chat.xen.inventory
    await waitFor(
      () =>
        inventory.vms().filter((vm) => vm.name.startsWith('node-')).length === 30 &&
        inventory.vms().filter((vm) => vm.name === 'web-1').length === 2,
      5000,
      'the new VMs in the inventory',
    )
    // Every XAPI call but the event long-poll the inventory itself keeps open.
    const xapiCalls = () =>
      chat.sim.pools.flatMap((p) => [...p.pool.callCounts].filter(([method]) => method !== 'event.from'))
    const xapiCallsBefore = xapiCalls()

    const choicesOf = async (interaction: InteractionState): Promise<Choice[]> => {
      const answer = await discord.callback(interaction)
      expect(answer.body).toMatchObject({ type: 8 })
      return (answer.body as { data: { choices: Choice[] } }).data.choices
    }
    const vmQuery = (user: keyof typeof users, typed: string) =>
      choicesOf(autocomplete(fake, users[user], 'docker', [sub('ps', [opt('vm', typed, true)])]))

    const nodes = await vmQuery('alice', 'node')
    expect(nodes).toHaveLength(25)
    expect(nodes.map((c) => c.value)).toEqual(
      Array.from({ length: 25 }, (_, i) => `node-${String(i + 1).padStart(2, '0')}`),
    )

    const everything = await vmQuery('alice', '')
    expect(everything).toHaveLength(25)

    // Two VMs named web-1: each shown with its pool, and the value picks it.
    const web = await vmQuery('alice', 'web-1')
    expect(web.slice(0, 2)).toEqual([
      { name: 'web-1 (lab-legacy)', value: 'lab-legacy/web-1' },
      { name: 'web-1 (lab-modern)', value: 'lab-modern/web-1' },
    ])

    // carol reads lab-modern only: its web-1, without a pool label (that would tell another exists).
    expect(await vmQuery('carol', 'web')).toEqual([{ name: 'web-1', value: 'web-1' }])
    const carolSees = await vmQuery('carol', '')
    const legacy = new Set(inventory.vms({ pool: 'lab-legacy' }).map((vm) => vm.name))
    expect(carolSees.length).toBeGreaterThan(0)
    for (const choice of carolSees) {
      const vm = inventory.vms({ pool: 'lab-modern' }).find((v) => v.name === choice.value)
      expect(vm, `${choice.value} is a lab-modern VM`).toBeDefined()
    }
    expect(carolSees.some((c) => legacy.has(c.value) && c.value !== 'web-1')).toBe(false)

    // eve may read nothing: no choices at all.
    expect(await vmQuery('eve', '')).toEqual([])

    // Containers of the VM already chosen, pools by name.
    const containers = await choicesOf(
      autocomplete(fake, users.alice, 'docker', [
        sub('restart', [opt('vm', 'lab-legacy/web-1'), opt('container', 'ngi', true)]),
      ]),
    )
    expect(containers).toEqual([{ name: 'nginx-front', value: 'nginx-front' }])
    const pools = await choicesOf(autocomplete(fake, users.carol, 'docker', [sub('vms', [opt('pool', '', true)])]))
    expect(pools).toEqual([{ name: 'lab-modern', value: 'lab-modern' }])

    // Answered from the inventory: not one XAPI call meanwhile.
    expect(xapiCalls()).toEqual(xapiCallsBefore)
  })
})
