/**
 * The NoCloud drive the bot writes with js-fatfs, read back with fatfs (the other implementation) and
 * by bytes: every file intact, the label `cidata` identical in the boot sector and the root directory,
 * both FAT copies equal, a whole-disk volume (no MBR) of a 2 MiB multiple.
 */
import { describe, expect, it } from 'vitest'
import {
  buildConfigDrive,
  DRIVE_BYTES,
  hostnameOf,
  noCloudFiles,
  writeVolumeLabel,
} from '../../../src/xen/provision/cidata-drive.js'
import { fatCopies, readImage, readLabels } from '../../helpers/fat-reader.js'

const USER_DATA = '#cloud-config\nssh_authorized_keys:\n  - "ssh-ed25519 AAAAC3Nza alice@laptop"\n'

describe('the cidata drive', () => {
  it('holds user-data, meta-data, network-config and the OpenStack copy, readable by the other FAT library', async () => {
    const files = noCloudFiles({
      vmUuid: '3f0c2b1e-0000-4000-8000-000000000001',
      hostname: 'web-3',
      userData: USER_DATA,
    })
    const image = await buildConfigDrive({ label: 'cidata', files })
    expect(image.length).toBe(DRIVE_BYTES)
    expect(image.length % (2 * 1024 * 1024)).toBe(0)
    const { root, files: read } = await readImage(image, Object.keys(files))
    expect(root.sort()).toEqual(['meta-data', 'network-config', 'openstack', 'user-data'])
    expect(read['network-config']?.toString()).toContain('dhcp4: true')
    expect(read['user-data']?.toString()).toBe(USER_DATA)
    expect(read['openstack/latest/user_data']?.toString()).toBe(USER_DATA)
    expect(read['meta-data']?.toString()).toBe(
      'instance-id: 3f0c2b1e-0000-4000-8000-000000000001\nlocal-hostname: web-3\n',
    )
    expect(JSON.parse(read['openstack/latest/meta_data.json']?.toString() ?? '')).toEqual({
      uuid: '3f0c2b1e-0000-4000-8000-000000000001',
      hostname: 'web-3',
    })
  })

  it('carries the label cidata in both places, byte for byte, lower case', async () => {
    const image = await buildConfigDrive({ label: 'cidata', files: { 'user-data': USER_DATA, 'meta-data': 'x: 1\n' } })
    const labels = readLabels(image)
    expect(labels.rawBoot).toBe('cidata     ')
    expect(labels.rawRoot).toBe('cidata     ')
  })

  it('is a whole-disk FAT volume with identical FAT copies', async () => {
    const image = await buildConfigDrive({ label: 'cidata', files: { 'user-data': USER_DATA } })
    expect([image[510], image[511]]).toEqual([0x55, 0xaa])
    expect(image.readUInt16LE(22)).toBeGreaterThan(0) // FATSz16: FAT12/16, not an MBR's partition table
    expect(image.readUInt16LE(11)).toBe(512)
    const [first, second] = fatCopies(image)
    expect(first.equals(second)).toBe(true)
  })

  it('refuses contents that do not fit instead of writing a short file', async () => {
    const big = 'x'.repeat(DRIVE_BYTES)
    await expect(buildConfigDrive({ label: 'cidata', files: { 'user-data': big } })).rejects.toThrow(/do not fit/)
  })

  it('writes a label into a volume that already has one by replacing it, and refuses a label FAT cannot hold', async () => {
    const image = await buildConfigDrive({ label: 'config-2', files: { 'user-data': USER_DATA } })
    expect(readLabels(image).root).toBe('config-2')
    writeVolumeLabel(image, 'cidata')
    expect(readLabels(image)).toMatchObject({ boot: 'cidata', root: 'cidata' })
    expect(() => writeVolumeLabel(image, 'CIDATA.TOO.LONG')).toThrow(/unsupported volume label/)
  })

  it('makes a hostname of any VM name', () => {
    expect(hostnameOf('Web_3.prod')).toBe('web-3-prod')
    expect(hostnameOf('---')).toBe('vm')
  })
})
