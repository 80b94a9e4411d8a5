/**
 * Redaction at every sink: the audit chain, the logs, and the replies. Callers never pass secret
 * values on purpose (they audit and log what was asked and decided, not credentials); this is the net
 * under that rule, because an audit entry cannot be edited afterwards without breaking the chain, and a
 * token pasted into a command line must not come back out of any of them (StackStorm masked secrets in
 * its CLI yet showed them in other views, st2#4784 and st2#4802: redaction has to happen at every sink).
 */

export const REDACTED = '[redacted]'

/**
 * Keys whose values are replaced wherever they appear: the names src/log.ts censors, matched without
 * regard to case, `_` or `-`, and also as the end of a longer name (`botToken`, `ssh_private_key`,
 * `clientSecret`, `adminPassword`).
 */
const SECRET_KEY_ENDINGS = ['password', 'passphrase', 'token', 'secret', 'privatekey', 'authorization', 'sessionid']

/**
 * Well-known secret shapes inside strings, for a token pasted into a command line: Slack tokens
 * (`xoxb-`, `xoxp-`, `xapp-`, …), Discord bot tokens (three dot-separated base64url parts, the first an
 * encoded user id), and PEM private key blocks.
 */
const SECRET_PATTERNS: readonly RegExp[] = [
  /\bx(?:ox[abposre]|app)-[0-9A-Za-z-]{10,}/g,
  /\b[MNO][A-Za-z\d_-]{23,27}\.[A-Za-z\d_-]{6}\.[A-Za-z\d_-]{27,}/g,
  /-----BEGIN[A-Z ]* PRIVATE KEY-----[\s\S]*?(?:-----END[A-Z ]* PRIVATE KEY-----|$)/g,
]

export function isSecretKey(key: string): boolean {
  const normal = key.toLowerCase().replace(/[-_]/g, '')
  return SECRET_KEY_ENDINGS.some((ending) => normal.endsWith(ending))
}

/**
 * Secret values this process holds that have no recognisable shape — pool passwords read from the
 * config, one-time passwords typed into forms — so every sink can scrub them wherever they turn up, even
 * inside free text a careless log call built. Process-wide on purpose: it is the set of secrets in this
 * process's memory, and every sink (log stream, audit, replies) must see the same set.
 */
const knownSecrets = new Map<string, number>()

/** Too short to scrub without mangling ordinary words; such values are refused as secrets elsewhere. */
const MIN_KNOWN_SECRET = 6

/** Scrub `value` from every sink until `ttlMs` from now (forever by default). */
export function rememberSecret(value: string, ttlMs = Number.POSITIVE_INFINITY, now = Date.now()): void {
  if (value.length < MIN_KNOWN_SECRET) return
  knownSecrets.set(value, Math.max(knownSecrets.get(value) ?? 0, now + ttlMs))
}

function scrubKnown(text: string, now = Date.now()): string {
  let out = text
  for (const [value, until] of knownSecrets) {
    if (until <= now) knownSecrets.delete(value)
    else if (out.includes(value)) out = out.replaceAll(value, REDACTED)
  }
  return out
}

export function redactString(text: string): string {
  return SECRET_PATTERNS.reduce((out, pattern) => out.replace(pattern, REDACTED), scrubKnown(text))
}

/**
 * A copy of `value` with secret-named keys' values replaced by '[redacted]' at every depth (in objects
 * and arrays) and secret-shaped substrings replaced inside strings. Other values are returned as they
 * are (class instances such as Date are left to JSON encoding).
 */
export function redactSecrets<T>(value: T): T {
  return redact(value, new Set(), true) as T
}

/**
 * Only secret-shaped substrings, at every depth; keys are kept as they are. For structures whose keys
 * are part of their meaning rather than hints of a secret: a Reply's button `token`, a form input's
 * `secret` flag.
 */
export function redactSecretText<T>(value: T): T {
  return redact(value, new Set(), false) as T
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => {
  if (typeof value !== 'object' || value === null) return false
  const proto: unknown = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

function redact(value: unknown, path: Set<object>, byKey: boolean): unknown {
  if (typeof value === 'string') return redactString(value)
  if (!Array.isArray(value) && !isPlainObject(value)) return value
  if (path.has(value)) throw new TypeError('cannot audit data that contains a cycle')
  path.add(value)
  const out = Array.isArray(value)
    ? value.map((item) => redact(item, path, byKey))
    : // fromEntries defines own properties: a key named __proto__ stays data and never sets a prototype.
      Object.fromEntries(
        Object.entries(value).map(([key, item]) => [
          key,
          byKey && isSecretKey(key) ? REDACTED : redact(item, path, byKey),
        ]),
      )
  path.delete(value)
  return out
}
