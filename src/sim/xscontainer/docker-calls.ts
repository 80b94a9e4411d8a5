/**
 * The plugin's container functions (`start` … `unpause`, `get_inspect`, `get_top`) and its handling
 * of Docker's HTTP answers (`docker._interact_with_api`): the raw `HTTP/1.0` request line, the
 * failure text built from the body (or a stock sentence for an empty one), the title/body split at
 * the first `:` — which turns Docker's JSON `{"message":…}` into the title `{"message"` — a XAPI
 * message for failed POSTs, and the XSContainerException text clients see.
 */
import { type DockerDaemon, DockerError } from '../docker/docker-daemon.js'
import type { SimPool } from '../sim-pool.js'
import { toXapiDate } from '../xapi-time.js'
import { reachDocker } from './docker-access.js'
import { dockerPsXml } from './docker-ps.js'
import { pluginException } from './plugin-errors.js'
import { convertToXml, type PyValue } from './xs-xml.js'

const REASONS: Record<number, string> = {
  304: 'Not Modified',
  400: 'Bad Request',
  404: 'Not Found',
  409: 'Conflict',
  500: 'Internal Server Error',
}

export const LIFECYCLE = ['start', 'stop', 'restart', 'pause', 'unpause'] as const
export type LifecycleFn = (typeof LIFECYCLE)[number]

function interact<T>(
  pool: SimPool,
  fn: string,
  vmRef: string,
  method: 'GET' | 'POST',
  path: string,
  run: (daemon: DockerDaemon) => T,
): T {
  const daemon = reachDocker(pool, fn, vmRef)
  try {
    return run(daemon)
  } catch (error) {
    if (!(error instanceof DockerError)) throw error
    const request = `${method} ${path} HTTP/1.0\r\n\r\n`
    // Fixed (§1.3, docker._interact_with_api `body.strip()`): Docker's JSON error body ends with the
    // newline json.Encoder writes; the failure text is the stripped body, so `…"} (404)`, not `…"}\n (404)`.
    let text = error.body.trim()
    if (!text) {
      text =
        error.status === 304
          ? 'The requested operation is currently not possible. Please try again later.'
          : 'The requested operation failed.'
    }
    text += ` (${error.status})`
    const colon = text.indexOf(':')
    const [title, body] =
      colon >= 0 ? [text.slice(0, colon), text.slice(colon + 1)] : ['Container Management Error', text]
    if (method === 'POST') {
      const uuid = String(pool.store.get('VM', vmRef).uuid)
      pool.store.create('message', {
        name: title,
        priority: 3,
        cls: 'VM',
        obj_uuid: uuid,
        body,
        timestamp: toXapiDate(pool.clock.now()),
      })
    }
    const reason = REASONS[error.status] ?? 'Unknown'
    throw pluginException(
      fn,
      'XSContainerException',
      `Request '${request}' led to status ${reason} - ${title}: ${body}`,
    )
  }
}

/** `POST /containers/<c>/<fn>`; the answer is `True` plus Docker's body, empty on 204. */
export function lifecycle(pool: SimPool, fn: LifecycleFn, vmRef: string, container: string): string {
  interact(pool, fn, vmRef, 'POST', `/containers/${container}/${fn}`, (daemon) => daemon[fn](container))
  // pause/unpause refresh docker_ps synchronously when the key exists (`update_docker_ps_workaround`).
  if ((fn === 'pause' || fn === 'unpause') && 'docker_ps' in (pool.store.get('VM', vmRef).other_config as object)) {
    const daemon = reachDocker(pool, fn, vmRef)
    setOtherConfigKey(pool, vmRef, 'docker_ps', dockerPsXml(daemon.listContainers({ all: true, size: true })))
  }
  return 'True'
}

export function getInspect(pool: SimPool, vmRef: string, object: string): string {
  const inspect = interact(pool, 'get_inspect', vmRef, 'GET', `/containers/${object}/json`, (d) => d.inspect(object))
  return `True${convertToXml('docker_inspect', inspect as PyValue)}`
}

export function getTop(pool: SimPool, vmRef: string, object: string): string {
  const top = interact(pool, 'get_top', vmRef, 'GET', `/containers/${object}/top`, (d) => d.top(object))
  const processes = top.Processes.map((row) => ({
    Process: Object.fromEntries(top.Titles.map((title, i) => [title, row[i] ?? ''])),
  }))
  return `True${convertToXml('docker_top', processes)}`
}

/** xscontainer writes other_config by get, modify, then `VM.set_other_config` of the whole map. */
export function setOtherConfigKey(pool: SimPool, vmRef: string, key: string, value: string): void {
  const current = pool.store.get('VM', vmRef).other_config as Record<string, string>
  pool.store.update('VM', vmRef, { other_config: { ...current, [key]: value } })
}

export function removeOtherConfigKeys(pool: SimPool, vmRef: string, keys: readonly string[]): void {
  const current = pool.store.get('VM', vmRef).other_config as Record<string, string>
  if (!keys.some((k) => k in current)) return
  // One VM.remove_from_other_config per key, as the plugin does: each is its own mod event.
  for (const key of keys) {
    if (!(key in (pool.store.get('VM', vmRef).other_config as object))) continue
    pool.store.mutate('VM', vmRef, (r) => {
      const { [key]: _gone, ...rest } = r.other_config as Record<string, string>
      r.other_config = rest
    })
  }
}
