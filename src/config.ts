/**
 * Configuration: one YAML file validated by a strict zod schema (unknown keys are errors, so typos
 * surface), secrets only as references — `{ env: NAME }` or `{ file: path }` — never inline.
 * `xen-chatops check-config` runs `checkConfig` and prints every problem with its path in the file.
 */
import { readFileSync } from 'node:fs'
import { load } from 'js-yaml'
import { z } from 'zod'
import { discordConfigSchema, discordSubjectProblems } from '../adapters/discord/discord-config.js'
import { resolveSlackSecrets, slackConfigSchema } from '../adapters/slack/slack-config.js'
import { alertDestinationProblems, alertsSchema } from './alerts/alerts-config.js'
import { accessSchema } from './core/access.js'
import { approvalsSchema } from './core/approval-policy.js'
import { resolveSecret, secretRefSchema } from './secret-ref.js'

export { resolveSecret, type SecretRef, secretRefSchema } from './secret-ref.js'

/** A SHA-256 certificate fingerprint, as `openssl x509 -fingerprint -sha256` prints it (colons optional). */
const fingerprint = z
  .string()
  .transform((s) => s.replace(/:/g, '').toLowerCase())
  .pipe(z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 fingerprint: 64 hex digits, colons allowed'))
  .describe(
    "the certificate's SHA-256 fingerprint as `openssl x509 -noout -fingerprint -sha256` prints it: 64 hex digits, colons and either case allowed",
  )

export const poolTlsSchema = z
  .union([
    z.literal('verify').describe('verify the certificate against the system CAs (default)'),
    z.literal('insecure').describe('accept any certificate; only for labs, and it must be said explicitly'),
    z.object({ fingerprint }).strict().describe('accept exactly the certificate with this SHA-256 fingerprint'),
  ])
  .default('verify')
  .describe("how the master's TLS certificate is checked; a pinned fingerprint needs an https:// URL")

export const poolConfigSchema = z
  .object({
    name: z
      .string()
      .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, 'letters, digits, . _ - (it appears in commands)')
      .describe('the name people type in commands (`/docker vms <pool>`) and see in replies; unique among the pools'),
    url: z.url({ protocol: /^https?$/ }).describe("the pool master's XAPI URL, e.g. https://xs-master.example"),
    username: z
      .string()
      .min(1)
      .default('root')
      .describe('the XAPI account the bot logs in as (see the README for a least-privilege account)'),
    password: secretRefSchema,
    tls: poolTlsSchema,
    dockerBackend: z
      .enum(['auto', 'ssh'])
      .default('auto')
      .describe(
        'auto: xscontainer for VMs registered with it, SSH for VMs tagged docker; ssh: every Docker VM over SSH',
      ),
  })
  .strict()
  .refine((pool) => typeof pool.tls !== 'object' || new URL(pool.url).protocol === 'https:', {
    message: 'a pinned fingerprint needs an https:// URL (plain HTTP has no certificate to pin)',
    path: ['tls'],
  })
export type PoolConfig = z.infer<typeof poolConfigSchema>
export type PoolTls = PoolConfig['tls']

/**
 * Issue #15: the shared engine for several replicas. The URL holds the password, so it is a secret
 * reference like every other secret. The schema pattern is src/store/pg/pg-migrations.ts's SCHEMA_NAME,
 * repeated here so the configuration does not load the PostgreSQL client.
 */
export const postgresStoreSchema = z
  .object({
    url: secretRefSchema.describe(
      'the database URL, postgres://user:password@host:5432/database (libpq options such as ?sslmode=require allowed), as { env: NAME } or { file: path } since it holds the password',
    ),
    schema: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'lower-case letters, digits and _, at most 63, not starting with a digit')
      .optional()
      .describe("the schema for the bot's tables, created when missing; default the connection's own (public)"),
    poolSize: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(10)
      .describe('connections each replica keeps open to the database'),
  })
  .strict()

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const

