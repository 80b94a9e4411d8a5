/**
 * The DockerSetup port over XAPI and SSH: what xscontainer-prepare-vm does in dom0 (xscontainer.md
 * §3.5), done from the bot — reach the VM, log in once with a one-time password (or the key already
 * there), put the bot's key and on legacy pools the pool's key into authorized_keys, check Docker access
 * with xscontainer's diagnosis, record the user, register — and the bot's SSH trust (`/xen trust`).
 * Guest commands are the fixed strings of guest-commands.ts; keys travel on their stdin.
 */
import ssh2 from 'ssh2'
import type { BotKeyInfo, DockerSetup, SetupLogin } from '../../core/docker-setup-port.js'
import { UserError } from '../../core/errors.js'
import type { HostKeyStore, PinnedHostKey } from '../../core/host-keys.js'
import type { Inventory, VmSummary } from '../../core/ports.js'
import type { PoolConnection } from '../pool-connection.js'
import type { BotIdentity } from './bot-identity.js'
import { CAUSES, type Cause, diagnoseSession } from './diagnosis.js'
import { type GuestSession, openGuestSession, probeSsh, type SshAuth, sshFailureCause } from './guest-session.js'
import { HostKeyChangedError, type PresentedKey, presentedKey } from './host-key-policy.js'
import type { DockerTransport } from './ssh-docker-agent.js'
import type { EndpointResolver, SshDockerBackend } from './ssh-docker-backend.js'
import { hostKeyChanged } from './ssh-errors.js'
import { untilInventory } from './until-inventory.js'
import {
  deregister,
  hasXscontainer,
  hostMayHaveXscontainer,
  poolPublicKey,
  register,
  setDockerTag,
  setOtherConfig,
  vmXapi,
} from './vm-xapi.js'

export interface DockerSetupOptions {
  readonly connections: readonly PoolConnection[]
  readonly inventory: Inventory
  readonly identity: BotIdentity
  readonly hostKeys: HostKeyStore
  readonly resolveEndpoint: EndpointResolver
  readonly backend: SshDockerBackend
  readonly transport?: DockerTransport | undefined
  /** The SSH banner probe and each login. */
  readonly connectTimeoutMs?: number | undefined
}

export class XenDockerSetup implements DockerSetup {
  readonly #o: DockerSetupOptions

  constructor(options: DockerSetupOptions) {
    this.#o = options
  }

  key(): BotKeyInfo {
    const { publicLine, fingerprint, source } = this.#o.identity
    return { publicLine, fingerprint, source }
  }

  pinned(vm: VmSummary): Promise<PinnedHostKey | undefined> {
    return this.#o.hostKeys.get(vm.uuid)
  }

  async presentedHostKey(vm: VmSummary): Promise<PresentedKey> {
    const endpoint = await this.#o.resolveEndpoint(this.#address(vm))
    let seen: PresentedKey | undefined
    const client = new ssh2.Client()
    await new Promise<void>((resolve) => {
      client.on('error', () => resolve())
      client.on('ready', () => resolve())
      client.connect({
        host: endpoint.host,
        port: endpoint.port,
        username: 'xen-chatops-hostkey-check',
        readyTimeout: this.#o.connectTimeoutMs ?? 10_000,
        // Seen, then refused: the connection ends at the key exchange, before any login.
        hostVerifier: (key: Buffer) => {
          seen = presentedKey(key)
          return false
        },
      })
    })
    client.end()
    if (!seen) throw new UserError('ssh.network', `${vm.name} (${this.#address(vm)}): ${CAUSES.network}`)
    return seen
  }

  async trust(vm: VmSummary, fingerprint: string, by: string): Promise<PinnedHostKey> {
    const presented = await this.presentedHostKey(vm)
    if (presented.fingerprint !== fingerprint) {
      throw new UserError(
        'ssh.fingerprint_mismatch',
        `${vm.name} presents ${presented.fingerprint}, not ${fingerprint}; nothing was changed. Check the fingerprint on the VM's console again`,
      )
    }
    const record: PinnedHostKey = {
      vmUuid: vm.uuid,
      pool: vm.pool,
      vmName: vm.name,
      ...presented,
      pinnedAt: Date.now(),
      pinnedBy: by,
    }
    await this.#o.hostKeys.replace(record)
    this.#o.backend.forget(vm.uuid)
    return record
  }

