/**
 * Logging: pino JSON with redaction of anything secret at the sink, so a password that slips into a
 * log call's object never reaches the output. One child logger per pool, per adapter, per command run.
 */
import { type DestinationStream, type Logger, pino } from 'pino'
import { redactString } from './redact-secrets.js'

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
    redactingStream(options.destination ?? pino.destination(1)),
  )
}

/**
 * The last net before the output: every finished line is scrubbed of secret-shaped text (a Slack or
 * Discord token, a PEM private key) wherever it sits — the message, an error's message or stack, a
 * command line in a field. Key-named secrets are already censored by pino's redact paths above.
 */
export function redactingStream(destination: DestinationStream): DestinationStream {
  const target = destination as DestinationStream & { flush?: (cb?: () => void) => void; flushSync?: () => void }
  return {
    write: (line: string) => target.write(redactString(line)),
    ...(target.flush ? { flush: (cb?: () => void) => target.flush?.(cb) } : {}),
    ...(target.flushSync ? { flushSync: () => target.flushSync?.() } : {}),
  } as DestinationStream
}

/** A logger that drops everything: for tests and tools that do not care. */
export const silentLog: Log = pino({ level: 'silent' })
