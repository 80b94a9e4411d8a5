/**
 * SSH host keys the bot trusts, per VM (issue #10): pinned the first time the bot reaches a VM, then
 * required to match; a changed key is refused until an admin re-trusts it (`/xen trust`). A port of
 * the core, implemented by src/store (SQLite), read and written by the SSH backend in src/xen.
 */

export interface PinnedHostKey {
  readonly vmUuid: string
  readonly pool: string
  /** The VM's name when pinned, for listings; the uuid is what counts. */
  readonly vmName: string
  /** `ssh-ed25519`, `ecdsa-sha2-nistp256`, `ssh-rsa`… */
  readonly algorithm: string
  /** The public key blob, base64 (what `known_hosts` holds after the algorithm). */
  readonly key: string
  /** `SHA256:…` as `ssh-keygen -lf` prints it. */
  readonly fingerprint: string
  readonly pinnedAt: number
  /** `first use`, or who re-trusted it (`shell:alice`). */
  readonly pinnedBy: string
}

export interface HostKeyStore {
  get(vmUuid: string): Promise<PinnedHostKey | undefined>
  /** Pins a key when the VM has none yet; false (and nothing changes) when it already has one. */
  pinFirst(record: PinnedHostKey): Promise<boolean>
  /** Replaces the VM's pinned key (an admin re-trusted it after checking). */
  replace(record: PinnedHostKey): Promise<void>
}
