/**
 * Finding a container as Docker does (full id, exact name with or without '/', unique id prefix) and the
 * scenario schema that describes containers.
 */
import { describe, expect, it } from 'vitest'
import { containerSpecSchema, DockerError } from '../../../src/sim/docker/docker-daemon.js'
import { body, dockerError, makeDaemon } from './daemon-fixture.js'

const HEX64 = /^[0-9a-f]{64}$/

describe('lookup', () => {
  it('finds a container by full id, unique prefix, and name with or without /', () => {
    const { daemon } = makeDaemon([
      { name: 'MyApp', image: 'nginx' },
      { name: 'other', image: 'nginx' },
    ])
    const id = daemon.inspect('MyApp').Id
    expect(id).toMatch(HEX64)
    for (const ref of [id, id.slice(0, 12), id.slice(0, 4), 'MyApp', '/MyApp']) {
      expect(daemon.inspect(ref).Id, ref).toBe(id)
    }
    // Names are case-sensitive.
    const e = dockerError(() => daemon.inspect('myapp'))
    expect([e.status, e.body]).toEqual([404, '{"message":"No such container: myapp"}\n'])
    expect(dockerError(() => daemon.inspect(id.toUpperCase())).status).toBe(404)
  })

  it('is deterministic: the same hostname and name give the same id', () => {
    const a = makeDaemon([{ name: 'web', image: 'nginx' }]).daemon.inspect('web').Id
    const b = makeDaemon([{ name: 'web', image: 'nginx' }]).daemon.inspect('web').Id
    const c = makeDaemon([{ name: 'web', image: 'nginx' }], { hostname: 'other-vm' }).daemon.inspect('web').Id
    expect(a).toBe(b)
    expect(a).not.toBe(c)
  })

  it('refuses a prefix shared by several containers as Docker 20.10 does (500)', () => {
    // 20 ids over 16 leading hex digits: at least two share their first character.
    const names = Array.from({ length: 20 }, (_, i) => `svc-${i}`)
    const { daemon } = makeDaemon(names.map((name) => ({ name, image: 'alpine' })))
    const ids = names.map((n) => daemon.inspect(n).Id)
    const shared = ids.map((id) => id[0]).find((ch, i, all) => all.indexOf(ch) !== i) ?? expect.fail('no shared prefix')
    const e = dockerError(() => daemon.stop(shared))
    expect(e.status).toBe(500)
    expect(e.body).toBe(body(`Multiple IDs found with provided prefix: ${shared}`))
  })

  it('prefers an exact name over an id prefix', () => {
    const webId = makeDaemon([{ name: 'web', image: 'nginx' }]).daemon.inspect('web').Id
    const prefix = webId.slice(0, 6)
    const { daemon } = makeDaemon([
      { name: 'web', image: 'nginx' },
      { name: prefix, image: 'alpine' },
    ])
    expect(daemon.inspect(webId.slice(0, 7)).Name).toBe('/web')
    expect(daemon.inspect(prefix).Name).toBe(`/${prefix}`)
  })
})

describe('scenario schema', () => {
  it('fills Docker-like defaults', () => {
    expect(containerSpecSchema.parse({ name: 'web', image: 'nginx:1.25' })).toEqual({
      name: 'web',
      image: 'nginx:1.25',
      command: "nginx -g 'daemon off;'",
      state: 'running',
      exitCode: 0,
      restartPolicy: 'no',
      labels: {},
      ports: [],
      mounts: [],
      env: [],
      logs: [],
      upSeconds: 10_800,
      exitedSecondsAgo: 600,
      crash: undefined,
    })
    expect(containerSpecSchema.parse({ name: 'box', image: 'busybox' }).command).toBe('/bin/sh')
    expect(
      containerSpecSchema.parse({
        name: 'web',
        image: 'nginx',
        ports: [{ privatePort: 80 }],
        mounts: [{ source: '/a', destination: '/b' }],
      }),
    ).toMatchObject({ ports: [{ privatePort: 80, type: 'tcp' }], mounts: [{ type: 'bind', rw: true }] })
  })

  it.each([
    ['a one-character name', { name: 'x', image: 'nginx' }],
    ['a name starting with -', { name: '-web', image: 'nginx' }],
    ['a name with a slash', { name: 'a/b', image: 'nginx' }],
    ['an unknown key', { name: 'web', image: 'nginx', restart: 'always' }],
    ['an unknown port key', { name: 'web', image: 'nginx', ports: [{ privatePort: 80, hostPort: 8080 }] }],
    [
      'a restarting container that would never restart',
      { name: 'web', image: 'nginx', state: 'restarting', restartPolicy: 'no' },
    ],
    ['an exit code above 255', { name: 'web', image: 'nginx', state: 'exited', exitCode: 256 }],
  ])('rejects %s', (_label, spec) => {
    expect(containerSpecSchema.safeParse(spec).success).toBe(false)
  })

  it('accepts upper case, dots, dashes and underscores in names', () => {
    expect(containerSpecSchema.safeParse({ name: 'My_App.v2-1', image: 'nginx' }).success).toBe(true)
  })

  it('refuses two containers with one name as docker create does (409)', () => {
    let error: unknown
    try {
      makeDaemon([
        { name: 'web', image: 'nginx' },
        { name: 'web', image: 'redis' },
      ])
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(DockerError)
    expect((error as DockerError).status).toBe(409)
    expect((error as DockerError).message).toMatch(
      /^Conflict\. The container name "\/web" is already in use by container "[0-9a-f]{64}"\./,
    )
  })
})
