/**
 * Every Web API call the adapter makes goes through here, with one retry policy instead of the
 * WebClient's (which retries everything, 401s included, for about 30 minutes):
 * - 429: wait `Retry-After`, then try again (a few times). The wait is per method and shared, so calls
 *   queued behind a rate limit wait too instead of each drawing its own 429.
 * - network errors and 5xx: a couple of quick retries.
 * - refusals retrying cannot fix (bad or revoked token, missing scope, channel gone or not joined, HTTP
 *   401/403): thrown at once as `SlackRefused`, never retried — no storm against a dead token.
 * The WebClient is built with `rejectRateLimitedCalls` and no retries so that these errors reach us.
 */
import { webApi } from '@slack/bolt'
import type { Log } from '../../src/log.js'

/** Platform errors that mean "stop": the same call will fail the same way until a human fixes something. */
const REFUSALS = new Set([
  'access_denied',
  'account_inactive',
  'channel_not_found',
  'ekm_access_denied',
  'enterprise_is_restricted',
  'invalid_auth',
  'is_archived',
  'missing_scope',
  'no_permission',
  'not_allowed_token_type',
  'not_authed',
  'not_in_channel',
  'org_login_required',
  'restricted_action',
  'team_access_not_granted',
  'token_expired',
  'token_revoked',
  'two_factor_setup_required',
])

export class SlackRefused extends Error {
  override readonly name = 'SlackRefused'
  readonly code: string
  readonly method: string

  constructor(method: string, code: string) {
    super(`Slack refused ${method}: ${code}`)
    this.code = code
    this.method = method
  }
}

/** What a Web API method answered (`ok: true` already checked by the client). */
export type SlackResult = Record<string, unknown>

export interface SlackCaller {
  call(method: string, args?: Record<string, unknown>): Promise<SlackResult>
}

export interface SlackApiOptions {
  readonly log: Log
  /** How many 429s one call waits out before giving up (default 3). */
  readonly rateLimitWaits?: number | undefined
  /** The longest single wait honoured; a longer Retry-After fails the call instead (default 5 minutes). */
  readonly maxWaitMs?: number | undefined
  /** Retries after a network error or a 5xx (default 2). */
  readonly transientRetries?: number | undefined
  readonly sleep?: ((ms: number) => Promise<void>) | undefined
  readonly now?: (() => number) | undefined
}

/** The one WebClient method used: a method by name (bolt's WebClient in production). */
export interface ApiClient {
  apiCall(method: string, args?: Record<string, unknown>): Promise<object>
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

const codeOf = (error: unknown): string | undefined =>
  typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string'
    ? (error as { code: string }).code
    : undefined

export class SlackApi implements SlackCaller {
  readonly #client: ApiClient
  readonly #options: SlackApiOptions
  readonly #blockedUntil = new Map<string, number>()

  constructor(client: ApiClient, options: SlackApiOptions) {
    this.#client = client
    this.#options = options
  }

  async call(method: string, args: Record<string, unknown> = {}): Promise<SlackResult> {
    const sleep = this.#options.sleep ?? defaultSleep
    const now = this.#options.now ?? Date.now
    let waits = 0
    let retries = 0
    for (;;) {
      const blocked = (this.#blockedUntil.get(method) ?? 0) - now()
      if (blocked > 0) await sleep(blocked)
      try {
        return (await this.#client.apiCall(method, args)) as SlackResult
      } catch (error) {
        const code = codeOf(error)
        if (code === webApi.ErrorCode.RateLimitedError) {
          const retryAfterMs = Math.max(1, (error as webApi.WebAPIRateLimitedError).retryAfter) * 1000
          if (waits >= (this.#options.rateLimitWaits ?? 3) || retryAfterMs > (this.#options.maxWaitMs ?? 300_000)) {
            throw error
          }
          waits++
          this.#blockedUntil.set(method, Math.max(this.#blockedUntil.get(method) ?? 0, now() + retryAfterMs))
          this.#options.log.warn({ method, retryAfterMs }, 'Slack rate limit: waiting as Retry-After says')
          continue
        }
        if (code === webApi.ErrorCode.PlatformError) {
          const platform = String((error as webApi.WebAPIPlatformError).data.error)
          if (REFUSALS.has(platform)) throw new SlackRefused(method, platform)
          throw error
        }
        if (code === webApi.ErrorCode.HTTPError) {
          const status = (error as webApi.WebAPIHTTPError).statusCode
          if (status === 401 || status === 403) throw new SlackRefused(method, `HTTP ${status}`)
          if (status < 500) throw error
        } else if (code !== webApi.ErrorCode.RequestError) {
          throw error
        }
        if (retries >= (this.#options.transientRetries ?? 2)) throw error
        await sleep(500 * 2 ** retries++)
      }
    }
  }
}

/** The error code Slack answered with (`message_not_found`, `expired_trigger_id`…), if it was a platform error. */
export function platformErrorOf(error: unknown): string | undefined {
  if (error instanceof SlackRefused) return error.code
  if (codeOf(error) !== webApi.ErrorCode.PlatformError) return undefined
  return String((error as webApi.WebAPIPlatformError).data.error)
}
