/**
 * The simulated guests' Docker Engine API through real dockerode over SSH, both routes Docker has:
 * `docker system dial-stdio` on an exec channel (dockerode's own ssh protocol, as `docker -H ssh://`
 * does) and `direct-streamlocal@openssh.com` to /var/run/docker.sock (a minimal agent here).
 */
import { Agent, type AgentOptions, type ClientRequestArgs } from 'node:http'
import type { Duplex } from 'node:stream'
import { PassThrough } from 'node:stream'
import Docker from 'dockerode'
import type { Client } from 'ssh2'
import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../../src/sim/clock.js'
import type { DockerEvent } from '../../../src/sim/docker/docker-daemon.js'
import { startSim } from '../../helpers/sim.js'
import { connect } from '../../helpers/ssh-client.js'
import { CORE_PASSWORD, guestsScenario, OPS_PASSWORD } from './guests-fixture.js'

/** On a clock that moves only when the test says: `cron` crashes 60 simulated seconds in. */
async function start(clock = new ManualClock()) {
  const sim = await startSim({ scenario: guestsScenario(), clock })
  const at = (await sim.sshEndpoint('10.9.0.1')) ?? expect.fail('no endpoint')
  const pool = sim.pool('lab').pool
  const ref = pool.store.find('VM', (r) => r.name_label === 'box')[0] ?? ''
  const daemon = pool.guests.get(ref)?.docker ?? expect.fail('no daemon')
  // dockerode's built-in route: one SSH connection and one `docker system dial-stdio` per request.
  // docker-modem reads `password` though @types/dockerode omits it, hence a variable, not a literal.
  const options = { protocol: 'ssh' as const, host: at.host, port: at.port, username: 'core', password: CORE_PASSWORD }
  const docker = new Docker(options)
  return { sim, at, daemon, docker, server: sim.guestSsh.serverOf('lab', 'box') }
}

/** An agent whose sockets are stream-local channels of one SSH connection (keep-alive off: bare channels suffice). */
class StreamLocalAgent extends Agent {
  readonly #client: Client
  constructor(client: Client, options: AgentOptions = {}) {
    super({ ...options, keepAlive: false })
    this.#client = client
  }
  override createConnection(_options: ClientRequestArgs, callback: (error: Error | null, socket?: Duplex) => void) {
    this.#client.openssh_forwardOutStreamLocal('/var/run/docker.sock', (error, channel) =>
      error ? callback(error) : callback(null, channel),
    )
    return undefined as unknown as Duplex
  }
}

function overStreamLocal(client: Client): Docker {
  const options = { protocol: 'http' as const, host: 'docker', port: 2375, agent: new StreamLocalAgent(client) }
  return new Docker(options)
}

/** Demultiplexes a `logs` buffer with docker-modem's own demuxer. */
async function demux(docker: Docker, buffer: Buffer): Promise<{ stdout: string; stderr: string }> {
  const out = new PassThrough()
  const err = new PassThrough()
  let stdout = ''
  let stderr = ''
  out.on('data', (c: Buffer) => {
    stdout += c.toString()
  })
  err.on('data', (c: Buffer) => {
    stderr += c.toString()
  })
  const source = new PassThrough()
  docker.modem.demuxStream(source, out, err)
  source.end(buffer)
  await new Promise((resolve) => source.on('end', resolve).resume())
  await new Promise((resolve) => setImmediate(resolve))
  return { stdout, stderr }
}

