/**
 * Scenario files: YAML describing the pools a simulator serves (hosts, storage, networks, templates,
 * VMs, faults), validated with a strict zod schema so a typo fails loudly with its path.
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { load } from 'js-yaml'
import { z } from 'zod'
import { containerSpecSchema } from './docker/docker-daemon.js'

const UNITS: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, TiB: 1024 ** 4 }

/** A byte count, as a number or as `8GiB`, `512 MiB`. */
export const size = z
  .union([z.number().int().nonnegative(), z.string().regex(/^\d+(\.\d+)?\s*(B|KiB|MiB|GiB|TiB)$/, 'a size like 8GiB')])
  .transform((v) => {
    if (typeof v === 'number') return v
    const m = /^(\d+(?:\.\d+)?)\s*(\w+)$/.exec(v)
    return Math.round(Number(m?.[1]) * (UNITS[m?.[2] ?? 'B'] ?? 1))
  })

const name = z.string().min(1)
const stringMap = z.record(z.string(), z.string())

const faultSpec = z
  .object({
    latency: z.record(z.string(), z.number().int().nonnegative()).optional(),
    hang: z.array(z.string()).optional(),
    resetConnections: z.number().int().nonnegative().optional(),
    failNextTask: z.record(z.string(), z.array(z.string()).min(1)).optional(),
    eventsLost: z.boolean().optional(),
    dropAnswers: z.record(z.string(), z.number().int().positive()).optional(),
  })
  .strict()

const host = z
  .object({
    name,
    product: z
      .object({
        brand: z.string().default('XenServer'),
        version: z.string().default('7.6.0'),
        build: z.string().default('0'),
      })
      .strict()
      .prefault({}),
    cpus: z.number().int().positive().default(8),
    memory: size.prefault('64GiB'),
    xscontainer: z.boolean().default(false).describe('the xscontainer supplemental pack is installed on this host'),
  })
  .strict()

const sr = z
  .object({
    name,
    type: z.string().default('ext'),
    contentType: z.enum(['user', 'iso']).default('user'),
    size: size.prefault('500GiB'),
    shared: z.boolean().default(false),
    default: z.boolean().default(false),
    isos: z.array(z.object({ name, size: size.prefault('400MiB') }).strict()).default([]),
  })
  .strict()

const network = z.object({ name, bridge: z.string().min(1) }).strict()

const provisionDisk = z
  .object({
    device: z.string().default('0'),
    size,
    sr: z.string().optional().describe('SR name; the pool default SR when absent'),
    bootable: z.boolean().default(true),
    type: z.string().default('system'),
  })
  .strict()

const template = z
  .object({
    name,
    description: z.string().default(''),
    provision: z.array(provisionDisk).default([]),
    otherConfig: stringMap.default({}),
    tags: z.array(z.string()).default([]),
    memory: size.prefault('2GiB'),
    vcpus: z.number().int().positive().default(2),
    guest: z
      .object({ tools: z.boolean().default(true), distro: z.string().default('linux') })
      .strict()
      .prefault({}),
  })
  .strict()

const guestUser = z
  .object({
    name: z.string().regex(/^[a-z_][a-z0-9_-]*$/, 'a Unix user name'),
    password: z.string().min(1).optional().describe('allows password logins (absent: key only)'),
    authorizedKeys: z.array(z.string()).default([]).describe('lines of ~/.ssh/authorized_keys'),
    docker: z.boolean().default(true).describe('in the docker group: may open /var/run/docker.sock'),
    botKey: z.boolean().default(false).describe("the bot's key is in authorized_keys (the VM was built with it)"),
  })
  .strict()

