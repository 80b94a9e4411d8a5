/**
 * `docker_ps` change events turned into alert decisions per CPU second vs the bare fast-xml-parser
 * parse rate of the same XML (goal ≥ 0.7 ×). Measured in decisions-child.ts, in a process of its own.
 */
import { once } from 'node:events'
import { type BenchResult, firstJsonLine, spawnTs } from './bench-lib.js'

export async function benchAlertDecisions(scale: number): Promise<BenchResult> {
  const child = spawnTs('decisions-child.ts', [String(scale)])
  const result = await firstJsonLine<BenchResult>(child)
  if (child.exitCode === null) await once(child, 'exit')
  return result
}
