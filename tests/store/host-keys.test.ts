/** The pinned SSH host keys table (migration 4): first use pins, only an explicit replace changes it. */
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { PinnedHostKey } from '../../src/core/host-keys.js'
import { openStore } from '../../src/store/open-store.js'
import { openTestStore, tempDir } from './store-helpers.js'

describe('pinned SSH host keys', () => {
  const pin = (over: Partial<PinnedHostKey> = {}): PinnedHostKey => ({
    vmUuid: 'vm-1',
    pool: 'lab-modern',
    vmName: 'ci-runner',
    algorithm: 'ssh-ed25519',
    key: 'AAAAC3NzaC1lZDI1NTE5AAAAIFirst',
    fingerprint: 'SHA256:first',
    pinnedAt: 1,
    pinnedBy: 'first use',
    ...over,
  })

  it('pins the first key only; a replacement is explicit, and survives reopening', async () => {
    const dataDir = join(tempDir(), 'data')
    const store = openStore({ dataDir })
    expect(await store.hostKeys.get('vm-1')).toBeUndefined()
    expect(await store.hostKeys.pinFirst(pin())).toBe(true)
    expect(await store.hostKeys.pinFirst(pin({ key: 'other', fingerprint: 'SHA256:other' }))).toBe(false)
    expect((await store.hostKeys.get('vm-1'))?.fingerprint).toBe('SHA256:first')
    await store.hostKeys.replace(pin({ key: 'new', fingerprint: 'SHA256:new', pinnedBy: 'shell:alice' }))
    await store.close()
    expect(await openTestStore({ dataDir }).hostKeys.get('vm-1')).toEqual(
      pin({ key: 'new', fingerprint: 'SHA256:new', pinnedBy: 'shell:alice' }),
    )
  })
})
