/**
 * `/coreos create` on lab-modern (XCP-ng 8.3, no xscontainer), scripted through the terminal chat: the
 * job copies a docker-ready cloud-init template, writes the NoCloud drive itself, uploads it with
 * import_raw_vdi and attaches it read-only, tags the VM for the SSH backend, starts it, waits for its IP
 * and for Docker to answer over SSH (the bot's own key went on the drive beside alice's); the card ends
 * with the IP and the SSH line, and the new VM answers /docker ps. The uploaded image is read back with
 * the other FAT library: `user-data` holds alice's key and the label is `cidata` in both places.
 */
import { describe, expect, it } from 'vitest'
import { guestBootOf } from '../../src/sim/guest-boot/guest-boot.js'
import { DRIVE_BYTES } from '../../src/xen/provision/cidata-drive.js'
import { records, startCoreosChat, vmNamed } from '../helpers/coreos-chat.js'
import { readImage, readLabels } from '../helpers/fat-reader.js'
import { buttonToken, formToken, scriptedShell } from '../helpers/shell-script.js'

describe('/coreos create on a modern pool', () => {
  it('builds a cloud-init VM from its own cidata drive, ends with its IP, and the VM answers /docker ps over SSH', async () => {
    const chat = await startCoreosChat()
    const pool = chat.simPool('lab-modern')
    const before = records(pool)
    const shell = scriptedShell(chat.bot.dispatcher, 'alice')

    const form = await shell.type('/coreos create --pool lab-modern')
    // The project's own cloud-config is the default on a pool without xscontainer.
    expect(form).toMatch(/Prefilled for Flatcar Container Linux\. Your key is added/)
    const card = await shell.type(
      `/submit ${formToken(form)} name=web-4 template="Ubuntu 24.04 cloud-init" sshKey="${chat.key.public}"`,
    )
    expect(card).toContain('create VM web-4 in lab-modern from Ubuntu 24.04 cloud-init')
    await shell.type('/as bob')
    const done = await shell.type(`/press ${buttonToken(card, 'Approve')}`)
    expect(done).toMatch(/✓ build the config drive — label cidata, read-only/)
    expect(done).toMatch(/✓ register for container management — tagged docker; SSH as core/)
    const ip = /✓ wait for the guest's IP — (10\.20\.0\.\d+)/.exec(done)?.[1] ?? ''
    expect(ip).not.toBe('')
    expect(done).toContain('✓ wait for Docker to answer — answers through ssh')
    expect(done).toContain('✓ web-4 is up and Docker answers (ssh).')
    expect(done).toMatch(new RegExp(`SSH:\\s+ssh core@${ip.replace(/\./g, '\\.')}`))
    expect(done).toMatch(/Backend:\s+ssh \(/)

    await shell.type('/as alice')
    const ps = await shell.type(`/press ${buttonToken(done, 'docker ps')}`)
    expect(ps).toMatch(/VM:\s+web-4/)
    expect(ps).toContain('web-4 has no containers.')
    expect(await shell.type('/docker ps web-4')).toContain('web-4 has no containers.')

    // What the pool holds: the VM, tagged for the SSH backend, with the bot's drive attached read-only.
    const vm = vmNamed(pool, 'web-4') as string
    const record = pool.store.get('VM', vm)
    expect(record.tags).toEqual(['docker'])
    expect((record.other_config as Record<string, string>)['xscontainer-username']).toBe('core')
    const vbds = (record.VBDs as string[]).map((v) => pool.store.get('VBD', v))
    const drive = vbds.find((v) => (v.other_config as Record<string, string>)['xen-chatops-drive'] === 'cidata')
    expect(drive).toMatchObject({ mode: 'RO', type: 'Disk', bootable: false })
    const vdi = pool.store.get('VDI', drive?.VDI as string)
    expect(Number(vdi.virtual_size)).toBe(DRIVE_BYTES)

    // The image as uploaded, read with fatfs (the bot wrote it with js-fatfs), and its labels by bytes.
    const image = pool.vdiData.get(drive?.VDI as string) as Buffer
    expect(readLabels(image)).toMatchObject({ rawBoot: 'cidata     ', rawRoot: 'cidata     ' })
    const { files } = await readImage(image, ['user-data', 'meta-data', 'network-config'])
    expect(files['user-data']?.toString()).toContain(`- ${JSON.stringify(chat.key.public)}`)
    // The bot's own key too: it is how the SSH backend logs in.
    const botKey = chat.identity.publicLine
    expect(files['user-data']?.toString()).toContain(JSON.stringify(botKey))
    expect(files['user-data']?.toString().startsWith('#cloud-config\n')).toBe(true)
    expect(files['meta-data']?.toString()).toBe(`instance-id: ${String(record.uuid)}\nlocal-hostname: web-4\n`)
    expect(files['network-config']?.toString()).toContain('version: 2')

    // The simulated guest booted from that drive: cloud-init gave core alice's key and installed Docker.
    const boot = guestBootOf(pool, vm)
    expect(boot).toMatchObject({ how: 'cloud-init', hostname: 'web-4', dockerInstalled: true, agent: true })
    expect(boot?.users.core?.keys).toEqual([botKey, chat.key.public])
    expect(boot?.users.core?.docker).toBe(true)
    expect(pool.guests.get(vm)?.ips).toEqual([ip])
    expect(records(pool).VM).toEqual([...before.VM, vm].sort())
  })
})