describe('Engine API over dial-stdio (dockerode ssh route)', () => {
  it('answers ping, version, info and the container list', async () => {
    const { docker } = await start()
    expect(String(await docker.ping())).toBe('OK')
    expect(await docker.version()).toMatchObject({ Version: '20.10.24', ApiVersion: '1.41' })
    expect(await docker.info()).toMatchObject({ Containers: 3, ContainersRunning: 2 })
    const all = await docker.listContainers({ all: true })
    expect(all.map((c) => c.Names[0]).sort()).toEqual(['/cron', '/done', '/web'])
    expect((await docker.listContainers()).map((c) => c.State)).toEqual(['running', 'running'])
  })

  it('inspects, lists processes, and gives one-shot stats', async () => {
    const { docker } = await start()
    const web = docker.getContainer('web')
    expect(await web.inspect()).toMatchObject({ Name: '/web', State: { Running: true } })
    const top = await web.top()
    expect(top.Titles).toContain('PID')
    expect(top.Processes.length).toBeGreaterThan(0)
    const stats = await web.stats({ stream: false })
    expect(stats).toMatchObject({ name: '/web', memory_stats: { usage: expect.any(Number) } })
  })

  it('sends logs in the multiplexed framing, last N lines, stdout and stderr apart', async () => {
    const { docker } = await start()
    const buffer = (await docker.getContainer('web').logs({ stdout: true, stderr: true, tail: 2 })) as Buffer
    expect(buffer[0]).toBe(1)
    const { stdout } = await demux(docker, buffer)
    expect(stdout).toBe('first line\nsecond \u001b[31mred\u001b[0m line\n')
  })

  it('runs the lifecycle actions and reports Docker errors with their status', async () => {
    const { docker, daemon } = await start()
    const actions: string[] = []
    daemon.events.on('event', (e: DockerEvent) => actions.push(`${e.Action}:${e.Actor.Attributes.name}`))
    const web = docker.getContainer('web')
    await web.pause()
    await web.unpause()
    await web.restart()
    await web.stop()
    await web.start()
    expect(actions).toEqual(
      expect.arrayContaining(['pause:web', 'unpause:web', 'restart:web', 'stop:web', 'start:web']),
    )
    await expect(web.start()).rejects.toMatchObject({ statusCode: 304 })
    await expect(docker.getContainer('nope').inspect()).rejects.toMatchObject({
      statusCode: 404,
      json: { message: 'No such container: nope' },
    })
  })
})

describe('Engine API over direct-streamlocal', () => {
  it('serves the same daemon, and streams /events as actions happen', async () => {
    const { at, docker } = await start()
    const client = await connect(at, { username: 'core', password: CORE_PASSWORD })
    const local = overStreamLocal(client)
    expect((await local.listContainers({ all: true })).length).toBe(3)
    const stream = (await local.getEvents()) as NodeJS.ReadableStream
    const first = new Promise<Record<string, unknown>>((resolve) =>
      stream.once('data', (chunk: Buffer) => resolve(JSON.parse(chunk.toString()) as Record<string, unknown>)),
    )
    await docker.getContainer('done').start()
    expect(await first).toMatchObject({ Type: 'container', Action: 'start', Actor: { Attributes: { name: 'done' } } })
    ;(stream as unknown as { destroy(): void }).destroy()
  })

  it('refuses the channel to a user outside the docker group and where sshd forbids it', async () => {
    const { at, sim } = await start()
    const ops = await connect(at, { username: 'ops', password: OPS_PASSWORD })
    await expect(overStreamLocal(ops).ping()).rejects.toThrow(/Channel open failure/)
    const bareAt = (await sim.sshEndpoint('10.9.0.4')) ?? expect.fail('no bare')
    const bare = await connect(bareAt, { username: 'core', password: CORE_PASSWORD })
    await expect(overStreamLocal(bare).ping()).rejects.toThrow(/Channel open failure/)
  })
})

describe('a container that exits while a call is in flight', () => {
  it('answers with the state at the moment the daemon handles the call', async () => {
    const clock = new ManualClock()
    const { docker, server } = await start(clock)
    const held = server.engine.hold(/^\/containers\/cron\/logs$/)
    const logs = docker.getContainer('cron').logs({ stdout: true, stderr: true, tail: 5 })
    await held.reached
    await clock.advance(61_000)
    held.release()
    const { stderr } = await demux(docker, (await logs) as Buffer)
    expect(stderr).toContain('fatal: unrecoverable error, exiting with status 3')
    expect(await docker.getContainer('cron').inspect()).toMatchObject({ State: { Running: false, ExitCode: 3 } })
    await expect(docker.getContainer('cron').top()).rejects.toMatchObject({ statusCode: 409 })
  })
})