const guestSsh = z
  .object({
    server: z.boolean().default(true),
    poolKeyAuthorized: z.boolean().default(true).describe("the pool's xscontainer key is in authorized_keys"),
    ncat: z.boolean().default(true),
    dockerCli: z.boolean().default(true).describe('the docker CLI is on the PATH (docker system dial-stdio)'),
    socket: z.boolean().default(true).describe('Docker is installed: /var/run/docker.sock exists while it runs'),
    streamLocal: z.boolean().default(true).describe('sshd allows direct-streamlocal forwarding'),
    users: z
      .array(guestUser)
      .min(1)
      .default([{ name: 'core', authorizedKeys: [], docker: true, botKey: false }]),
  })
  .strict()

const dockerGuest = z
  .object({
    containers: z.array(containerSpecSchema).default([]),
    engineVersion: z.string().optional(),
    os: z.string().optional(),
    monitor: z.boolean().optional().describe('sets other_config xscontainer-monitor to True / False; absent: no key'),
    ssh: guestSsh.prefault({}),
  })
  .strict()

const vm = z
  .object({
    name,
    description: z.string().default(''),
    power: z.enum(['running', 'halted', 'paused', 'suspended']).default('halted'),
    host: z.string().optional().describe('host name; chosen by the simulator when absent'),
    tools: z.boolean().default(true),
    ips: z.array(z.string()).default([]),
    distro: z.string().default('linux'),
    bootSeconds: z.number().nonnegative().default(20),
    disks: z.array(z.object({ size, sr: z.string().optional() }).strict()).default([]),
    cdrom: z.string().optional().describe('ISO name inserted in a CD drive'),
    networks: z.array(z.string()).optional().describe('network names; the first network when absent'),
    otherConfig: stringMap.default({}),
    tags: z.array(z.string()).default([]),
    memory: size.prefault('2GiB'),
    vcpus: z.number().int().positive().default(2),
    docker: dockerGuest.optional().describe('the guest runs a Docker engine'),
  })
  .strict()

const credentials = z.object({ username: z.string().min(1), password: z.string().min(1) }).strict()

const pool = z
  .object({
    name,
    credentials: credentials.optional(),
    hosts: z.array(host).min(1),
    srs: z.array(sr).default([]),
    networks: z.array(network).default([]),
    templates: z.array(template).default([]),
    vms: z.array(vm).default([]),
    faults: faultSpec.optional(),
  })
  .strict()

export const scenarioSchema = z
  .object({
    name,
    description: z.string().default(''),
    credentials: credentials.default({ username: 'root', password: 'xenroot' }),
    pools: z.array(pool).min(1),
  })
  .strict()

export type Scenario = z.infer<typeof scenarioSchema>
export type ScenarioPool = Scenario['pools'][number]
export type ScenarioVm = ScenarioPool['vms'][number]

export class ScenarioError extends Error {}

export function parseScenario(text: string, source: string): Scenario {
  let data: unknown
  try {
    data = load(text)
  } catch (error) {
    throw new ScenarioError(`${source}: not valid YAML: ${(error as Error).message}`)
  }
  const parsed = scenarioSchema.safeParse(data)
  if (!parsed.success) throw new ScenarioError(`${source}: invalid scenario\n${z.prettifyError(parsed.error)}`)
  return parsed.data
}

/** The project's `scenarios/` folder, found from this file whether it runs from src/ or dist/src/. */
export function scenariosDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir)
    if (parent === dir) throw new ScenarioError('cannot find the project root (package.json)')
    dir = parent
  }
  return join(dir, 'scenarios')
}

/** Loads a shipped scenario by name (`demo`) or a file by path (`./my-lab.yaml`). */
export function loadScenario(nameOrPath: string): Scenario {
  const isPath = nameOrPath.includes('/') || /\.ya?ml$/.test(nameOrPath)
  const file = isPath ? resolve(nameOrPath) : join(scenariosDir(), `${nameOrPath}.yaml`)
  if (!existsSync(file)) {
    throw new ScenarioError(
      isPath ? `scenario file not found: ${file}` : `no scenario named "${nameOrPath}" in ${scenariosDir()}`,
    )
  }
  return parseScenario(readFileSync(file, 'utf8'), file)
}