export const appConfigSchema = z
  .object({
    log: z
      .object({
        level: z.enum(LOG_LEVELS).default('info').describe('the least severe level written'),
        file: z.string().min(1).optional().describe('write logs to this file instead of standard error'),
      })
      .strict()
      .prefault({})
      .describe('logging: pino JSON lines, with passwords, tokens and keys censored'),
    pools: z
      .array(poolConfigSchema)
      .min(1, 'configure at least one pool')
      .describe('the pools to manage, each reached through its master; at least one'),
    access: accessSchema,
    approvals: approvalsSchema,
    store: z
      .object({
        dataDir: z
          .string()
          .min(1)
          .default('./data')
          .describe(
            'where the SQLite database (jobs, approvals, audit) lives; with postgres, still where the SSH key is made',
          ),
        postgres: postgresStoreSchema
          .optional()
          .describe(
            'keep the state in PostgreSQL instead of SQLite, shared by several replicas of the bot (see the README, running several replicas)',
          ),
      })
      .strict()
      .prefault({})
      .describe("the bot's durable state: SQLite in dataDir, or PostgreSQL"),
    ssh: z
      .object({
        privateKey: secretRefSchema
          .optional()
          .describe(
            "the bot's SSH private key; when absent one is made in <store.dataDir>/ssh/id_ed25519 (replicas sharing PostgreSQL each make their own: give them this one)",
          ),
        transport: z
          .enum(['dial-stdio', 'streamlocal'])
          .default('dial-stdio')
          .describe('how Docker is reached over SSH: `docker system dial-stdio`, or the socket forwarded by sshd'),
        callTimeoutSeconds: z.number().int().min(1).max(600).default(20).describe('each Docker call over SSH'),
      })
      .strict()
      .prefault({})
      .describe("the bot's SSH side: its key, and how it reaches Docker in VMs"),
    provisioning: z
      .object({
        dockerReadyTemplates: z
          .array(z.string().min(1))
          .default([])
          .describe('template names /coreos create offers besides CoreOS and templates tagged docker-ready'),
        ipTimeoutSeconds: z
          .number()
          .int()
          .positive()
          .max(3600)
          .default(600)
          .describe('how long a new VM may take to report its IP'),
        dockerTimeoutSeconds: z
          .number()
          .int()
          .positive()
          .max(3600)
          .default(300)
          .describe('how long Docker in a new VM may take to answer once it has an IP'),
      })
      .strict()
      .prefault({})
      .describe(
        '/coreos create: which templates it offers besides CoreOS and docker-ready ones, and how long it waits',
      ),
    http: z
      .object({
        port: z
          .number()
          .int()
          .min(0)
          .max(65_535)
          .optional()
          .describe('serve /healthz and /metrics on this port; no server when absent'),
        host: z.string().min(1).default('127.0.0.1').describe('the address to bind (loopback by default)'),
      })
      .strict()
      .optional()
      .describe('the operations endpoint, GET /healthz and GET /metrics (Prometheus); off when absent'),
    platforms: z
      .object({
        shell: z
          .object({ user: z.string().min(1).describe('the terminal user the chat starts as') })
          .strict()
          .optional()
          .describe('the terminal chat on standard input and output (`/as <user>` switches user)'),
        slack: slackConfigSchema
          .optional()
          .describe('the Slack app: Socket Mode by default, or HTTP; see docs/setup-slack.md'),
        discord: discordConfigSchema(secretRefSchema)
          .optional()
          .describe('Discord over the gateway (docs/setup-discord.md)'),
      })
      .strict()
      .prefault({})
      .describe('the chat platforms the bot serves'),
    /** Issue #11: the alert channel; no alerts are posted when absent. */
    alerts: alertsSchema.optional().describe('where alerts about containers, VMs and pools are posted'),
  })
  .strict()
  .superRefine((config, ctx) => {
    for (const problem of discordSubjectProblems(config.access)) ctx.addIssue({ code: 'custom', ...problem })
    // Issue #11: an alert can only go where a configured platform can post it.
    for (const problem of alertDestinationProblems(config.alerts, config.platforms)) {
      ctx.addIssue({ code: 'custom', ...problem })
    }
    const seen = new Set<string>()
    config.pools.forEach((pool, i) => {
      if (seen.has(pool.name))
        ctx.addIssue({ code: 'custom', path: ['pools', i, 'name'], message: `duplicate pool name "${pool.name}"` })
      seen.add(pool.name)
    })
  })

