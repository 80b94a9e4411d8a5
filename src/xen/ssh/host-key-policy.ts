/**
 * Trust on first use for guests' SSH host keys, pinned per VM in the store (xscontainer pins the same
 * way in `xscontainer-sshhostkey`, xscontainer.md §2.1): the first key a VM presents is recorded, every
 * later connection must present the same one, and a different key is refused — with both
 * fingerprints, so an admin can check the new one on the VM's console and re-trust it (`/xen trust`).
 */
import { createHash } from 'node:crypto'
import type { HostKeyStore, PinnedHostKey } from '../../core/host-keys.js'
import type { VmSummary } from '../../core/ports.js'

/** `SHA256:…` without padding, as `ssh-keygen -lf` prints it, from a public key blob. */
export const fingerprintOf = (blob: Buffer): string =>
  `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`

/** The algorithm name a public key blob starts with (`ssh-ed25519`, …). */
export function algorithmOf(blob: Buffer): string {
  if (blob.length < 4) return 'unknown'
  const length = blob.readUInt32BE(0)
  return length > 0 && 4 + length <= blob.length ? blob.subarray(4, 4 + length).toString('latin1') : 'unknown'
}

export interface PresentedKey {
  readonly algorithm: string
  readonly key: string
  readonly fingerprint: string
}

export const presentedKey = (blob: Buffer): PresentedKey => ({
  algorithm: algorithmOf(blob),
  key: blob.toString('base64'),
  fingerprint: fingerprintOf(blob),
})

/** The VM presented a key other than the one pinned for it: the connection was refused before login. */
export class HostKeyChangedError extends Error {
  readonly presented: PresentedKey
  readonly pinned: PinnedHostKey

  constructor(presented: PresentedKey, pinned: PinnedHostKey) {
    super(`host key ${presented.fingerprint} does not match the pinned ${pinned.fingerprint}`)
    this.name = 'HostKeyChangedError'
    this.presented = presented
    this.pinned = pinned
  }
}

export type HostVerifier = (key: Buffer, verify: (valid: boolean) => void) => void

/**
 * An ssh2 `hostVerifier` for one VM, and the mismatch it saw (if any) for the connect error to report.
 * `now` stamps first pins.
 */
export function pinningVerifier(
  store: HostKeyStore,
  vm: Pick<VmSummary, 'uuid' | 'name' | 'pool'>,
  now: () => number = Date.now,
): { readonly verify: HostVerifier; mismatch(): HostKeyChangedError | undefined } {
  let mismatch: HostKeyChangedError | undefined
  return {
    verify: (blob, verify) => {
      const presented = presentedKey(blob)
      const record: PinnedHostKey = {
        vmUuid: vm.uuid,
        pool: vm.pool,
        vmName: vm.name,
        ...presented,
        pinnedAt: now(),
        pinnedBy: 'first use',
      }
      // pinFirst is atomic (in every replica's shared store too): of two first connections, one pins and
      // the other checks against it. ssh2 waits for the callback, so the store may answer later; a store
      // that cannot answer refuses the key rather than trusting it unchecked.
      const check = async () => {
        const pinned = (await store.pinFirst(record)) ? record : await store.get(vm.uuid)
        if (pinned && pinned.key === presented.key) return true
        mismatch = pinned ? new HostKeyChangedError(presented, pinned) : undefined
        return false
      }
      check().then(verify, () => verify(false))
    },
    mismatch: () => mismatch,
  }
}
