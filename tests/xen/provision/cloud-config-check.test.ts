/**
 * The cloud-config checks: header, size, YAML (with the line of the mistake), alias bombs, the mapping
 * shape, the xscontainer entry kept on legacy pools, and the user's key placed in ssh_authorized_keys
 * by editing the text — comments and the plugin's placeholders survive, and the result parses.
 */
import { load } from 'js-yaml'
import { describe, expect, it } from 'vitest'
import { UserError } from '../../../src/core/errors.js'
import { CLOUD_CONFIG_TEMPLATE } from '../../../src/sim/xscontainer/cloud-config-template.js'
import { checkCloudConfig, MAX_CLOUD_CONFIG_BYTES } from '../../../src/xen/provision/cloud-config-check.js'
import { DOCKER_CLOUD_CONFIG } from '../../../src/xen/provision/docker-cloud-config.js'

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHk2 alice@laptop'

const refusal = (text: string, route: 'xscontainer' | 'cidata' = 'cidata'): string => {
  try {
    checkCloudConfig(text, route, KEY)
  } catch (error) {
    if (error instanceof UserError) {
      expect(error.details).toEqual({ field: 'cloudConfig' })
      return error.message
    }
    throw error
  }
  throw new Error('expected the cloud-config to be refused')
}

describe('checkCloudConfig', () => {
  it("puts the key into the plugin's template under ssh_authorized_keys and keeps every placeholder", () => {
    const { userData, sshUser } = checkCloudConfig(CLOUD_CONFIG_TEMPLATE, 'xscontainer', KEY)
    expect(sshUser).toBe('core')
    const lines = userData.split('\n')
    const at = lines.indexOf('ssh_authorized_keys:')
    expect(lines[at + 1]).toBe(`  - ${JSON.stringify(KEY)}`)
    expect(userData).toContain('  - ssh-rsa %CONTAINERRSAPUB%')
    expect(userData).toContain('hostname: %VMNAMETOHOSTNAME%')
    expect(userData).toContain('# The following entry will automatically be replaced')
    // Only the one line was added.
    expect(lines.length).toBe(CLOUD_CONFIG_TEMPLATE.split('\n').length + 1)
  })

  it("puts the key into the project's template and reads its default user", () => {
    const { userData, sshUser } = checkCloudConfig(DOCKER_CLOUD_CONFIG, 'cidata', KEY)
    expect(sshUser).toBe('core')
    const doc = load(userData) as { ssh_authorized_keys: string[]; packages: string[] }
    expect(doc.ssh_authorized_keys).toEqual([KEY])
    expect(doc.packages).toContain('docker.io')
    expect(userData).toContain('# Your public key is added here')
  })

  it('adds ssh_authorized_keys when there is none, and adds nothing when the key is already there', () => {
    const added = checkCloudConfig('#cloud-config\nhostname: web-3', 'cidata', KEY).userData
    expect((load(added) as { ssh_authorized_keys: string[] }).ssh_authorized_keys).toEqual([KEY])
    const present = `#cloud-config\nssh_authorized_keys:\n  - ${KEY}\n`
    expect(checkCloudConfig(present, 'cidata', KEY).userData).toBe(present)
  })

  it('refuses what is not a cloud-config, in plain words', () => {
    expect(refusal('hostname: web-3\n')).toMatch(/must start with the line #cloud-config/)
    expect(refusal('#cloud-config\nusers: [\n  - name: x\n')).toMatch(/not valid YAML at line \d+, column \d+/)
    expect(refusal('#cloud-config\n- a\n- b\n')).toMatch(/must be a YAML mapping/)
    expect(refusal('#cloud-config\nssh_authorized_keys: nope\n')).toMatch(/must be a list of public key lines/)
    expect(refusal('#cloud-config\nssh_authorized_keys: [a, b]\n')).toMatch(/block list/)
    expect(refusal(`#cloud-config\n# ${'x'.repeat(MAX_CLOUD_CONFIG_BYTES)}\n`)).toMatch(/KiB; the limit is 64 KiB/)
  })

  it('refuses an alias bomb without expanding it', () => {
    const rows = ['#cloud-config', 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]']
    for (let i = 1; i < 9; i++) {
      const prev = `*a${i - 1}`
      rows.push(`a${i}: &a${i} [${Array(10).fill(prev).join(', ')}]`)
    }
    expect(refusal(`${rows.join('\n')}\n`)).toMatch(/alias|anchors/)
  })

  it('refuses a legacy cloud-config without the xscontainer entry (the VM could not be monitored)', () => {
    const withoutEntry = CLOUD_CONFIG_TEMPLATE.replace('  - ssh-rsa %CONTAINERRSAPUB%\n', '')
    expect(refusal(withoutEntry, 'xscontainer')).toMatch(/keep the line "- ssh-rsa %XSCONTAINERRSAPUB%"/)
  })
})
