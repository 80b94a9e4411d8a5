/** The real xen-api client configured for tests: fast event polling, short timeouts. */

import { afterEach } from 'vitest'
import { createClient, type Xapi, type XapiObject } from 'xen-api'

const clients: Xapi[] = []

export function testClient(url: string, user: string, password: string, transport?: 'json-rpc' | 'xml-rpc'): Xapi {
  const xapi = createClient({
    url,
    auth: { user, password },
    allowUnauthorized: false,
    debounce: 5,
    eventPollDelay: 100,
    callTimeout: 5000,
    ...(transport ? { transport } : {}),
  })
  clients.push(xapi)
  return xapi
}

// Disconnect before the simulator closes (startSim's afterEach runs after this one: vitest runs
// afterEach hooks in reverse order of registration, and this module is imported after helpers/sim).
afterEach(async () => {
  await Promise.all(clients.splice(0).map((x) => (x.status === 'disconnected' ? undefined : x.disconnect())))
})

export function cached(xapi: Xapi, type: string): XapiObject[] {
  return Object.values(xapi.objects.indexes.type[type] ?? {})
}

export function cachedByName(xapi: Xapi, type: string, name: string): XapiObject {
  const found = cached(xapi, type).find((o) => o.name_label === name)
  if (!found) throw new Error(`no ${type} named ${name} in the client's cache`)
  return found
}

/** Resolves with the first object update for which `predicate` holds. */
export function nextUpdate(xapi: Xapi, predicate: (o: XapiObject) => boolean): Promise<XapiObject> {
  return new Promise((resolve) => {
    const listener = (objects: Record<string, XapiObject>) => {
      const hit = Object.values(objects).find(predicate)
      if (hit) {
        xapi.objects.off('update', listener)
        xapi.objects.off('add', listener)
        resolve(hit)
      }
    }
    xapi.objects.on('update', listener)
    xapi.objects.on('add', listener)
  })
}
