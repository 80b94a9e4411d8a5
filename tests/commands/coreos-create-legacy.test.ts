/**
 * `/coreos create` on lab-legacy (XenServer 7.6 with xscontainer), scripted through the terminal chat:
 * alice opens the form, submits her key, bob approves, the job copies the CoreOS template, provisions,
 * inserts the CoreOS ISO, creates the VIF, has the plugin write the config drive, registers the VM,
 * starts it and waits for its IP and for Docker; the card ends with the IP and the SSH line, and the new
 * VM answers /docker ps. The drive is read back with `get_config_drive_configuration`.
 */
import { describe, expect, it } from 'vitest'
import { callXapi } from '../../src/xen/call-xapi.js'
import { records, startCoreosChat, vmNamed } from '../helpers/coreos-chat.js'
import { buttonToken, formToken, scriptedShell } from '../helpers/shell-script.js'
import { refOf } from '../helpers/xen.js'

describe('/coreos create on a legacy pool', () => {
  it('builds a CoreOS VM with the plugin config drive, ends with its IP, and the VM answers /docker ps', async () => {
    const chat = await startCoreosChat()
    const pool = chat.simPool('lab-legacy')
    const shell = scriptedShell(chat.bot.dispatcher, 'alice')

    const form = await shell.type('/coreos create --pool lab-legacy')
    expect(form).toContain('Create a Docker VM')
    // Pickers offer this pool's CoreOS template, ISO, SRs and networks; the cloud-config is the plugin's.
    expect(form).toMatch(/template .*one of: [0-9a-f-]{36}/)
    expect(form).toContain('#cloud-config … (')
    const token = formToken(form)

    const card = await shell.type(`/submit ${token} name=web-3 sshKey="${chat.key.public}"`)
    expect(card).toMatch(/create VM web-3 in lab-legacy from CoreOS with key ssh-ed25519 SHA256:/)
    const approve = buttonToken(card, 'Approve')
    // Nothing is built before the approval.
    expect(vmNamed(pool, 'web-3')).toBeUndefined()

    await shell.type('/as bob')
    const done = await shell.type(`/press ${approve}`)
    expect(done).toContain('✓ web-3 is up and Docker answers (xscontainer).')
    const ip = /^IP:\s+(\S+)/m.exec(done)?.[1] ?? ''
    expect(ip).toMatch(/^10\.10\.0\.\d+$/)
    expect(done).toMatch(new RegExp(`SSH:\\s+ssh core@${ip.replace(/\./g, '\\.')}`))
    expect(done).toMatch(/Backend:\s+xscontainer \(registered with xscontainer/)
    // The job card walked every step, the copy with its task's progress.
    expect(done).toMatch(/✓ copy the template — 100%/)
    for (const step of [
      'provision the disks',
      'insert the install ISO',
      'create the network interface',
      'build the config drive',
      'register for container management',
      'start the VM',
      `wait for the guest's IP — ${ip}`,
      'wait for Docker to answer',
    ]) {
      expect(done).toContain(`✓ ${step}`)
    }

    await shell.type('/as alice')
    const ps = await shell.type(`/press ${buttonToken(done, 'docker ps')}`)
    expect(ps).toMatch(/VM:\s+web-3/)
    expect(ps).toContain('web-3 has no containers.')
    expect(await shell.type('/docker ps web-3')).toContain('web-3 has no containers.')

    // What the pool holds: a running, registered VM with the ISO, a VIF and the plugin's drive.
    const vm = vmNamed(pool, 'web-3') as string
    const record = pool.store.get('VM', vm)
    expect(record.power_state).toBe('Running')
    expect((record.other_config as Record<string, string>)['xscontainer-monitor']).toBe('True')
    expect((record.other_config as Record<string, string>).docker_ps).toBeDefined()
    const vbds = (record.VBDs as string[]).map((v) => pool.store.get('VBD', v))
    const cd = vbds.find((v) => v.type === 'CD')
    expect(pool.store.get('VDI', cd?.VDI as string).name_label).toBe('coreos_production_iso_image.iso')
    expect((record.HVM_boot_params as Record<string, string>).order?.startsWith('d')).toBe(true)
    const vifs = (record.VIFs as string[]).map((v) => pool.store.get('VIF', v).network)
    expect(vifs).toEqual([refOf(pool, 'network', 'Pool-wide network associated with eth0')])
    const drive = vbds.find((v) => (v.other_config as Record<string, string>)['config-drive'] === 'True')
    expect(drive?.mode).toBe('RO')

    // The drive read back through the plugin: the raw configuration with alice's key and the pool key entry.
    const xapi = chat.xen.connections.find((c) => c.name === 'lab-legacy')?.client
    if (!xapi || !drive) throw new Error('no client or no drive')
    const vdiUuid = String(pool.store.get('VDI', drive.VDI as string).uuid)
    const stored = await callXapi<string>(
      xapi,
      'host.call_plugin',
      String(xapi.pool.master),
      'xscontainer',
      'get_config_drive_configuration',
      {
        vdiuuid: vdiUuid,
      },
    )
    expect(stored.startsWith('True#cloud-config')).toBe(true)
    expect(stored).toContain(`- ${JSON.stringify(chat.key.public)}`)
    expect(stored).toContain('- ssh-rsa %CONTAINERRSAPUB%')
    expect(records(pool).VM).toContain(vm)
  })
})
