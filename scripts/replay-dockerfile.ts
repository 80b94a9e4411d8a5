/**
 * Replays the Dockerfile without a Docker engine (there is none on the project's machines), to prove
 * the image's recipe works: the build context is a copy of the tree minus .dockerignore, each stage
 * gets its own empty directory as its filesystem, and the stages' instructions run in order — COPY
 * and WORKDIR against those directories, RUN lines as written in the stage's working directory. The
 * steps come from parsing the Dockerfile itself, so the replay cannot drift from it. Then the
 * runtime stage's ENTRYPOINT is started: `--version`, `check-config` on examples/config.yaml mounted
 * the way the README says, a short piped demo, and the HEALTHCHECK command against a local /healthz.
 *
 *   npx tsx scripts/replay-dockerfile.ts [--keep]     (.ci/run runs it; --keep leaves the directory)
 *
 * What a host cannot replay is said, not skipped silently: the base image is this machine (its Node
 * and its toolchain, checked against what the apt-get lines install), files are owned by whoever runs
 * this (chown and USER are not applied), and only image setup that the replay can name may touch
 * absolute paths (see `emulated`). The replay's npm uses the local npm cache (prefer-offline), as a
 * Docker build would with a cache mount; the commands themselves are the Dockerfile's.
 */
import { type SpawnSyncOptions, spawn, spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, posix, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { load } from 'js-yaml'
import { envPairs, type Instruction, parseDockerfile, parseDockerignore, type Stage } from './dockerfile.js'

const ROOT = fileURLToPath(new URL('../', import.meta.url))
const EXAMPLE = join(ROOT, 'examples/config.yaml')

interface StageState {
  readonly name: string
  /** This stage's filesystem root on the host. */
  readonly root: string
  workdir: string
  readonly env: Record<string, string>
  entrypoint: readonly string[]
  cmd: readonly string[]
  healthcheck: readonly string[] | undefined
  user: string | undefined
}

const started = Date.now()
const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`

function log(message: string): void {
  console.log(`[replay ${seconds(started).padStart(7)}] ${message}`)
}

function fail(message: string): never {
  throw new Error(message)
}

/** A path inside a stage's filesystem, on the host. */
const inStage = (state: StageState, path: string) => join(state.root, posix.resolve(state.workdir, path))

/** The build context: every file of the tree that .dockerignore lets through, copied. */
function copyContext(into: string): number {
  const ignored = parseDockerignore(readFileSync(join(ROOT, '.dockerignore'), 'utf8'))
  let files = 0
  const walk = (rel: string) => {
    for (const entry of readdirSync(join(ROOT, rel), { withFileTypes: true })) {
      const path = rel === '' ? entry.name : `${rel}/${entry.name}`
      if (ignored(path)) continue
      if (entry.isDirectory()) walk(path)
      else {
        mkdirSync(dirname(join(into, path)), { recursive: true })
        cpSync(join(ROOT, path), join(into, path), { verbatimSymlinks: true })
        files++
      }
    }
  }
  walk('')
  return files
}

function run(command: string, args: readonly string[], options: SpawnSyncOptions & { what: string }): string {
  const result = spawnSync(command, args, { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], ...options })
  const output = `${String(result.stdout ?? '')}${String(result.stderr ?? '')}`
  if (result.error) fail(`${options.what}: ${result.error.message}`)
  if (result.status !== 0) fail(`${options.what} exited with ${result.status ?? result.signal}:\n${output}`)
  return String(result.stdout ?? '')
}

/**
 * Image setup a host cannot do as the image does; each part of such a RUN line (split on &&) is named
 * here with what the replay does instead. A RUN line is either all emulated or all run as written.
 */
const emulated: readonly { pattern: RegExp; replay: (state: StageState, match: RegExpExecArray) => string }[] = [
  { pattern: /^apt-get update$/, replay: () => 'skipped (the host is the base image)' },
  { pattern: /^rm -rf \/var\/lib\/apt\/lists\/\*$/, replay: () => 'skipped (apt lists)' },
  {
    pattern: /^apt-get install -y (?:--no-install-recommends )?([a-z0-9+.\- ]+)$/,
    replay: (_, match) => {
      const packages = (match[1] ?? '').trim().split(/\s+/)
      // The packages the project installs are named after the program they provide.
      const missing = packages.filter((p) => spawnSync('sh', ['-c', `command -v ${p}`]).status !== 0)
      if (missing.length > 0) fail(`the host lacks ${missing.join(', ')}, which the image installs with apt-get`)
      return `the host has ${packages.join(', ')}`
    },
  },
  {
    pattern: /^mkdir -p ((?:\/[\w./-]+ ?)+)$/,
    replay: (state, match) => {
      const dirs = (match[1] ?? '').trim().split(/\s+/)
      for (const dir of dirs) mkdirSync(join(state.root, dir), { recursive: true })
      return `created ${dirs.join(', ')} in the stage`
    },
  },
  { pattern: /^chown [\w:-]+ (?:\/[\w./-]+ ?)+$/, replay: () => 'skipped (files belong to whoever replays)' },
]

function runStep(state: StageState, instruction: Instruction): string {
  if (instruction.exec) fail(`Dockerfile line ${instruction.line}: use the shell form for RUN`)
  const command = instruction.shell ?? ''
  const parts = command.split(/\s*&&\s*/)
  const matches = parts.map((part) => {
    for (const e of emulated) {
      const match = e.pattern.exec(part)
      if (match) return { e, match }
    }
    return undefined
  })
  const known = matches.filter((m) => m !== undefined)
  if (known.length === parts.length) return known.map((m) => m.e.replay(state, m.match)).join('; ')
  if (known.length > 0 || /(^|\s)\//.test(command)) {
    fail(
      `Dockerfile line ${instruction.line}: a RUN line is either image setup the replay emulates or a project command run as written, with relative paths only: ${command}`,
    )
  }
  mkdirSync(inStage(state, '.'), { recursive: true })
  run('sh', ['-c', command], {
    what: command,
    cwd: inStage(state, '.'),
    env: { ...process.env, ...state.env, npm_config_prefer_offline: 'true' },
    stdio: ['ignore', 'inherit', 'inherit'],
  })
  return 'ran'
}

function copyStep(state: StageState, instruction: Instruction, context: string, stages: Map<string, StageState>) {
  const words = (instruction.shell ?? '').split(/\s+/)
  const dest = words.pop() ?? fail(`Dockerfile line ${instruction.line}: COPY needs a destination`)
  const from = instruction.flags.from
  const sourceRoot = from === undefined ? context : (stages.get(from)?.root ?? fail(`no stage named ${from}`))
  const target = inStage(state, dest)
  for (const source of words) {
    if (/[*?[]/.test(source)) fail(`Dockerfile line ${instruction.line}: the replay copies no wildcards (${source})`)
    // A --from source is an absolute path in that stage; a context source is relative to the context.
    const path = join(sourceRoot, source)
    if (!existsSync(path))
      fail(`Dockerfile line ${instruction.line}: ${source} does not exist in ${from ?? 'the context'}`)
    // Docker copies a directory's contents to the destination, and a file into a destination ending in /.
    const into = dest.endsWith('/') && !readdirOrUndefined(path) ? join(target, posix.basename(source)) : target
    mkdirSync(dirname(into), { recursive: true })
    cpSync(path, into, { recursive: true, verbatimSymlinks: true })
  }
}

function readdirOrUndefined(path: string): string[] | undefined {
  try {
    return readdirSync(path)
  } catch {
    return undefined
  }
}

/** The stage's instructions, in order; returns its final state. */
function replayStage(stage: Stage, dir: string, context: string, stages: Map<string, StageState>): StageState {
  const state: StageState = {
    name: stage.name,
    root: join(dir, `stage-${stage.name}`),
    workdir: '/',
    env: {},
    entrypoint: [],
    cmd: [],
    healthcheck: undefined,
    user: undefined,
  }
  mkdirSync(state.root, { recursive: true })
  log(`FROM ${stage.image} AS ${stage.name}: the host (node ${process.version}) is the base image`)
  const image = /^node:(\d+)/.exec(stage.image)
  if (image && image[1] !== process.versions.node.split('.')[0]) {
    log(
      `  note: the image has Node ${image[1]}, this host Node ${process.version}; native modules are built for the host`,
    )
  }
  for (const instruction of stage.instructions) {
    const at = Date.now()
    const text = `${instruction.keyword} ${instruction.args}`
    let outcome = ''
    switch (instruction.keyword) {
      case 'WORKDIR':
        state.workdir = posix.resolve(state.workdir, instruction.args)
        mkdirSync(inStage(state, '.'), { recursive: true })
        break
      case 'ENV':
        for (const [key, value] of envPairs(instruction)) state.env[key] = value
        break
      case 'COPY':
        copyStep(state, instruction, context, stages)
        break
      case 'RUN':
        log(`  ${text}`)
        outcome = runStep(state, instruction)
        break
      case 'USER':
        state.user = instruction.args
        outcome = 'recorded (the replay runs as the current user)'
        break
      case 'ENTRYPOINT':
        state.entrypoint = instruction.exec ?? fail(`Dockerfile line ${instruction.line}: use the exec form`)
        break
      case 'CMD':
        state.cmd = instruction.exec ?? fail(`Dockerfile line ${instruction.line}: use the exec form`)
        break
      case 'HEALTHCHECK':
        state.healthcheck = instruction.exec ?? fail(`Dockerfile line ${instruction.line}: use the exec form`)
        break
      case 'VOLUME':
      case 'EXPOSE':
      case 'LABEL':
      case 'ARG':
        outcome = 'recorded'
        break
      default:
        fail(`Dockerfile line ${instruction.line}: ${instruction.keyword} cannot be replayed`)
    }
    const line = instruction.keyword === 'RUN' ? `  → ${outcome}` : `  ${text}${outcome ? ` → ${outcome}` : ''}`
    log(`${line} (${seconds(at)})`)
  }
  stages.set(stage.name, state)
  return state
}

/** An exec-form command of the image, with paths that exist in the stage mapped to the host. */
function hostArgv(state: StageState, argv: readonly string[]): string[] {
  return argv.map((arg) => (arg.startsWith('/') && existsSync(join(state.root, arg)) ? join(state.root, arg) : arg))
}

/**
 * Every `{ env: NAME }` and `{ file: path }` in a parsed configuration, wherever it is (so secrets of
 * sections added later are found too); `log` is left out, since `log: { file }` is where logs go.
 */
function secretReferences(config: unknown): { env: string[]; files: string[] } {
  const found = { env: [] as string[], files: [] as string[] }
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk)
    else if (typeof node === 'object' && node !== null) {
      const entries = Object.entries(node)
      if (entries.length === 1 && typeof entries[0]?.[1] === 'string') {
        if (entries[0]?.[0] === 'env') found.env.push(entries[0][1])
        if (entries[0]?.[0] === 'file') found.files.push(entries[0][1])
      }
      for (const [, child] of entries) walk(child)
    }
  }
  if (typeof config === 'object' && config !== null) {
    for (const [key, child] of Object.entries(config)) if (key !== 'log') walk(child)
  }
  return found
}

/**
 * examples/config.yaml as the README mounts it: the file at the CMD's config path, its secret files
 * beside it in the working directory, its environment variables set (to placeholders: check-config
 * resolves secrets but never connects).
 */
function mountExample(state: StageState): { configPath: string; env: Record<string, string> } {
  const configArg = state.cmd[state.cmd.indexOf('--config') + 1] ?? fail('the CMD passes no --config <file>')
  const configPath = join(state.root, configArg)
  mkdirSync(dirname(configPath), { recursive: true })
  const text = readFileSync(EXAMPLE, 'utf8')
  writeFileSync(configPath, text)
  const refs = secretReferences(load(text))
  for (const file of refs.files) {
    if (file.startsWith('/'))
      fail(`examples/config.yaml: the replay can only mount secret files relative to ${state.workdir}`)
    const path = inStage(state, file)
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, 'replay-placeholder-secret\n')
  }
  return { configPath, env: Object.fromEntries(refs.env.map((name) => [name, 'replay-placeholder-secret'])) }
}

function runImage(state: StageState, args: readonly string[], what: string, extra: SpawnSyncOptions = {}): string {
  const [command, ...rest] = hostArgv(state, state.entrypoint)
  if (!command) fail('the runtime stage has no ENTRYPOINT')
  return run(command, [...rest, ...args], {
    what,
    cwd: inStage(state, '.'),
    // A container's environment: what the image sets, and what `docker run -e` adds; not the host's.
    env: { PATH: process.env.PATH ?? '', ...state.env, ...(extra.env ?? {}) },
    ...(extra.input === undefined ? {} : { input: extra.input }),
  })
}

/** The HEALTHCHECK command against a local /healthz answering `status`; returns its exit status. */
async function probeHealthcheck(state: StageState, status: number): Promise<number | null> {
  const server = createServer((req, res) => {
    res.writeHead(req.url === '/healthz' ? status : 404).end('{}')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  try {
    const [command, ...args] = hostArgv(state, state.healthcheck ?? fail('the runtime stage has no HEALTHCHECK'))
    return await new Promise((resolve, reject) => {
      const child = spawn(command ?? '', args, {
        cwd: inStage(state, '.'),
        env: { PATH: process.env.PATH ?? '', ...state.env, XEN_CHATOPS_HEALTH_URL: `http://127.0.0.1:${port}/healthz` },
        stdio: 'ignore',
      })
      child.on('error', reject)
      child.on('close', (code) => resolve(code))
    })
  } finally {
    server.close()
  }
}

