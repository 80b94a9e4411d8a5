/**
 * Signal names and numbers as Docker parses them (pkg/signal `ParseSignal`, Linux `SignalMap`, v20.10):
 * a decimal number, or a name in any case with or without `SIG`.
 */
import { DockerError, invalidSignal } from './docker-errors.js'

const LINUX_SIGNALS: Record<string, number> = {
  HUP: 1,
  INT: 2,
  QUIT: 3,
  ILL: 4,
  TRAP: 5,
  ABRT: 6,
  IOT: 6,
  BUS: 7,
  FPE: 8,
  KILL: 9,
  USR1: 10,
  SEGV: 11,
  USR2: 12,
  PIPE: 13,
  ALRM: 14,
  TERM: 15,
  STKFLT: 16,
  CHLD: 17,
  CONT: 18,
  STOP: 19,
  TSTP: 20,
  TTIN: 21,
  TTOU: 22,
  URG: 23,
  XCPU: 24,
  XFSZ: 25,
  VTALRM: 26,
  PROF: 27,
  WINCH: 28,
  IO: 29,
  POLL: 29,
  PWR: 30,
  SYS: 31,
}

export const SIGKILL = 9
export const SIGTERM = 15

/** The signal number for `raw`; a 400 `Invalid signal: <raw>` as the kill route answers otherwise. */
export function parseSignal(raw: string): number {
  if (/^-?\d+$/.test(raw)) {
    const n = Number(raw)
    if (n === 0) throw invalidSignal(raw)
    return n
  }
  const n = LINUX_SIGNALS[raw.toUpperCase().replace(/^SIG/, '')]
  if (n === undefined) throw invalidSignal(raw)
  return n
}

/**
 * daemon/kill.go `ContainerKill`: numbers beyond the platform's range are refused with a plain error,
 * which has no errdefs class and so answers 500.
 */
export function checkPlatformSignal(n: number): void {
  if (n < 1 || n > 64) throw new DockerError(500, `The linux daemon does not support signal ${n}`)
}

export function signalName(n: number): string {
  const name = Object.keys(LINUX_SIGNALS).find((k) => LINUX_SIGNALS[k] === n)
  return name ? `SIG${name}` : String(n)
}
