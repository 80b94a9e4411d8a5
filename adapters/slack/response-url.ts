/**
 * A `response_url` from a slash command or a button press: Slack accepts up to five posts to it within
 * 30 minutes (https://api.slack.com/interactivity/handling#message_responses). It is the one way to
 * answer privately in a channel (or a DM) the bot is not a member of, so ephemeral answers use it while
 * it lasts; after that, or when it fails, callers fall back to the bot token (chat.postEphemeral).
 * Only URLs on Slack's hooks hosts are ever posted to — the URL arrives inside a payload, and the bot
 * must not be made to POST wherever a payload says.
 */

export const RESPONSE_URL_USES = 5
/** Slack's 30 minutes, less a margin for clocks and the time a post takes. */
export const RESPONSE_URL_LIFETIME_MS = 29 * 60_000

const SLACK_HOOK_HOSTS = ['hooks.slack.com', 'hooks.slack-gov.com']

export interface ResponseUrlOptions {
  readonly now?: (() => number) | undefined
  /** Per post; a hung Slack must not hold a delivery forever. */
  readonly timeoutMs?: number | undefined
}

export class ResponseUrl {
  readonly url: string
  readonly #createdAt: number
  readonly #now: () => number
  readonly #timeoutMs: number
  #uses = 0

  constructor(url: string, options: ResponseUrlOptions = {}) {
    this.url = url
    this.#now = options.now ?? Date.now
    this.#createdAt = this.#now()
    this.#timeoutMs = options.timeoutMs ?? 10_000
  }

  usable(): boolean {
    return this.#uses < RESPONSE_URL_USES && this.#now() - this.#createdAt < RESPONSE_URL_LIFETIME_MS
  }

  /** Posts one message (counts as a use whether or not Slack takes it); throws when unusable or refused. */
  async send(body: Record<string, unknown>): Promise<void> {
    if (!this.usable()) throw new Error('the response_url is used up or expired')
    this.#uses++
    const res = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(this.#timeoutMs),
    })
    // Slack answers 200 "ok", or 404 "expired_url" / 4xx "used_url" once the URL is spent.
    const text = await res.text().catch(() => '')
    if (!res.ok) throw new Error(`the response_url answered ${res.status} ${text.slice(0, 100)}`)
  }
}

/**
 * A ResponseUrl for `raw` when it is an https URL on Slack's hooks hosts, or on `extraOrigin` (the
 * configured API URL's origin, for a Slack-compatible server such as the tests' fake); otherwise undefined.
 */
export function responseUrlFrom(
  raw: unknown,
  extraOrigin: string | undefined,
  options: ResponseUrlOptions = {},
): ResponseUrl | undefined {
  if (typeof raw !== 'string' || raw === '') return undefined
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return undefined
  }
  const onSlack = url.protocol === 'https:' && SLACK_HOOK_HOSTS.includes(url.hostname) && url.port === ''
  const onExtra = extraOrigin !== undefined && url.origin === extraOrigin
  return onSlack || onExtra ? new ResponseUrl(url.toString(), options) : undefined
}
