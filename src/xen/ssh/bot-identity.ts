/**
 * The bot's own SSH identity (issue #10): an ed25519 key pair made on first start in the data
 * directory (`ssh/id_ed25519`, owner-only), or a private key given by the configuration. `/xen key`
 * shows the public line, which people put in a guest's authorized_keys (or `/docker enable` does).
 * The private key stays in a #private field: nothing that logs or inspects an identity can print it.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import ssh2 from 'ssh2'
import { generateEd25519 } from './generate-key.js'
import { fingerprintOf } from './host-key-policy.js'

export const KEY_FILE = join('ssh', 'id_ed25519')

export class BotIdentity {
  readonly #privateKey: string
  /** `ssh-ed25519 AAAA… xen-chatops@host`, the line for authorized_keys. */
  readonly publicLine: string
  /** `SHA256:…` of the public key, as `ssh-keygen -lf` prints it. */
  readonly fingerprint: string
  /** Where the key came from, for `/xen key`. */
  readonly source: string

  constructor(privateKey: string, source: string, comment?: string) {
    const parsed = ssh2.utils.parseKey(privateKey)
    if (parsed instanceof Error || !parsed.isPrivateKey()) {
      throw new Error(`the bot's SSH key (${source}) is not a private key ssh2 can read: ${describe(parsed)}`)
    }
    const blob = parsed.getPublicSSH()
    this.#privateKey = privateKey
    this.publicLine = `${parsed.type} ${blob.toString('base64')} ${comment ?? (parsed.comment || defaultComment())}`
    this.fingerprint = fingerprintOf(blob)
    this.source = source
  }

  /** For the SSH connect config only. */
  get privateKey(): string {
    return this.#privateKey
  }

  toJSON(): Record<string, string> {
    return { publicLine: this.publicLine, fingerprint: this.fingerprint, source: this.source }
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `BotIdentity(${this.fingerprint})`
  }
}

function describe(parsed: unknown): string {
  return parsed instanceof Error ? parsed.message : 'it holds only a public key'
}

const defaultComment = () => `xen-chatops@${hostname()}`

/**
 * The configured key when there is one; otherwise the key in `<dataDir>/ssh/id_ed25519`, created
 * (directory 0700, file 0600) when missing. Two processes starting at once keep one key: the file is
 * created exclusively, and the loser reads the winner's.
 */
export function loadBotIdentity(options: {
  readonly dataDir: string
  readonly configured?: string | undefined
}): BotIdentity {
  if (options.configured !== undefined) return new BotIdentity(options.configured, 'the configuration (ssh.privateKey)')
  const file = join(options.dataDir, KEY_FILE)
  if (!existsSync(file)) {
    mkdirSync(join(options.dataDir, 'ssh'), { recursive: true, mode: 0o700 })
    const pair = generateEd25519(defaultComment())
    try {
      const fd = openSync(file, 'wx', 0o600)
      writeSync(fd, pair.private)
      closeSync(fd)
      writeFileSync(`${file}.pub`, `${pair.public}\n`, { mode: 0o644 })
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
  }
  return new BotIdentity(readFileSync(file, 'utf8'), file)
}
