/**
 * Turning a VM into a Docker-managed one and back (`/docker enable`, `/docker disable`), and the bot's
 * SSH trust (`/xen key`, `/xen trust`), as the steps the commands show on their job cards. Implemented
 * in src/xen/ssh (XAPI, the guest over SSH); the commands decide the order and what to say.
 * Every step throws a UserError in words — for an unreachable Docker, xscontainer's own diagnosis
 * sentences (xscontainer.md §3.4).
 */
import type { PinnedHostKey } from './host-keys.js'
import type { VmSummary } from './ports.js'

export interface BotKeyInfo {
  /** `ssh-ed25519 AAAA… comment`, the line for authorized_keys. */
  readonly publicLine: string
  readonly fingerprint: string
  /** Where the key came from (a file in the data directory, or the configuration). */
  readonly source: string
}

/** How the bot logs in to install its key: a one-time password, or the key already installed. */
export type SetupLogin = { readonly user: string; readonly password?: string | undefined }

export interface DockerSetup {
  key(): BotKeyInfo
  pinned(vm: VmSummary): Promise<PinnedHostKey | undefined>
  /** The host key the VM presents now (connects only as far as the key exchange). */
  presentedHostKey(vm: VmSummary): Promise<{ readonly algorithm: string; readonly fingerprint: string }>
  /** Pins the key the VM presents, if it is the one with `fingerprint` (checked by an admin). */
  trust(vm: VmSummary, fingerprint: string, by: string): Promise<PinnedHostKey>

  /**
   * Whether xscontainer should serve the VM: its host's product still has the pack (≤ 8.2). Read from
   * cached records (no call), so plans stay deterministic; `hasXscontainer` confirms at run time.
   */
  legacyCandidate(vm: VmSummary): boolean
  /** Asks the VM's host whether the xscontainer plugin is installed. */
  hasXscontainer(vm: VmSummary): Promise<boolean>
  /** The VM's IP answers with an SSH banner on the SSH port; returns the address used. */
  reach(vm: VmSummary): Promise<string>
  /**
   * Logs in (password, or the bot's key) and puts the bot's key — and on legacy pools the pool's
   * xscontainer key — into the user's authorized_keys, once each. Returns the keys' comments.
   */
  installKeys(vm: VmSummary, login: SetupLogin, legacy: boolean): Promise<readonly string[]>
  /** Logs in with the bot's key and checks Docker access as xscontainer's diagnosis does; throws its sentences. */
  checkDocker(vm: VmSummary, user: string, legacy: boolean): Promise<void>
  /** Records the SSH user and mode on the VM (`xscontainer-username`, `xscontainer-mode`), and marks it for SSH. */
  recordUser(vm: VmSummary, user: string, legacy: boolean): Promise<void>
  /** xscontainer's `register` on the VM's host. */
  register(vm: VmSummary): Promise<void>
  /** Waits until Docker answers through the VM's backend; returns how many containers it lists. */
  waitForDocker(vm: VmSummary, legacy: boolean, timeoutMs: number): Promise<number>

  /** xscontainer's `deregister` (legacy), or the SSH mark removed (modern). */
  unmark(vm: VmSummary, legacy: boolean): Promise<void>
  /** Logs in with the bot's key and removes it from the user's authorized_keys. */
  removeBotKey(vm: VmSummary, user: string): Promise<void>
}
