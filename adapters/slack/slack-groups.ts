/**
 * Slack user-group membership, for access rules that name groups (`subjects: [{ platform: slack,
 * groups: [S0123ABCD] }]`). Only the groups the access config names are fetched
 * (`usergroups.users.list`, scope `usergroups:read`), cached, and refreshed every `refreshMs` in the
 * background; a lookup never waits for Slack once the first load is done. A group that cannot be read
 * keeps its last known members (a Slack hiccup must not lock everyone out), and is logged; a group that
 * no longer exists has no members.
 * Consequence worth knowing: removing someone from a group takes effect within one refresh period.
 */
import type { Log } from '../../src/log.js'
import { platformErrorOf, type SlackCaller } from './slack-api.js'

export interface SlackGroupsOptions {
  readonly api: SlackCaller
  readonly log: Log
  /** The user-group ids (`S…`) the access config names. */
  readonly groups: readonly string[]
  readonly refreshMs: number
  readonly now?: (() => number) | undefined
}

const GONE = new Set(['no_such_subteam', 'subteam_not_found'])

export class SlackGroups {
  readonly #options: SlackGroupsOptions
  readonly #members = new Map<string, ReadonlySet<string>>()
  #loadedAt: number | undefined
  #loading: Promise<void> | undefined
  #timer: NodeJS.Timeout | undefined

  constructor(options: SlackGroupsOptions) {
    this.#options = options
  }

  /** The tracked groups `userId` is in, from the cache; undefined before the first load. */
  cached(userId: string): string[] | undefined {
    if (this.#options.groups.length === 0) return []
    if (this.#loadedAt === undefined) return undefined
    return [...this.#members].filter(([, users]) => users.has(userId)).map(([group]) => group)
  }

  /** The tracked groups `userId` is in: waits for the first load only; later refreshes happen behind. */
  async of(userId: string): Promise<string[]> {
    if (this.#options.groups.length === 0) return []
    if (this.#loadedAt === undefined) await this.refresh()
    else if ((this.#options.now ?? Date.now)() - this.#loadedAt > this.#options.refreshMs) void this.refresh()
    return this.cached(userId) ?? []
  }

  /** Loads every tracked group once (concurrent callers share the one load). */
  refresh(): Promise<void> {
    this.#loading ??= this.#load().finally(() => {
      this.#loading = undefined
    })
    return this.#loading
  }

  start(): void {
    if (this.#options.groups.length === 0 || this.#timer) return
    this.#timer = setInterval(() => void this.refresh(), this.#options.refreshMs)
    this.#timer.unref()
  }

  stop(): void {
    clearInterval(this.#timer)
    this.#timer = undefined
  }

  async #load(): Promise<void> {
    const { api, log } = this.#options
    for (const group of this.#options.groups) {
      try {
        const result = await api.call('usergroups.users.list', { usergroup: group, include_disabled: false })
        const users = Array.isArray(result.users) ? result.users.filter((u): u is string => typeof u === 'string') : []
        this.#members.set(group, new Set(users))
      } catch (error) {
        const code = platformErrorOf(error)
        if (code !== undefined && GONE.has(code)) {
          this.#members.set(group, new Set())
          log.warn({ group }, 'a Slack user group named in the access config does not exist')
        } else {
          log.error({ err: error, group }, 'a Slack user group could not be read; keeping its last known members')
        }
      }
    }
    this.#loadedAt = (this.#options.now ?? Date.now)()
  }
}
