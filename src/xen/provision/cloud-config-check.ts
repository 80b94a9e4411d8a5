/**
 * The cloud-config a user submits, checked before anything is built: the `#cloud-config` header
 * cloud-init and coreos-cloudinit require, at most 64 KiB, valid YAML that is a mapping, no alias bomb,
 * and — on legacy pools — the `%XSCONTAINERRSAPUB%` entry xscontainer needs to monitor the VM. The
 * user's key is then put into the top-level `ssh_authorized_keys` by editing the text (not by re-dumping
 * the YAML, which would drop the comments and could not keep the plugin's placeholders).
 */
import { load, YAMLException } from 'js-yaml'
import { UserError } from '../../core/errors.js'
import type { BuildRoute } from '../../core/provision-port.js'

const FIELD = 'cloudConfig'
export const MAX_CLOUD_CONFIG_BYTES = 64 * 1024
/** More values than a hand-written cloud-config ever has; an alias bomb expands far beyond. */
const MAX_NODES = 20_000
const MAX_DEPTH = 64

const refuse = (message: string) => new UserError('vm.cloud_config_invalid', message, { details: { field: FIELD } })

/**
 * xscontainer's placeholders (xscontainer.md §4.2), given stand-in values so the text parses as YAML the
 * way it will after the plugin expands it (`hostname: %VMNAMETOHOSTNAME%` is not YAML: a plain scalar
 * cannot start with `%`).
 */
function expandForParsing(text: string): string {
  return text
    .replace(/%(XS)?HINEXISTS%|%(XS)?ENDHINEXISTS%/g, '')
    .replace(/%(XS)?HIN%/g, '0')
    .replace(/%(XS)?VMNAMETOHOSTNAME%/g, 'vmname')
    .replace(/%(XS)?CONTAINERRSAPUB%/g, 'AAAAplaceholder')
}

/** The check `create_config_drive` runs on the unexpanded text (coreos.py `mark_monitorable_vm`). */
export const hasContainerKeyEntry = (text: string) => /\n\s*- ssh-rsa %[XS]*CONTAINERRSAPUB%/.test(text)

function parse(text: string, route: BuildRoute): Record<string, unknown> {
  let doc: unknown
  try {
    doc = load(route === 'xscontainer' ? expandForParsing(text) : text)
  } catch (error) {
    if (!(error instanceof YAMLException)) throw error
    const where = error.mark ? ` at line ${error.mark.line + 1}, column ${error.mark.column + 1}` : ''
    throw refuse(`the cloud-config is not valid YAML${where}: ${error.reason}`)
  }
  countNodes(doc)
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw refuse('the cloud-config must be a YAML mapping (keys such as ssh_authorized_keys, users, write_files)')
  }
  return doc as Record<string, unknown>
}

/**
 * Walks the document the way a consumer would, aliases followed: js-yaml shares aliased values instead
 * of copying them, so a billion-laughs document is small in memory but explodes in whatever walks it
 * next (cloud-init's merge, our own checks). The walk stops at the budget.
 */
function countNodes(doc: unknown): void {
  let count = 0
  const visit = (value: unknown, depth: number) => {
    if (++count > MAX_NODES || depth > MAX_DEPTH) {
      throw refuse(
        'the cloud-config expands to far more values than a cloud-config has (YAML aliases used as a bomb?); write it out without anchors and aliases',
      )
    }
    if (Array.isArray(value)) for (const item of value) visit(item, depth + 1)
    else if (typeof value === 'object' && value !== null)
      for (const item of Object.values(value)) visit(item, depth + 1)
  }
  visit(doc, 0)
}

function keysIn(doc: Record<string, unknown>): string[] {
  const list = doc.ssh_authorized_keys
  if (list === undefined || list === null) return []
  if (!Array.isArray(list) || list.some((k) => typeof k !== 'string')) {
    throw refuse('ssh_authorized_keys must be a list of public key lines')
  }
  return list as string[]
}

/** The text with `keyLine` added as the first item of the top-level, block-style ssh_authorized_keys. */
function insertKey(text: string, keyLine: string): string {
  const lines = text.split('\n')
  const item = JSON.stringify(keyLine)
  const at = lines.findIndex((l) => /^ssh_authorized_keys:\s*(#.*)?$/.test(l))
  if (at >= 0) {
    const next = lines.slice(at + 1).find((l) => /^\s+- /.test(l) || /^\S/.test(l))
    const indent = next !== undefined && /^\s+- /.test(next) ? (/^(\s+)/.exec(next)?.[1] ?? '  ') : '  '
    lines.splice(at + 1, 0, `${indent}- ${item}`)
    return lines.join('\n')
  }
  if (lines.some((l) => /^ssh_authorized_keys:/.test(l))) {
    throw refuse(
      'write ssh_authorized_keys as a block list (one "- key" per line) so your key can be added to it, or add your key to it yourself',
    )
  }
  const body = text.endsWith('\n') ? text : `${text}\n`
  return `${body}ssh_authorized_keys:\n  - ${item}\n`
}

export interface CheckedCloudConfig {
  /** The text for the drive, with the user's key in ssh_authorized_keys. */
  readonly userData: string
  /** The account the keys log in as. */
  readonly sshUser: string
}

/** `keyLine` is the user's key as one authorized_keys line (type, base64, comment). */
export function checkCloudConfig(text: string, route: BuildRoute, keyLine: string): CheckedCloudConfig {
  const bytes = Buffer.byteLength(text, 'utf8')
  if (bytes > MAX_CLOUD_CONFIG_BYTES) {
    throw refuse(`the cloud-config is ${Math.ceil(bytes / 1024)} KiB; the limit is 64 KiB`)
  }
  const normal = text.replace(/\r\n/g, '\n')
  if (!/^#cloud-config[ \t]*$/.test(normal.split('\n', 1)[0] ?? '')) {
    throw refuse('a cloud-config must start with the line #cloud-config (cloud-init ignores the file otherwise)')
  }
  const doc = parse(normal, route)
  if (route === 'xscontainer' && !hasContainerKeyEntry(normal)) {
    throw refuse(
      'keep the line "- ssh-rsa %XSCONTAINERRSAPUB%" under ssh_authorized_keys: xscontainer puts the pool\'s key there, and without it the VM cannot be monitored',
    )
  }
  const blob = keyLine.split(' ')[1] ?? keyLine
  const present = keysIn(doc).some((k) => k.includes(blob))
  const userData = present ? normal : insertKey(normal, keyLine)
  if (Buffer.byteLength(userData, 'utf8') > MAX_CLOUD_CONFIG_BYTES) {
    throw refuse('with your key added the cloud-config is over 64 KiB; shorten it')
  }
  const final = present ? doc : parse(userData, route)
  if (!keysIn(final).some((k) => k.includes(blob))) {
    throw refuse('your key could not be added to ssh_authorized_keys; add it to the list yourself')
  }
  return { userData, sshUser: route === 'xscontainer' ? 'core' : defaultUser(final) }
}

/** cloud-init's default account as the cloud-config sets it (`system_info.default_user.name`), else `core`. */
function defaultUser(doc: Record<string, unknown>): string {
  const info = doc.system_info as { default_user?: { name?: unknown } } | undefined
  const name = info?.default_user?.name
  return typeof name === 'string' && /^[a-z_][a-z0-9_-]{0,31}$/.test(name) ? name : 'core'
}
