/**
 * Truthful failures: a fault injected at the config-drive step (legacy: the plugin's task fails; modern:
 * attaching the uploaded drive fails, so the drive is left unattached) and at the VM's start produces a
 * card naming the step, a reply saying why and what was left behind, and a Clean up button; pressing it
 * asks for an approval, and once approved it removes every VM, disk, VBD and VIF the job created —
 * checked against the simulator's own records.
 */
import { describe, expect, it } from 'vitest'
import type { SimPool } from '../../src/sim/sim-pool.js'
import { type CoreosChat, records, startCoreosChat, vmNamed } from '../helpers/coreos-chat.js'
import { buttonToken, formToken, type ScriptedShell, scriptedShell } from '../helpers/shell-script.js'

/** alice asks for a VM through the form, bob approves; resolves with what the approval press printed. */
async function createAndApprove(shell: ScriptedShell, chat: CoreosChat, pool: string, extra = ''): Promise<string> {
  await shell.type('/as alice')
  const form = await shell.type(`/coreos create --pool ${pool}`)
  const card = await shell.type(`/submit ${formToken(form)} name=web-3 sshKey="${chat.key.public}"${extra}`)
  await shell.type('/as bob')
  return shell.type(`/press ${buttonToken(card, 'Approve')}`)
}

/** alice presses Clean up, bob approves the clean-up; resolves with what the approval press printed. */
async function cleanUp(shell: ScriptedShell, failed: string): Promise<string> {
  await shell.type('/as alice')
  const request = await shell.type(`/press ${buttonToken(failed, 'Clean up')}`)
  expect(request).toMatch(/alice asks to remove VM web-3 \([0-9a-f-]{36}\)/)
  await shell.type('/as bob')
  return shell.type(`/press ${buttonToken(request, 'Approve')}`)
}

const diskCount = (pool: SimPool) => pool.store.refs('VDI').length

