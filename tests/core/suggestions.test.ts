/**
 * The suggestions service over a small in-memory inventory: the ranking order, pool disambiguation,
 * the limit, "did you mean", and scope — a user limited to one pool never sees a name from another.
 */
import { describe, expect, it } from 'vitest'
import { AccessPolicy, accessSchema } from '../../src/core/access.js'
import type { Actor } from '../../src/core/command.js'
import type { Container, Inventory, PoolStatus, VmLookup, VmSummary } from '../../src/core/ports.js'
import { createSuggestions, editDistance, rankName } from '../../src/core/suggestions.js'

function container(name: string): Container {
  return {
    id: name.padEnd(64, '0'),
    key: name.slice(0, 10),
    name,
    image: 'x',
    command: '',
    state: 'running',
    status: 'Up',
    created: '',
    ports: [],
    labels: {},
  }
}

let uuids = 0
function vm(pool: string, name: string, containers: readonly string[] = [], tags: readonly string[] = []): VmSummary {
  uuids += 1
  return {
    pool,
    uuid: `00000000-0000-4000-8000-${String(uuids).padStart(12, '0')}`,
    name,
    power: 'running',
    tags,
    docker: {
      monitor: 'enabled',
      backend: { kind: 'xscontainer', reason: 'test' },
      containers: containers.map(container),
    },
  }
}

/** The Inventory port over a fixed list; findVm by exact name, pool/name or UUID only (enough here). */
class FakeInventory implements Inventory {
  readonly all: readonly VmSummary[]
  constructor(all: readonly VmSummary[]) {
    this.all = all
  }
  pools(): readonly PoolStatus[] {
    return [...new Set(this.all.map((v) => v.pool))].map((name) => ({ name, state: 'synced', since: 0 }))
  }
  vms(filter?: { readonly pool?: string | undefined }): readonly VmSummary[] {
    return this.all.filter((v) => filter?.pool === undefined || v.pool === filter.pool)
  }
  findVm(query: string): VmLookup {
    const matches = this.all.filter((v) => v.uuid === query || v.name === query || `${v.pool}/${v.name}` === query)
    if (matches.length === 1 && matches[0]) return { kind: 'found', vm: matches[0] }
    return matches.length > 1 ? { kind: 'ambiguous', candidates: matches } : { kind: 'not-found' }
  }
  onChange(): () => void {
    return () => {}
  }
}

const LEGACY = [
  vm('lab-legacy', 'web-1', ['nginx-front', 'redis-cache', 'WebAPI']),
  vm('lab-legacy', 'web-2', ['nginx-front', 'queue-worker']),
  vm('lab-legacy', 'registry', ['registry', 'registry-ui']),
  vm('lab-legacy', 'legacy-db', ['postgres']),
  vm('lab-legacy', 'secret-vault', ['vault']),
  vm('lab-legacy', 'build-web', ['buildkitd']),
]
const MODERN = [
  vm('lab-modern', 'web-1', ['app', 'nginx-front']),
  vm('lab-modern', 'ci-runner', ['gitlab-runner', 'build-1234']),
  vm('lab-modern', 'metrics', ['Prometheus', 'grafana']),
  vm('lab-modern', 'staging-app', ['app']),
  vm('lab-modern', 'mweb', []),
]

const access = new AccessPolicy(
  accessSchema.parse({
    roles: {
      reader: { permissions: ['docker.read'] },
      modern: { permissions: ['docker.read', 'docker.operate'], pools: ['lab-modern'] },
      tagged: { permissions: ['docker.read'], tags: ['team-a'] },
      xen: { permissions: ['xen.read'] },
    },
    subjects: [
      { platform: 'shell', users: ['alice'], roles: ['reader'] },
      { platform: 'shell', users: ['carol'], roles: ['modern'] },
      { platform: 'shell', users: ['tina'], roles: ['tagged'] },
      { platform: 'shell', users: ['xena'], roles: ['xen'] },
    ],
  }),
)
const actor = (name: string): Actor => ({ platform: 'shell', id: name, name })
const alice = actor('alice')
const carol = actor('carol')

const suggestions = createSuggestions(new FakeInventory([...LEGACY, ...MODERN]), access)
const values = (list: readonly { value: string }[]) => list.map((s) => s.value)

