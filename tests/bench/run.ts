/**
 * `npm run bench`: every benchmark in one run, each printing its goal, what it measured and the ratio;
 * the results are written as a Markdown table (docs/benchmarks.md) with the date and the machine.
 * `--scale 0.1` shrinks the sizes (CI, a quick look); `--only <name>` runs benchmarks whose key matches.
 */
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { benchAlertDecisions } from './alert-decisions.bench.js'
import { benchAlertStorm } from './alert-storm.bench.js'
import type { BenchResult } from './bench-lib.js'
import { benchColdSync } from './cold-sync.bench.js'
import { benchDockerPs } from './docker-ps.bench.js'
import { benchSlackAck } from './slack-ack.bench.js'

const BENCHES: Record<string, (scale: number) => Promise<BenchResult | BenchResult[]>> = {
  'docker-ps': benchDockerPs,
  'cold-sync': benchColdSync,
  'slack-ack': benchSlackAck,
  'alert-decisions': benchAlertDecisions,
  'alert-storm': benchAlertStorm,
}

const { values } = parseArgs({
  options: {
    scale: { type: 'string', default: '1' },
    only: { type: 'string' },
    out: { type: 'string', default: 'docs/benchmarks.md' },
  },
})
const scale = Number(values.scale)
if (!(scale > 0 && scale <= 1)) throw new Error(`--scale must be in (0, 1], got ${values.scale}`)

const results: BenchResult[] = []
const started = performance.now()
for (const [key, bench] of Object.entries(BENCHES)) {
  if (values.only && !key.includes(values.only)) continue
  process.stdout.write(`${key} …\n`)
  const out = await bench(scale)
  for (const r of Array.isArray(out) ? out : [out]) {
    results.push(r)
    process.stdout.write(
      `  ${r.met ? '✓' : '✗'} ${r.name}\n    goal ${r.goal}; measured ${r.measured}; value ${r.value}\n`,
    )
  }
}
const seconds = Math.round((performance.now() - started) / 1000)
const cpu = cpus()[0]?.model ?? 'unknown CPU'
const machine = `${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}`
const table = [
  '# Benchmarks',
  '',
  `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${machine}, scale ${scale}, in ${seconds} s,`,
  'by `npm run bench` (tests/bench/). Each ratio compares two measurements taken side by side in the same run.',
  '',
  '| | Benchmark | Goal | Measured | Value | How |',
  '|---|---|---|---|---|---|',
  ...results.map((r) => `| ${r.met ? '✓' : '✗'} | ${r.name} | ${r.goal} | ${r.measured} | ${r.value} | ${r.how} |`),
  '',
].join('\n')
writeFileSync(values.out, table)
// The committed table is checked by `biome check` (npm test) like any file: written in its format. A
// table written outside the project (--out /tmp/…) is not biome's to format, and is left as it is.
try {
  execFileSync(join('node_modules', '.bin', 'biome'), ['format', '--write', values.out], { stdio: 'ignore' })
} catch {
  process.stderr.write(`(${values.out} left unformatted: biome formats files of this project only)\n`)
}
process.stdout.write(`\n${table}\nwritten to ${values.out} (${seconds} s)\n`)
process.exit(0)