describe('a failed /coreos create', () => {
  it('legacy: a plugin failure at the config drive names the step, and the clean-up removes the VM and its disk', async () => {
    const chat = await startCoreosChat()
    const pool = chat.simPool('lab-legacy')
    const before = records(pool)
    pool.faults.failNextTask('host.call_plugin', [
      'XENAPI_PLUGIN_FAILURE',
      'create_config_drive',
      'CalledProcessError',
      "Command 'mkisofs' returned non-zero exit status 1",
    ])
    const shell = scriptedShell(chat.bot.dispatcher, 'alice')
    const failed = await createAndApprove(shell, chat, 'lab-legacy')
    // The card: done steps, the failed one with its cause, the rest skipped.
    expect(failed).toMatch(/✗ create VM web-3 .*\(failed\)/)
    expect(failed).toContain('✓ create the network interface')
    expect(failed).toMatch(
      /✗ build the config drive — the pool refused it: XENAPI_PLUGIN_FAILURE\(create_config_drive, CalledProcessError, Command 'mkisofs' returned non-zero exit status 1\)/,
    )
    expect(failed).toContain('- start the VM')
    // The reply: step, cause, what is left (the VM and its provisioned 8 GiB disk), the way out.
    expect(failed).toMatch(
      /✗ build the config drive failed: .*Left behind in lab-legacy: VM web-3 \([0-9a-f-]{36}\) with disks web-3 0 \(8 GiB\)\. Press "Clean up"/,
    )
    expect(records(pool).VM.length).toBe(before.VM.length + 1)

    const removed = await cleanUp(shell, failed)
    expect(removed).toMatch(/✓ Removed VM web-3 \([0-9a-f-]{36}\) with disks web-3 0 \(8 GiB\) from lab-legacy\./)
    expect(removed).toContain('✓ remove the VM')
    expect(records(pool)).toEqual(before)
    expect(vmNamed(pool, 'web-3')).toBeUndefined()
  })

  it('modern: the drive uploaded but not attached is left behind too, and the clean-up removes it with the VM', async () => {
    const chat = await startCoreosChat()
    const pool = chat.simPool('lab-modern')
    const before = records(pool)
    pool.faults.failNextTask('VBD.create', ['SR_BACKEND_FAILURE_46', '', 'The VDI is not available', ''])
    const shell = scriptedShell(chat.bot.dispatcher, 'alice')
    const failed = await createAndApprove(shell, chat, 'lab-modern')
    expect(failed).toMatch(/✗ build the config drive — the pool refused it: SR_BACKEND_FAILURE_46/)
    expect(failed).toMatch(
      /Left behind in lab-modern: VM web-3 \([0-9a-f-]{36}\) with disks .*web-3 cloud-init drive \(4 MiB\)/,
    )
    expect(diskCount(pool)).toBe(before.VDI.length + 2)

    const removed = await cleanUp(shell, failed)
    expect(removed).toContain('✓ remove the disks — 2 of 2')
    expect(records(pool)).toEqual(before)
    expect(pool.vdiData.size).toBe(0)
  })

  it('a VM that fails to start names the start step; the clean-up removes the VM, its disk and the drive', async () => {
    const chat = await startCoreosChat()
    const pool = chat.simPool('lab-legacy')
    const before = records(pool)
    pool.faults.failNextTask('VM.start_on', ['HOST_NOT_ENOUGH_FREE_MEMORY', '2147483648', '1073741824'])
    const shell = scriptedShell(chat.bot.dispatcher, 'alice')
    const failed = await createAndApprove(shell, chat, 'lab-legacy')
    expect(failed).toContain('✓ register for container management')
    expect(failed).toMatch(/✗ start the VM — the pool refused it: HOST_NOT_ENOUGH_FREE_MEMORY/)
    expect(failed).toContain("- wait for the guest's IP")
    expect(failed).toMatch(
      /with disks (web-3 0 \(8 GiB\), Automatic Config Drive \(2 MiB\)|Automatic Config Drive \(2 MiB\), web-3 0 \(8 GiB\))/,
    )

    const removed = await cleanUp(shell, failed)
    expect(removed).toMatch(/✓ Removed VM web-3/)
    expect(records(pool)).toEqual(before)
  })

  it('the clean-up refuses a VM no build made', async () => {
    const chat = await startCoreosChat()
    const pool = chat.simPool('lab-legacy')
    const uuid = String(pool.store.get('VM', vmNamed(pool, 'web-1') as string).uuid)
    const shell = scriptedShell(chat.bot.dispatcher, 'alice')
    const refused = await shell.type(`/coreos cleanup lab-legacy ${uuid}`)
    expect(refused).toContain('✗ web-1 was not built by /coreos create; the clean-up removes only what a build made')
    expect(vmNamed(pool, 'web-1')).toBeDefined()
  })
})

describe('a /coreos create that times out', () => {
  it('waits for the IP only as long as configured, and says what to check (here: the agent unit was removed)', async () => {
    const chat = await startCoreosChat({ provisioning: { ipTimeoutSeconds: 1 } })
    const pool = chat.simPool('lab-legacy')
    const shell = scriptedShell(chat.bot.dispatcher, 'alice')
    const form = await shell.type('/coreos create --pool lab-legacy')
    // The cloud-config without the unit that runs the guest agent from the drive: CoreOS boots, no IP.
    const token = formToken(form)
    const config = [
      '#cloud-config',
      'hostname: %XSVMNAMETOHOSTNAME%',
      'ssh_authorized_keys:',
      '  - ssh-rsa %XSCONTAINERRSAPUB%',
    ].join('\n')
    const card = await shell.type(`/submit ${token} name=web-3 sshKey="${chat.key.public}" cloudConfig="${config}"`)
    expect(card).not.toContain('✗')
    await shell.type('/as bob')
    const failed = await shell.type(`/press ${buttonToken(card, 'Approve')}`)
    expect(failed).toContain('✓ start the VM')
    expect(failed).toMatch(
      /✗ wait for the guest's IP — web-3 reported no IP address within 1 s: check that it booted the ISO coreos_production_iso_image\.iso and that the guest agent runs \(on CoreOS it comes from the config drive\)/,
    )
    expect(failed).toMatch(/Left behind in lab-legacy: VM web-3/)
    expect(pool.store.get('VM', vmNamed(pool, 'web-3') as string).power_state).toBe('Running')
  })
})
