/**
 * The `xen-chatops` command line. Subcommands are few and plain; each one parses its own flags with
 * node:util's parseArgs (strict, so a typo is an error that names the flag).
 */
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { runSimCommand } from './sim/sim-command.js'

const USAGE = `usage: xen-chatops <command> [options]

commands:
  sim --scenario <name|path> [--port N] [--tls] [--speed N] [--json]
      run the simulated XenServer pools of a scenario (shipped: lab)
  --version   print the version
  --help      print this help
`

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
  return pkg.version
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  if (command === '--version' || command === '-v') {
    console.log(version())
    return 0
  }
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE)
    return command === undefined ? 2 : 0
  }
  if (command === 'sim') {
    const { values } = parseArgs({
      args: rest,
      strict: true,
      options: {
        scenario: { type: 'string', default: 'lab' },
        port: { type: 'string' },
        tls: { type: 'boolean', default: false },
        speed: { type: 'string', default: '1' },
        json: { type: 'boolean', default: false },
      },
    })
    return runSimCommand({
      scenario: values.scenario,
      port: values.port === undefined ? 0 : Number(values.port),
      tls: values.tls,
      speed: Number(values.speed),
      json: values.json,
    })
  }
  console.error(`xen-chatops: unknown command "${command}"\n\n${USAGE}`)
  return 2
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0) process.exitCode = code
  },
  (error: unknown) => {
    console.error(`xen-chatops: ${error instanceof Error ? error.message : String(error)}`)
    process.exitCode = 1
  },
)