describe('ranking', () => {
  it.each([
    ['web-1', 'web-1', 0],
    ['Web-1', 'web-1', 0],
    ['web', 'web-1', 1],
    ['web', 'build-web', 2],
    ['web1', 'web-1', 4],
    ['wbe-1', 'web-1', 4],
    ['wb-1', 'web-1', 4],
    ['wxy-9', 'web-1', undefined],
    ['we', 'ab', undefined],
    ['zz', 'ab', undefined],
  ] as const)('%s against %s ranks %s', (query, name, rank) => {
    expect(rankName(name, query)).toBe(rank)
  })

  it('computes Damerau–Levenshtein distances, transpositions counting once', () => {
    expect([
      editDistance('web-1', 'web-1'),
      editDistance('web1', 'web-1'),
      editDistance('wbe-1', 'web-1'),
      editDistance('ca', 'abc'),
      editDistance('', 'abc'),
      editDistance('kitten', 'sitting'),
    ]).toEqual([0, 1, 1, 3, 3, 3])
  })

  it('orders exact, then prefix, then substring, then close misspellings, ties by name', () => {
    const inventory = new FakeInventory([
      vm('p', 'ab-web'),
      vm('p', 'web-z'),
      vm('p', 'weo'),
      vm('p', 'web'),
      vm('p', 'a-web'),
      vm('p', 'web-a'),
      vm('p', 'wbe'),
      vm('p', 'other'),
    ])
    const service = createSuggestions(inventory, access)
    expect(values(service.vms(alice, 'web'))).toEqual(['web', 'web-a', 'web-z', 'a-web', 'ab-web', 'wbe', 'weo'])
  })

  it('puts closer misspellings first', () => {
    const service = createSuggestions(
      new FakeInventory([vm('p', 'abcdxx'), vm('p', 'abcdex'), vm('p', 'zzzzzz')]),
      access,
    )
    expect(values(service.vms(alice, 'abcdef'))).toEqual(['abcdex', 'abcdxx'])
  })
})

describe('pools', () => {
  it('labels a name found in several pools with its pool, and offers pool/name to type', () => {
    expect(suggestions.vms(alice, 'web-')).toEqual([
      { label: 'web-1 (lab-legacy)', value: 'lab-legacy/web-1' },
      { label: 'web-1 (lab-modern)', value: 'lab-modern/web-1' },
      { label: 'web-2', value: 'web-2' },
      // Two edits from "web-": a close misspelling comes last.
      { label: 'mweb', value: 'mweb' },
    ])
  })

  it('narrows to one pool with pool/name', () => {
    expect(values(suggestions.vms(alice, 'lab-modern/'))).toEqual([
      'ci-runner',
      'metrics',
      'mweb',
      'staging-app',
      'lab-modern/web-1',
    ])
  })

  it('lists the pools the actor can read something in', () => {
    expect(values(suggestions.pools(alice, ''))).toEqual(['lab-legacy', 'lab-modern'])
    expect(values(suggestions.pools(alice, 'mod'))).toEqual(['lab-modern'])
    expect(values(suggestions.pools(actor('xena'), ''))).toEqual([])
    expect(values(suggestions.pools(actor('eve'), ''))).toEqual([])
  })

  it('counts a pool readable through tagged VMs only when it has one', () => {
    const inventory = new FakeInventory([vm('a', 'one', [], ['team-a']), vm('b', 'two', [], ['team-b'])])
    const service = createSuggestions(inventory, access)
    expect(values(service.pools(actor('tina'), ''))).toEqual(['a'])
    expect(values(service.vms(actor('tina'), ''))).toEqual(['one'])
  })
})

describe('containers', () => {
  it('ranks the containers of the VM the query names', () => {
    expect(values(suggestions.containers(alice, 'lab-legacy/web-1', ''))).toEqual([
      'nginx-front',
      'redis-cache',
      'WebAPI',
    ])
    expect(values(suggestions.containers(alice, 'lab-modern/web-1', 'ap'))).toEqual(['app'])
    expect(values(suggestions.containers(alice, 'lab-modern/web-1', 'front'))).toEqual(['nginx-front'])
    expect(values(suggestions.containers(alice, 'web-2', 'qeue-worker'))).toEqual(['queue-worker'])
  })

  it('answers nothing for a VM that is ambiguous, unknown, or not readable', () => {
    expect(suggestions.containers(alice, 'web-1', '')).toEqual([])
    expect(suggestions.containers(alice, 'nosuch', '')).toEqual([])
    expect(suggestions.containers(actor('eve'), 'web-2', '')).toEqual([])
  })

  it('picks the one readable VM when a name is in a pool the actor cannot see', () => {
    expect(values(suggestions.containers(carol, 'web-1', ''))).toEqual(['app', 'nginx-front'])
  })
})

describe('limit', () => {
  const many = new FakeInventory(Array.from({ length: 40 }, (_, i) => vm('big', `node-${String(i).padStart(2, '0')}`)))
  const service = createSuggestions(many, access)

  it('returns at most 25 by default, the first by name', () => {
    const list = values(service.vms(alice, 'node'))
    expect(list).toHaveLength(25)
    expect(list[0]).toBe('node-00')
    expect(list[24]).toBe('node-24')
  })

  it('honours a smaller limit', () => {
    expect(values(service.vms(alice, '', 3))).toEqual(['node-00', 'node-01', 'node-02'])
  })
})