  legacyCandidate(vm: VmSummary): boolean {
    return hostMayHaveXscontainer(vmXapi(this.#o.connections, vm))
  }

  hasXscontainer(vm: VmSummary): Promise<boolean> {
    return hasXscontainer(vmXapi(this.#o.connections, vm), vm)
  }

  async reach(vm: VmSummary): Promise<string> {
    if (vm.power !== 'running') {
      throw new UserError('vm.not_running', `${vm.name} is ${vm.power}: start it first, then enable Docker`)
    }
    const address = this.#address(vm)
    const endpoint = await this.#o.resolveEndpoint(address).catch(() => undefined)
    if (!endpoint || !(await probeSsh(endpoint, this.#o.connectTimeoutMs ?? 5_000))) {
      throw new UserError('ssh.network', `${vm.name} (${address}): ${CAUSES.network}`)
    }
    return address
  }

  async installKeys(vm: VmSummary, login: SetupLogin, legacy: boolean): Promise<readonly string[]> {
    const keys = [this.#o.identity.publicLine]
    if (legacy) keys.push(await poolPublicKey(vmXapi(this.#o.connections, vm).xapi, vm.pool))
    const auth: SshAuth =
      login.password === undefined ? { privateKey: this.#o.identity.privateKey } : { password: login.password }
    const session = await this.#login(vm, login.user, auth, login.password === undefined ? 'key' : 'password')
    try {
      const result = await session.run('installKeys', keys.map((k) => `${k}\n`).join(''))
      if (result.code !== 0) {
        throw new UserError(
          'ssh.install_failed',
          `${vm.name}: writing ~${login.user}/.ssh/authorized_keys failed (exit ${result.code}): ${clean(result.stderr)}`,
        )
      }
    } finally {
      session.end()
    }
    return keys.map((k) => k.split(' ').slice(2).join(' ') || k.split(' ')[0] || 'key')
  }

  async checkDocker(vm: VmSummary, user: string, legacy: boolean): Promise<void> {
    const session = await this.#login(vm, user, { privateKey: this.#o.identity.privateKey }, 'key')
    try {
      const dialStdio = (this.#o.transport ?? 'dial-stdio') === 'dial-stdio'
      const found = await diagnoseSession(session, { ncat: legacy, dockerCli: !legacy && dialStdio })
      const problems = found.causes.filter((c) => c !== 'unknown')
      if (problems.length > 0) {
        throw new UserError(`ssh.${problems[0]}`, `${vm.name} (as ${user}): ${found.text}`)
      }
    } finally {
      session.end()
    }
  }

  async recordUser(vm: VmSummary, user: string, legacy: boolean): Promise<void> {
    const target = vmXapi(this.#o.connections, vm)
    await setOtherConfig(target, vm, 'xscontainer-username', user)
    await setOtherConfig(target, vm, 'xscontainer-mode', 'ssh')
    if (!legacy) await setDockerTag(target, vm, true)
    this.#o.backend.forget(vm.uuid)
  }

  async register(vm: VmSummary): Promise<void> {
    await register(vmXapi(this.#o.connections, vm), vm)
  }

  async waitForDocker(vm: VmSummary, legacy: boolean, timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs
    if (legacy) {
      // xscontainer's monitor writes docker_ps once it reaches Docker; the inventory shows it.
      const seen = await untilInventory(this.#o.inventory, vm, timeoutMs, (v) => v.docker.containers !== undefined)
      if (!seen?.docker.containers) {
        throw new UserError(
          'docker.not_monitored',
          `${vm.name} is registered, but xscontainer has not reported its containers within ${Math.round(timeoutMs / 1000)} s; /xen doctor shows why`,
        )
      }
      return seen.docker.containers.length
    }
    const marked = await untilInventory(this.#o.inventory, vm, timeoutMs, (v) => v.docker.backend.kind === 'ssh')
    const current = marked ?? vm
    let last: unknown
    while (Date.now() < deadline) {
      try {
        return (await this.#o.backend.list(current)).length
      } catch (error) {
        last = error
        await new Promise((resolve) => setTimeout(resolve, 500))
      }
    }
    throw last instanceof UserError
      ? last
      : new UserError('docker.no_answer', `Docker in ${vm.name} did not answer over SSH within ${timeoutMs / 1000} s`)
  }

  async unmark(vm: VmSummary, legacy: boolean): Promise<void> {
    const target = vmXapi(this.#o.connections, vm)
    if (legacy) await deregister(target, vm)
    await setDockerTag(target, vm, false)
    this.#o.backend.forget(vm.uuid)
  }

  async removeBotKey(vm: VmSummary, user: string): Promise<void> {
    const session = await this.#login(vm, user, { privateKey: this.#o.identity.privateKey }, 'key')
    try {
      const result = await session.run('removeKeys', `${this.#o.identity.publicLine}\n`)
      if (result.code !== 0) {
        throw new UserError('ssh.remove_failed', `${vm.name}: removing the bot's key failed (exit ${result.code})`)
      }
    } finally {
      session.end()
    }
    this.#o.backend.forget(vm.uuid)
  }

  #address(vm: VmSummary): string {
    if (!vm.ip) throw new UserError('ssh.network', `${vm.name} reports no IP address. ${CAUSES.network}`)
    return vm.ip
  }

  /** A session as `user`; a failed login becomes xscontainer's sentence for it (§3.4 checks 1 to 4). */
  async #login(vm: VmSummary, user: string, auth: SshAuth, how: 'password' | 'key'): Promise<GuestSession> {
    const address = this.#address(vm)
    const endpoint = await this.#o.resolveEndpoint(address)
    try {
      return await openGuestSession({ vm, endpoint, username: user }, auth, this.#o.hostKeys, {
        readyTimeoutMs: this.#o.connectTimeoutMs ?? 10_000,
      })
    } catch (error) {
      if (error instanceof HostKeyChangedError) throw hostKeyChanged(vm.name, error)
      const cause: Cause = sshFailureCause(error)
      const hint =
        cause !== 'auth'
          ? ''
          : how === 'password'
            ? ` The password login as ${user} was refused: check the user name and the one-time password.`
            : ` The bot's key is not installed for ${user}: choose the one-time password in the form instead.`
      throw new UserError(`ssh.${cause}`, `${vm.name} (${user}@${address}): ${CAUSES[cause]}${hint}`, { cause: error })
    }
  }
}

/** A guest's stderr, one line, no control characters, bounded. */
const clean = (text: string) =>
  text
    .replace(/[^\x20-\x7e]+/g, ' ')
    .trim()
    .slice(0, 200)
