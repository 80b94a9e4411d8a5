/** `/docker inspect` and `/docker top`: a container resolved by name, key or id prefix; its facts. */
import { describe, expect, it } from 'vitest'
import { fieldsOf, plain, startChat, tableOf } from '../helpers/test-chat.js'

describe('/docker inspect', () => {
  it("shows nginx-front's key facts, matching what the guest's Docker engine says", async () => {
    const chat = await startChat()
    const truth = chat.daemon('lab-legacy', 'web-1').inspect('nginx-front')
    const reply = await chat.say('alice', '/docker inspect web-1 nginx-front')
    expect(reply.visibility).toBe('channel')
    expect(fieldsOf(reply)).toEqual({
      Container: 'nginx-front',
      Id: truth.Id,
      Image: 'nginx:1.25',
      'Image id': truth.Image,
      Status: 'running',
      'Started at': truth.State.StartedAt,
      'Restart count': '0',
      'Restart policy': 'always',
      Ports: '8080→80/tcp, 8443→443/tcp',
      Mounts: '—',
    })
    expect(truth.Id).toMatch(/^[0-9a-f]{64}$/)
    expect(plain(reply)).toMatch(/\nin web-1 \(pool lab-legacy\) · backend xscontainer$/)
  })

  it('an exact name wins over a prefix (registry, not registry-ui), and mounts are listed', async () => {
    const chat = await startChat()
    const fields = fieldsOf(await chat.say('alice', '/docker inspect registry registry'))
    expect(fields).toMatchObject({
      Container: 'registry',
      Image: 'registry:2',
      Mounts: '/srv/registry → /var/lib/registry (bind)',
      Ports: '5000→5000/tcp',
    })
  })

  it('takes the 10-character key or an id prefix', async () => {
    const chat = await startChat()
    const id = chat.daemon('lab-legacy', 'web-1').inspect('redis-cache').Id
    expect(fieldsOf(await chat.say('alice', `/docker inspect web-1 ${id.slice(0, 10)}`)).Container).toBe('redis-cache')
    expect(fieldsOf(await chat.say('alice', `/docker inspect web-1 ${id.slice(0, 6)}`)).Container).toBe('redis-cache')
  })

  it('an ambiguous or unknown container is a sentence that names the candidates', async () => {
    const chat = await startChat()
    const keys = Object.fromEntries(
      ['nginx-front', 'nightly-report'].map((n) => [n, chat.daemon('lab-legacy', 'web-1').inspect(n).Id.slice(0, 10)]),
    )
    expect(plain(await chat.say('alice', '/docker inspect web-1 n'))).toBe(
      `"n" matches several containers in web-1: nginx-front (${keys['nginx-front']}), nightly-report (${keys['nightly-report']}); give the full name or more of the id`,
    )
    const unknown = await chat.say('alice', '/docker inspect web-1 mysql')
    expect(unknown.visibility).toBe('ephemeral')
    expect(plain(unknown)).toBe(
      'no container "mysql" in web-1; its containers are nginx-front, redis-cache, WebAPI, nightly-report, image-resizer',
    )
  })
})

describe('/docker top', () => {
  it("lists nginx-front's processes as a table", async () => {
    const chat = await startChat()
    const reply = await chat.say('alice', '/docker top web-1 nginx-front')
    const { columns, rows } = tableOf(reply)
    expect(columns).toEqual(['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD'])
    expect(rows.map((r) => r[7])).toEqual([
      'nginx: master process nginx -g daemon off;',
      'nginx: worker process',
      'nginx: worker process',
    ])
    expect(rows[0]?.[1]).toBe(chat.daemon('lab-legacy', 'web-1').inspect('nginx-front').State.Pid?.toString())
    expect(plain(reply).split('\n')[0]).toBe('Processes in nginx-front')
  })

  it('an exited container is not running: said in words', async () => {
    const chat = await startChat()
    expect(plain(await chat.say('alice', '/docker top web-1 nightly-report'))).toBe('nightly-report is not running')
  })

  it('needs docker.read on the VM', async () => {
    const chat = await startChat()
    expect(plain(await chat.say('carol', '/docker top web-1 nginx-front'))).toBe(
      'you need the docker.read permission on web-1 for that; ask an admin to grant it',
    )
  })
})