export type AppConfig = z.infer<typeof appConfigSchema>

export interface ConfigProblem {
  /** Where in the file: `pools[0].url`, or '' for the whole document. */
  readonly path: string
  readonly message: string
}

export class ConfigError extends Error {
  readonly problems: readonly ConfigProblem[]

  constructor(source: string, problems: readonly ConfigProblem[]) {
    super(
      `${source}: ${problems.length} problem(s)\n${problems.map((p) => `  ${p.path || '(top)'}: ${p.message}`).join('\n')}`,
    )
    this.name = 'ConfigError'
    this.problems = problems
  }
}

function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`))
    .join('')
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * Whether the document has no value at `path` (the key is absent, or written with nothing after it,
 * which YAML reads as null). zod does not report the input it rejected, so the document is asked.
 */
function absent(data: unknown, path: readonly PropertyKey[]): boolean {
  let node = data
  for (const key of path) {
    if (node === undefined || node === null) return true
    node = Array.isArray(node) || isRecord(node) ? (node as Record<PropertyKey, unknown>)[key] : undefined
  }
  return node === undefined || node === null
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let node = data
  for (const key of path)
    node = Array.isArray(node) || isRecord(node) ? (node as Record<PropertyKey, unknown>)[key] : undefined
  return node
}

/** The keys an object schema accepts, found by following `path` through arrays, records and wrappers. */
function keysAt(schema: z.core.$ZodType, path: readonly PropertyKey[]): string[] | undefined {
  let node: z.core.$ZodType | undefined = schema
  let rest = [...path]
  for (let guard = 0; node && guard < 50; guard++) {
    const def = node._zod.def as unknown as Record<string, unknown> & { type: string }
    const inner = (name: string) => def[name] as z.core.$ZodType | undefined
    if (def.type === 'object') {
      const shape = def.shape as Record<string, z.core.$ZodType>
      if (rest.length === 0) return Object.keys(shape)
      const [key, ...tail] = rest
      node = shape[String(key)]
      rest = tail
    } else if (def.type === 'array' || def.type === 'record') {
      if (rest.length === 0) return undefined
      node = inner(def.type === 'array' ? 'element' : 'valueType')
      rest = rest.slice(1)
    } else if (def.type === 'pipe') node = inner('in')
    else if ('innerType' in def) node = inner('innerType')
    else return undefined
  }
  return undefined
}

const SECRET_REF = '{ env: NAME } or { file: path }'

/** Plainer words for the problems people hit most; never a value from the file (it may be a secret). */
function explain(issue: z.core.$ZodIssue, data: unknown): string {
  const path = formatPath(issue.path)
  const missing = absent(data, issue.path)
  if (issue.code === 'invalid_type' && missing) {
    if (path === 'access') {
      return 'missing: add roles and subjects (access is denied by default, so without them nobody can use the bot)'
    }
    if (path === 'pools') return 'missing: the pools to manage, each with a name, url and password'
    if (/^pools\[\d+\]\.url$/.test(path)) return "missing: the pool master's XAPI URL, e.g. https://xs-master.example"
    return 'missing'
  }
  if (issue.code === 'invalid_format' && /^pools\[\d+\]\.url$/.test(path)) {
    return "must be an http:// or https:// URL of the pool master's XAPI, e.g. https://xs-master.example"
  }
  if (issue.code === 'invalid_type' && path === '') {
    return 'the file must be a YAML mapping with the keys log, pools, access and platforms'
  }
  // A custom issue (a mode that needs this secret) already says what to do.
  if (
    issue.code !== 'custom' &&
    /^(pools\[\d+\]\.password|platforms\.slack\.(botToken|appToken|signingSecret)|store\.postgres\.url)$/.test(path)
  ) {
    if (missing) return `missing: a secret reference, ${SECRET_REF}`
    if (!isRecord(valueAt(data, issue.path))) {
      return `must be a secret reference, ${SECRET_REF}; the secret itself never goes in this file`
    }
    return 'must be { env: NAME } with NAME an upper-case environment variable name, or { file: path }, not both'
  }
  if (issue.code === 'invalid_union' && /^pools\[\d+\]\.tls$/.test(path)) {
    return 'must be verify, insecure, or { fingerprint: <SHA-256 of the certificate> }'
  }
  return issue.message
}

/** One problem per issue, and one per unknown key (at the key's own path, so it can be found in the file). */
function problemsOf(error: z.ZodError, data: unknown): ConfigProblem[] {
  return error.issues.flatMap((issue) => {
    if (issue.code !== 'unrecognized_keys') return [{ path: formatPath(issue.path), message: explain(issue, data) }]
    const known = keysAt(appConfigSchema, issue.path)
    const hint = known ? `; the keys here are ${known.join(', ')}` : ''
    return issue.keys.map((key) => ({ path: formatPath([...issue.path, key]), message: `unknown key${hint}` }))
  })
}

/** Validates a parsed document; every problem, not just the first. */
export function validateConfig(data: unknown, source: string): AppConfig {
  const parsed = appConfigSchema.safeParse(data)
  if (parsed.success) return parsed.data
  throw new ConfigError(source, problemsOf(parsed.error, data))
}

/** js-yaml's reason and position, on one line (its message carries a multi-line excerpt of the file). */
function yamlMessage(error: unknown): string {
  const e = error as { reason?: unknown; mark?: { line?: unknown; column?: unknown }; message?: unknown }
  if (typeof e.reason === 'string' && typeof e.mark?.line === 'number' && typeof e.mark.column === 'number') {
    return `not valid YAML: ${e.reason} at line ${e.mark.line + 1}, column ${e.mark.column + 1}`
  }
  return `not valid YAML: ${String(e.message ?? error).split('\n')[0]}`
}

export function parseConfigText(text: string, source: string): AppConfig {
  let data: unknown
  try {
    data = load(text)
  } catch (error) {
    throw new ConfigError(source, [{ path: '', message: yamlMessage(error) }])
  }
  return validateConfig(data ?? {}, source)
}

export function loadConfig(path: string): AppConfig {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    throw new ConfigError(path, [
      { path: '', message: `cannot read the file: ${(error as NodeJS.ErrnoException).code ?? String(error)}` },
    ])
  }
  return parseConfigText(text, path)
}

/** `check-config`: the schema, then every secret reference resolved (values are never printed). */
export function checkConfig(path: string, env: NodeJS.ProcessEnv = process.env): ConfigProblem[] {
  let config: AppConfig
  try {
    config = loadConfig(path)
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems]
    throw error
  }
  const problems: ConfigProblem[] = []
  config.pools.forEach((pool, i) => {
    try {
      resolveSecret(pool.password, env)
    } catch (error) {
      problems.push({ path: `pools[${i}].password`, message: (error as Error).message })
    }
  })
  const discord = config.platforms.discord
  if (discord) {
    try {
      resolveSecret(discord.token, env)
    } catch (error) {
      problems.push({ path: 'platforms.discord.token', message: (error as Error).message })
    }
  }
  const postgres = config.store.postgres
  if (postgres) {
    try {
      resolveSecret(postgres.url, env)
    } catch (error) {
      problems.push({ path: 'store.postgres.url', message: (error as Error).message })
    }
  }
  const slack = config.platforms.slack
  if (slack) {
    for (const { key, message } of resolveSlackSecrets(slack, env, { checkKinds: false }).problems) {
      problems.push({ path: `platforms.slack.${key}`, message })
    }
  }
  return problems
}
