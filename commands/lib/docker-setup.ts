/**
 * What the setup commands (`/docker enable|disable`, `/xen key|trust`) share: the port, or the refusal
 * of a bot built without SSH; the argument rules for a guest user name and a host key fingerprint.
 */
import { z } from 'zod'
import type { CommandContext } from '../../src/core/command.js'
import type { DockerSetup } from '../../src/core/docker-setup-port.js'
import { UserError } from '../../src/core/errors.js'

export function setupOf(ctx: CommandContext): DockerSetup {
  if (!ctx.dockerSetup) {
    throw new UserError('ssh.not_configured', 'this bot was built without its SSH side, so it cannot set up VMs')
  }
  return ctx.dockerSetup
}

/** A Unix login name as useradd accepts it by default: it reaches SSH only as the login name, never a shell. */
export const guestUser = z
  .string()
  .regex(/^[a-z_][a-z0-9_-]{0,31}$/, 'a Unix user name: lower-case letters, digits, _ and - (at most 32)')

/** `SHA256:` and 43 base64 characters, as `ssh-keygen -lf` prints an ed25519, ECDSA or RSA key. */
export const fingerprintArg = z
  .string()
  .regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'a fingerprint as ssh-keygen -lf prints it: SHA256: and 43 characters')

/** The account xscontainer logs in as when a VM names none (`xscontainer-username` absent). */
export const DEFAULT_SSH_USER = 'core'

/** Who did something, as stored: `platform:id`. */
export const actorTag = (ctx: CommandContext) => `${ctx.actor.platform}:${ctx.actor.id}`
