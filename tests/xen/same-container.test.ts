import { describe, expect, it } from 'vitest'
import type { Container } from '../../src/core/ports.js'
import { sameContainer } from '../../src/xen/same-container.js'

const base: Container = {
  id: 'a'.repeat(64),
  key: 'aaaaaaaaaa',
  name: 'web',
  image: 'nginx:1.27',
  command: 'nginx -g daemon off;',
  state: 'running',
  status: 'Up',
  created: '1733600000',
  ports: [{ ip: '0.0.0.0', privatePort: '80', publicPort: '8080', type: 'tcp' }],
  labels: { tier: 'front' },
}

describe('sameContainer', () => {
  it('agrees with comparing the JSON of both readings, for a change in any field', () => {
    const changes: Partial<Container>[] = [
      {},
      { status: 'Exited (137)' },
      { state: 'exited' },
      { name: 'web-2' },
      { image: 'nginx:1.28' },
      { ports: [] },
      { ports: [{ privatePort: '80', type: 'tcp' }] },
      { ports: [{ ip: '0.0.0.0', privatePort: '80', publicPort: '8081', type: 'tcp' }] },
      { labels: {} },
      { labels: { tier: 'back' } },
      { labels: { tier: 'front', extra: '' } },
      { labels: { other: 'front' } },
    ]
    for (const change of changes) {
      const other = { ...base, ...change }
      expect(sameContainer(base, other), JSON.stringify(change)).toBe(JSON.stringify(base) === JSON.stringify(other))
    }
  })
})
