/**
 * Logging: pino JSON with redaction of anything secret at the sink, so a password that slips into a
 * log call's object never reaches the output. One child logger per pool, per adapter, per command run.
 */
import { type DestinationStream, type Logger, pino } from 'pino'

export type Log = Logger

/** Paths pino censors wherever they appear (one level of nesting is enough for our log objects). */
export const REDACTED_PATHS = [
  'password',
  'token',
  'secret',
  'privateKey',
  'authorization',
  'sessionId',
  '*.password',
  '*.token',
  '*.secret',
  '*.privateKey',
  '*.authorization',
  '*.sessionId',
]

export function createLogger(options: { level?: string; destination?: DestinationStream } = {}): Log {
  return pino(
    { level: options.level ?? 'info', redact: { paths: REDACTED_PATHS, censor: '[redacted]' } },
    options.destination,
  )
}

/** A logger that drops everything: for tests and tools that do not care. */
export const silentLog: Log = pino({ level: 'silent' })