/** The runtime's node_modules holds no package the lockfile marks as a dev dependency. */
function checkProductionOnly(state: StageState): void {
  const script = hostArgv(state, state.entrypoint).find((arg) => arg.endsWith('.js'))
  if (!script) fail('the ENTRYPOINT runs no .js file')
  const app = dirname(dirname(script))
  const lock = JSON.parse(readFileSync(join(app, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean }>
  }
  const dev = Object.entries(lock.packages).filter(([path, entry]) => path !== '' && entry.dev === true)
  const present = dev.filter(([path]) => existsSync(join(app, path, 'package.json'))).map(([path]) => path)
  if (present.length > 0) fail(`the runtime has dev dependencies: ${present.join(', ')}`)
  log(`  ${relative(state.root, join(app, 'node_modules'))}: none of the lockfile's ${dev.length} dev packages`)
}

async function smoke(state: StageState): Promise<void> {
  checkProductionOnly(state)
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }
  const version = runImage(state, ['--version'], 'xen-chatops --version').trim()
  if (version !== pkg.version) fail(`--version printed "${version}", package.json says ${pkg.version}`)
  log(`  xen-chatops --version → ${version}`)

  const { configPath, env } = mountExample(state)
  const checked = runImage(state, ['check-config', configPath], 'xen-chatops check-config', { env }).trim()
  if (!checked.endsWith(': ok')) fail(`check-config did not say ok:\n${checked}`)
  log(`  xen-chatops check-config ${relative(state.root, configPath)} (examples/config.yaml) → ok`)

  // The whole runtime tree at work: simulator, scenarios, xen-api, the native better-sqlite3.
  const demo = runImage(state, ['demo'], 'xen-chatops demo', { input: '/docker vms\n' })
  if (!/\(\d+ Docker-managed VMs/.test(demo)) fail(`the demo did not list the Docker VMs:\n${demo}`)
  log('  printf "/docker vms\\n" | xen-chatops demo → lists the Docker VMs')

  const healthy = await probeHealthcheck(state, 200)
  const unhealthy = await probeHealthcheck(state, 503)
  if (healthy !== 0 || unhealthy !== 1)
    fail(`HEALTHCHECK exited ${healthy} on 200 and ${unhealthy} on 503 (want 0 and 1)`)
  log('  HEALTHCHECK → 0 when /healthz answers 200, 1 when it answers 503')
}

async function main(args: readonly string[]): Promise<number> {
  const dockerfile = parseDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'))
  const dir = mkdtempSync(join(tmpdir(), 'xen-chatops-replay-'))
  let ok = false
  try {
    const context = join(dir, 'context')
    log(`build context: ${copyContext(context)} files (the tree minus .dockerignore) in ${context}`)
    const stages = new Map<string, StageState>()
    let last: StageState | undefined
    for (const stage of dockerfile.stages) last = replayStage(stage, dir, context, stages)
    if (!last) fail('no stage')
    if (!last.user || last.user === 'root' || last.user === '0') fail('the runtime stage must end with a non-root USER')
    log(`runtime stage "${last.name}" built; starting it (${[...last.entrypoint, ...last.cmd].join(' ')})`)
    await smoke(last)
    ok = true
    log(`the Dockerfile replayed and its image answered, in ${seconds(started)}`)
    return 0
  } finally {
    if (args.includes('--keep') || !ok) log(`left in ${dir}`)
    else rmSync(dir, { recursive: true, force: true })
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    console.error(`replay-dockerfile: ${error instanceof Error ? error.message : String(error)}`)
    process.exitCode = 1
  },
)