describe('did you mean', () => {
  it('turns a typo into the name', () => {
    expect(suggestions.didYouMean(alice, 'vm', 'web2')).toEqual(['web-2'])
    expect(suggestions.didYouMean(carol, 'vm', 'web1')).toEqual(['web-1'])
    expect(suggestions.didYouMean(alice, 'vm', 'web1')).toEqual(['lab-legacy/web-1', 'lab-modern/web-1'])
    expect(suggestions.didYouMean(alice, 'vm', 'metrix')).toEqual(['metrics'])
    expect(suggestions.didYouMean(alice, 'container', 'nginx-frnot', 'web-2')).toEqual(['nginx-front'])
    expect(suggestions.didYouMean(alice, 'pool', 'lab-modren')).toEqual(['lab-modern'])
  })

  it('offers only the best-ranked names, at most three', () => {
    // web-2 is one edit from "web2"; web-1 and mweb are two: only web-2 is offered, though vms() lists all.
    expect(values(suggestions.vms(alice, 'web2'))).toEqual(['web-2', 'mweb', 'lab-legacy/web-1', 'lab-modern/web-1'])
    const many = createSuggestions(new FakeInventory(['ab-1', 'ab-2', 'ab-3', 'ab-4'].map((n) => vm('p', n))), access)
    expect(many.didYouMean(alice, 'vm', 'ab')).toEqual(['ab-1', 'ab-2', 'ab-3'])
  })

  it('offers nothing when nothing is close, or for an empty query', () => {
    expect(suggestions.didYouMean(alice, 'vm', 'zzzzzz')).toEqual([])
    expect(suggestions.didYouMean(alice, 'vm', '')).toEqual([])
    expect(suggestions.didYouMean(alice, 'container', 'x')).toEqual([])
  })
})

describe('scope', () => {
  const legacyOnly = new Set(LEGACY.flatMap((v) => [v.name, ...(v.docker.containers ?? []).map((c) => c.name)]))
  for (const m of MODERN) {
    legacyOnly.delete(m.name)
    for (const c of m.docker.containers ?? []) legacyOnly.delete(c.name)
  }
  const leaks = (text: string) => text.includes('lab-legacy') || [...legacyOnly].some((n) => text.includes(n))

  const prefixes = [
    '',
    'w',
    'we',
    'web',
    'web-',
    'web-1',
    'web-2',
    'web2',
    'web1',
    'reg',
    'registry',
    'legacy',
    'lab',
    'lab-',
    'lab-legacy',
    'lab-legacy/',
    'lab-legacy/web-1',
    'lab-legacy/web-2',
    'secret',
    'vault',
    'build',
    'build-web',
    'postgres',
    'nginx',
    'queue',
    'a',
    'e',
    '-',
    '1',
  ]

  it('knows which names only the other pool has (so the checks below can fail)', () => {
    expect([...legacyOnly].sort()).toEqual(
      [
        'WebAPI',
        'build-web',
        'buildkitd',
        'legacy-db',
        'postgres',
        'queue-worker',
        'redis-cache',
        'registry',
        'registry-ui',
        'secret-vault',
        'vault',
        'web-2',
      ].sort(),
    )
    expect(values(suggestions.vms(alice, 'web'))).toContain('web-2')
    expect(values(suggestions.pools(alice, 'lab'))).toContain('lab-legacy')
  })

  it.each(prefixes)('a lab-modern user never sees a lab-legacy name for %j', (prefix) => {
    const seen = [
      ...suggestions.vms(carol, prefix, 1000).flatMap((s) => [s.label, s.value]),
      ...suggestions.pools(carol, prefix).flatMap((s) => [s.label, s.value]),
      ...suggestions.didYouMean(carol, 'vm', prefix),
      ...suggestions.didYouMean(carol, 'pool', prefix),
      ...['web-1', 'web-2', 'registry', 'lab-legacy/web-1', 'lab-legacy/web-2', LEGACY[0]?.uuid ?? ''].flatMap(
        (vmQuery) => [
          ...suggestions.containers(carol, vmQuery, prefix, 1000).flatMap((s) => [s.label, s.value]),
          ...suggestions.didYouMean(carol, 'container', prefix, vmQuery),
        ],
      ),
    ]
    expect(seen.filter(leaks)).toEqual([])
  })

  it('still shows the lab-modern user their own names', () => {
    expect(values(suggestions.vms(carol, ''))).toEqual(['ci-runner', 'metrics', 'mweb', 'staging-app', 'web-1'])
    expect(values(suggestions.pools(carol, ''))).toEqual(['lab-modern'])
    expect(values(suggestions.containers(carol, 'web-1', ''))).toEqual(['app', 'nginx-front'])
  })
})
