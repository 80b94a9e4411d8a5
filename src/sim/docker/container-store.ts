/**
 * The daemon's containers and the host resources it hands them: lookup as daemon/container.go
 * `GetContainer` does it, host PIDs and bridge addresses.
 */
import { z } from 'zod'
import { ContainerModel, sha256 } from './container-model.js'
import { type ContainerSpec, containerSpecSchema, type ResolvedContainerSpec } from './container-spec.js'
import { ambiguousPrefix, DockerError, invalidIdentifier, noSuchContainer } from './docker-errors.js'
import { stateString } from './docker-status-text.js'

export class ContainerStore {
  /** In creation (scenario) order. */
  readonly all: readonly ContainerModel[]
  readonly #ncpu: number
  #nextPid: number

  constructor(hostname: string, specs: readonly (ContainerSpec | ResolvedContainerSpec)[], now: number, ncpu: number) {
    this.#ncpu = ncpu
    this.#nextPid = 900 + (Number.parseInt(sha256(hostname).slice(0, 4), 16) % 1500)
    const resolved = z.array(containerSpecSchema).parse(specs)
    const models = resolved.map((spec) => new ContainerModel(hostname, spec, now))
    const seen = new Map<string, string>()
    for (const c of models) {
      const other = seen.get(c.name)
      // daemon/errors.go `nameConflictError`, as `docker create` with a taken name answers.
      if (other) {
        throw new DockerError(
          409,
          `Conflict. The container name "/${c.name}" is already in use by container "${other}". You have to remove (or rename) that container to be able to reuse that name.`,
        )
      }
      seen.set(c.name, c.id)
    }
    this.all = models
  }

  /**
   * `GetContainer`: a full id, then an exact name with or without its '/' (case-sensitive), then a
   * unique id prefix. Anything else is 404 with the caller's text; several prefix matches are an error.
   */
  find(given: string): ContainerModel {
    if (given === '') throw invalidIdentifier(given)
    const byId = this.all.find((c) => c.id === given)
    if (byId) return byId
    const name = given.startsWith('/') ? given.slice(1) : given
    const byName = this.all.find((c) => c.name === name)
    if (byName) return byName
    const matches = this.all.filter((c) => c.id.startsWith(given))
    if (matches.length > 1) throw ambiguousPrefix(given)
    const only = matches[0]
    if (!only) throw noSuchContainer(given)
    return only
  }

  /** Host PIDs climb; containerd-shim and runc init take a few before the container's first process. */
  allocatePid(c: ContainerModel): number {
    const pid = this.#nextPid + 21
    this.#nextPid = pid + c.profile.processes(c.cmdLine, this.#ncpu).length + 15
    return pid
  }

  /** libnetwork's IPAM hands out the lowest free address of the default bridge, 172.17.0.0/16. */
  allocateIp(): string {
    const used = new Set(this.all.map((c) => c.ip))
    for (let n = 2; ; n++) {
      const ip = `172.17.${n >> 8}.${n & 255}`
      if (!used.has(ip)) return ip
    }
  }

  /** daemon/metrics.go `setStateCounter`: created, exited and restarting all count as stopped. */
  counts(): { total: number; running: number; paused: number; stopped: number } {
    const states = this.all.map((c) => stateString(c.flags))
    const running = states.filter((s) => s === 'running').length
    const paused = states.filter((s) => s === 'paused').length
    return { total: states.length, running, paused, stopped: states.length - running - paused }
  }

  /** Distinct images in use: the model pulls nothing else. */
  imageCount(): number {
    return new Set(this.all.map((c) => c.spec.image)).size
  }
}
