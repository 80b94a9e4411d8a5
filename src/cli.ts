/**
 * The `xen-chatops` command line. Subcommands are few and plain; each one parses its own flags with
 * node:util's parseArgs (strict, so a typo is an error that names the flag).
 */
import { existsSync, readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { runAuditCommand } from './audit-command.js'
import { runBot, runCheckConfig, runDemoCommand } from './main.js'
import { runSimCommand } from './sim/sim-command.js'

const USAGE = `usage: xen-chatops <command> [options]

commands:
  demo [--speed N] [--data-dir <dir>]
      the simulated demo pools with the terminal chat (what npm start runs)
  audit verify [--data-dir <dir>]
      walk the audit log's hash chain and name the first deleted, altered or reordered entry
  audit export --jsonl [--data-dir <dir>]
      print the audit log, one JSON object per line
  --config <file>
      run the bot with a configuration file
  check-config <file>
      validate a configuration file and print every problem with its path
  sim --scenario <name|path> [--port N] [--tls] [--speed N] [--json]
      run the simulated XenServer pools of a scenario (shipped: demo, lab)
  --version   print the version
  --help      print this help
`

const io = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr }

/**
 * The version in the project's package.json, which is one directory up when this file runs from
 * source (`tsx src/cli.ts`) and two when it runs compiled (`dist/src/cli.js`).
 */
function version(): string {
  for (const path of ['../package.json', '../../package.json']) {
    const url = new URL(path, import.meta.url)
    if (!existsSync(url)) continue
    const pkg = JSON.parse(readFileSync(url, 'utf8')) as { name?: unknown; version?: unknown }
    if (pkg.name === 'xen-chatops' && typeof pkg.version === 'string') return pkg.version
  }
  throw new Error('cannot find the package.json of xen-chatops')
}

/** `--port` as given: decimal digits only, so `abc`, `''`, `1.5` or `0x50` are errors, not NaN or 0. */
function parsePort(text: string | undefined): number {
  if (text === undefined) return 0
  const port = /^[0-9]{1,5}$/.test(text) ? Number(text) : Number.NaN
  if (!(port >= 0 && port <= 65535)) throw new Error(`--port must be a port number (0-65535), got "${text}"`)
  return port
}

function parseSpeed(text: string): number {
  const speed = text.trim() === '' ? Number.NaN : Number(text)
  if (!(Number.isFinite(speed) && speed > 0)) throw new Error(`--speed must be a positive number, got "${text}"`)
  return speed
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
  if (command === 'demo') {
    const { values } = parseArgs({
      args: rest,
      strict: true,
      options: { speed: { type: 'string', default: '1' }, 'data-dir': { type: 'string' } },
    })
    return runDemoCommand(io, parseSpeed(values.speed), values['data-dir'])
  }
  if (command === 'audit') return runAuditCommand(rest, io)
  if (command === 'check-config') {
    const { positionals } = parseArgs({ args: rest, strict: true, allowPositionals: true, options: {} })
    if (positionals.length !== 1) throw new Error('usage: xen-chatops check-config <file>')
    return runCheckConfig(positionals[0] ?? '', io)
  }
  if (command === '--config' || command === 'run') {
    const path =
      command === '--config'
        ? rest[0]
        : parseArgs({ args: rest, strict: true, options: { config: { type: 'string' } } }).values.config
    if (!path) throw new Error('usage: xen-chatops --config <file>')
    return runBot(path, io)
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
      port: parsePort(values.port),
      tls: values.tls,
      speed: parseSpeed(values.speed),
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
