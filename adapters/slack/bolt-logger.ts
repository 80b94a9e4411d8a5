/**
 * bolt, its WebClient and the Socket Mode client log through this: into the bot's pino logger (whose
 * redaction applies), one level down for `info` — bolt's info lines ("Now connected to Slack", each
 * reconnect) are operational detail, not news. At debug, the Socket Mode client logs whole payloads,
 * user text included; the bot's default level (info) keeps them out.
 */
import { type Logger, LogLevel } from '@slack/bolt'
import type { Log } from '../../src/log.js'

const text = (parts: unknown[]) => parts.map((p) => (p instanceof Error ? p.message : String(p))).join(' ')

export function boltLogger(log: Log): Logger {
  let level: LogLevel = LogLevel.INFO
  return {
    debug: (...msg: unknown[]) => log.trace(text(msg)),
    info: (...msg: unknown[]) => log.debug(text(msg)),
    warn: (...msg: unknown[]) => log.warn(text(msg)),
    error: (...msg: unknown[]) => log.error(text(msg)),
    setLevel: (next: LogLevel) => {
      level = next
    },
    getLevel: () => level,
    setName: () => undefined,
  }
}
