/**
 * What an SSH client finds inside one simulated guest: whether sshd answers, its host key, the login
 * accounts (password, `~/.ssh/authorized_keys`, membership of the `docker` group), and the tools the
 * Docker routes need (`ncat` for xscontainer, the `docker` CLI for dial-stdio, the daemon socket,
 * sshd's stream-local forwarding). dom0's simulated xscontainer reads the same model as the real
 * ssh2 server in guest-ssh-server.ts, so a key the bot installs over SSH is what the monitor then finds.
 */
import ssh2 from 'ssh2'
import { generateHostKey } from './host-key.js'

/** One login account of the guest. */
export interface GuestUser {
  readonly name: string
  /** Password logins are refused for an account without one (key only, as on cloud images). */
  password: string | undefined
  /** `~/.ssh/authorized_keys` exactly as the file holds it; '' when the file does not exist. */
  authorizedKeys: string
  /** In the `docker` group: may open /var/run/docker.sock. */
  dockerGroup: boolean
  /**
   * The bot's key belongs in this account (the VM was built with it): written into authorized_keys when
   * the simulator is told the key (Simulator.authorizeBotKey), since no scenario can know it in advance.
   */
  trustsBotKey: boolean
}

export interface GuestSshOptions {
  server?: boolean | undefined
  poolKeyAuthorized?: boolean | undefined
  ncat?: boolean | undefined
  dockerCli?: boolean | undefined
  socket?: boolean | undefined
  streamLocal?: boolean | undefined
  users?:
    | readonly {
        readonly name: string
        readonly password?: string | undefined
        readonly authorizedKeys?: readonly string[] | undefined
        readonly docker?: boolean | undefined
        readonly botKey?: boolean | undefined
      }[]
    | undefined
}

/** The account xscontainer logs in as when the VM names none (`xscontainer-username` absent). */
export const DEFAULT_SSH_USER = 'core'

export class GuestSsh {
  /** An SSH server answers on port 22 (off: the port refuses connections). */
  server: boolean
  /**
   * The pool's xscontainer key was put in the xscontainer user's authorized_keys before the simulation
   * started: the scenario's shorthand, because that key is created lazily and unknown when a scenario is
   * written. A key installed while the simulation runs is found in `users` instead (see hasPoolKey).
   */
  poolKeyAuthorized: boolean
  /** `ncat` is installed (xscontainer pipes HTTP through `ncat -U /var/run/docker.sock`). */
  ncat: boolean
  /** The `docker` CLI is on the login user's PATH (the dial-stdio route runs `docker system dial-stdio`). */
  dockerCli: boolean
  /** Docker is installed: /var/run/docker.sock exists while its engine runs. */
  socket: boolean
  /** sshd allows `direct-streamlocal@openssh.com` (OpenSSH's AllowStreamLocalForwarding, on by default). */
  streamLocal: boolean
  readonly users = new Map<string, GuestUser>()
  #hostKey: { private: string; public: string } | undefined
  #hostKeyGeneration = 0

  constructor(options: GuestSshOptions = {}) {
    this.server = options.server ?? true
    this.poolKeyAuthorized = options.poolKeyAuthorized ?? true
    this.ncat = options.ncat ?? true
    this.dockerCli = options.dockerCli ?? true
    this.socket = options.socket ?? true
    this.streamLocal = options.streamLocal ?? true
    for (const u of options.users ?? [{ name: DEFAULT_SSH_USER }]) {
      const lines = u.authorizedKeys ?? []
      this.users.set(u.name, {
        name: u.name,
        password: u.password,
        authorizedKeys: lines.map((line) => `${line}\n`).join(''),
        dockerGroup: u.docker ?? true,
        trustsBotKey: u.botKey ?? false,
      })
    }
  }

  /** The guest's ed25519 host key (OpenSSH private key and `ssh-ed25519 …` line), made on first use. */
  get hostKey(): { readonly private: string; readonly public: string } {
    this.#hostKey ??= generateHostKey()
    return this.#hostKey
  }

  /** Bumped by changeHostKey, so a running server knows to present the new key. */
  get hostKeyGeneration(): number {
    return this.#hostKeyGeneration
  }

  /** Fault: the guest was reinstalled (or someone sits in between): sshd presents a different host key. */
  changeHostKey(): void {
    this.#hostKey = generateHostKey()
    this.#hostKeyGeneration++
  }

  /** Adds (or replaces) an account; the test of a fresh VM whose user has only a password. */
  addUser(name: string, options: { password?: string; docker?: boolean; authorizedKeys?: string } = {}): GuestUser {
    const user: GuestUser = {
      name,
      password: options.password,
      authorizedKeys: options.authorizedKeys ?? '',
      dockerGroup: options.docker ?? true,
      trustsBotKey: false,
    }
    this.users.set(name, user)
    return user
  }

  /** Writes the bot's public key line into every account that trusts it (once: a second call adds nothing). */
  installBotKey(line: string): void {
    for (const user of this.users.values()) {
      if (!user.trustsBotKey || authorizedKeyLines(user.authorizedKeys).includes(line.trim())) continue
      user.authorizedKeys += `${line.trim()}\n`
    }
  }

  /**
   * The line of the user's authorized_keys holding `key` (the public key blob a client offers), parsed
   * so the client's signature can be verified with it; undefined when the key is not authorized.
   */
  authorizedKey(user: string, key: Buffer): ssh2.ParsedKey | undefined {
    for (const line of authorizedKeyLines(this.users.get(user)?.authorizedKeys ?? '')) {
      const parsed = ssh2.utils.parseKey(line)
      if (!(parsed instanceof Error) && parsed.getPublicSSH().equals(key)) return parsed
    }
    return undefined
  }

  /**
   * Whether xscontainer's pool key lets dom0 in as `user`: preset by the scenario, or its line is in the
   * user's authorized_keys (`poolPublicKey` is undefined while the pool has no key yet).
   */
  hasPoolKey(user: string, poolPublicKey: string | undefined): boolean {
    if (this.poolKeyAuthorized) return this.users.has(user)
    if (poolPublicKey === undefined) return false
    const parsed = ssh2.utils.parseKey(poolPublicKey)
    return !(parsed instanceof Error) && this.authorizedKey(user, parsed.getPublicSSH()) !== undefined
  }

  /** The user may open the daemon socket: it exists (Docker installed and running) and the user is in `docker`. */
  socketAccess(user: string, daemonUp: boolean): 'ok' | 'missing' | 'denied' {
    if (!this.socket || !daemonUp) return 'missing'
    return this.users.get(user)?.dockerGroup ? 'ok' : 'denied'
  }
}

/** The key lines of an authorized_keys file: blank lines and comments skipped. */
export function authorizedKeyLines(file: string): string[] {
  return file
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
}
