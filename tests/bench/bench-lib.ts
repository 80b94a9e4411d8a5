/**
 * Shared pieces of `npm run bench`: child processes (the simulator runs in its own process so its CPU
 * and memory are not the bot's), percentiles, and the result rows every benchmark returns.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

export interface BenchResult {
  readonly name: string
  /** The goal in words: "≥ 100 × faster", "≤ 1.2 ×", "≤ 300 MB". */
  readonly goal: string
  /** What was measured, with units, for the table. */
  readonly measured: string
  /** The figure compared with the goal (a ratio, or an absolute value when the goal is one). */
  readonly value: number
  readonly met: boolean
  /** How it was measured: sizes, repetitions, the baseline. */
  readonly how: string
}

export const here = (file: string) => fileURLToPath(new URL(file, import.meta.url))

/** Runs a TypeScript file of this folder in a child Node process (through tsx). */
export function spawnTs(file: string, args: readonly string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', here(file), ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
  })
}

/** The first line a child prints, parsed as JSON. */
export async function firstJsonLine<T>(child: ChildProcess): Promise<T> {
  if (!child.stdout) throw new Error('child has no stdout')
  const lines = createInterface({ input: child.stdout })
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`child exited with code ${code} before printing its result`)
  })
  const line = Promise.race([once(lines, 'line').then(([l]) => l as string), exited])
  const text = await line
  return JSON.parse(text) as T
}

export interface SimPoolInfo {
  readonly name: string
  readonly url: string
  readonly username: string
  readonly password: string
}

export interface SimChild {
  readonly pools: readonly SimPoolInfo[]
  stop(): Promise<void>
}

/** A simulator of `pools` × `vms` VMs in its own process. */
export async function startSimChild(pools: number, vms: number): Promise<SimChild> {
  const child = spawnTs('sim-child.ts', [String(pools), String(vms)])
  const info = await firstJsonLine<{ pools: SimPoolInfo[] }>(child)
  return {
    pools: info.pools,
    stop: async () => {
      if (child.exitCode !== null) return
      child.kill('SIGTERM')
      await once(child, 'exit')
    },
  }
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  if (sorted.length === 0) return Number.NaN
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[index] as number
}

export const median = (values: readonly number[]) => percentile(values, 50)

export const round = (value: number, digits = 2) => Number(value.toFixed(digits))
