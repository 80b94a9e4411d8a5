/**
 * The SSH public key a user pastes into the `/coreos create` form, checked with ssh2's own key parser:
 * its type, size and SHA-256 fingerprint are shown back, weak and obsolete keys are refused, and a
 * private key is refused with the only advice that helps once one has been pasted into a chat tool:
 * treat it as leaked and rotate it.
 */
import { createHash, createPublicKey } from 'node:crypto'
import ssh2 from 'ssh2'
import { UserError } from '../../core/errors.js'
import { looksLikePrivateKey, PRIVATE_KEY_WARNING, type SshKeyFacts } from '../../core/provision-port.js'

const FIELD = 'sshKey'

const MIN_RSA_BITS = 2048
/** Comments are kept for the user's recognition; only plain characters survive into the cloud-config. */
const COMMENT_CHARS = /[^A-Za-z0-9@._+:=, -]/g

const refuse = (message: string) => new UserError('vm.ssh_key_invalid', message, { details: { field: FIELD } })

function bitsOf(key: ssh2.ParsedKey): number {
  const details = createPublicKey(key.getPublicPEM()).asymmetricKeyDetails ?? {}
  if (key.type === 'ssh-ed25519') return 256
  if (details.modulusLength !== undefined) return details.modulusLength
  const curve = /nistp(\d+)$/.exec(key.type)?.[1]
  return curve === undefined ? 0 : Number(curve)
}

export function checkPublicKey(text: string): SshKeyFacts {
  const trimmed = text.trim()
  if (looksLikePrivateKey(trimmed)) throw refuse(PRIVATE_KEY_WARNING)
  if (trimmed === '') throw refuse('paste your SSH public key (one line starting with ssh-ed25519 or ssh-rsa)')
  if (trimmed.split(/\r?\n/).filter((l) => l.trim() !== '').length > 1) {
    throw refuse('paste exactly one public key, on one line')
  }
  const parsed = ssh2.utils.parseKey(trimmed)
  if (parsed instanceof Error) {
    throw refuse(
      `that is not an SSH public key ssh2 can read (${parsed.message}); paste the whole line of your .pub file, e.g. "ssh-ed25519 AAAA… you@host"`,
    )
  }
  const key = Array.isArray(parsed) ? parsed[0] : parsed
  if (!key) throw refuse('that is not an SSH public key; paste the whole line of your .pub file')
  if (key.isPrivateKey()) throw refuse(PRIVATE_KEY_WARNING)
  if (key.type === 'ssh-dss') throw refuse('DSA keys are obsolete and refused by current OpenSSH; use an ed25519 key')
  const bits = bitsOf(key)
  if (key.type === 'ssh-rsa' && bits < MIN_RSA_BITS) {
    throw refuse(`that RSA key has ${bits} bits; use at least ${MIN_RSA_BITS} (or an ed25519 key)`)
  }
  const blob = key.getPublicSSH()
  const fingerprint = `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`
  const comment = key.comment.replace(COMMENT_CHARS, '').trim().slice(0, 100)
  const line = [key.type, blob.toString('base64'), comment].filter(Boolean).join(' ')
  return { type: key.type, bits, fingerprint, line }
}
