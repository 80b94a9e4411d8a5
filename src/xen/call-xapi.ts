/** One safe way to make a XAPI call through xen-api 4.7.6 (see callXapi). */
import type { Xapi } from 'xen-api'

/**
 * `xapi.call`, safe across xen-api's re-login window. After a SESSION_INVALID, xen-api 4.7.6 opens a
 * new session and, until the login answers, has no session id: a call started then fails an internal
 * assertion (`sessionId !== undefined`) before anything is sent. So such a call first waits for the
 * new session, and one that hits the window anyway is retried once (it was never sent).
 */
export async function callXapi<T>(xapi: Xapi, method: string, ...args: unknown[]): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    if (inReloginWindow(xapi)) await nextSession(xapi, SESSION_WAIT_MS)
    try {
      return await xapi.call<T>(method, ...args)
    } catch (error) {
      const gap = (error as { code?: unknown } | null)?.code === 'ERR_ASSERTION' && xapi.status === 'connected'
      if (attempt > 0 || !gap) throw error
    }
  }
}

const SESSION_WAIT_MS = 30_000

const inReloginWindow = (xapi: Xapi) =>
  xapi.status === 'connected' && (xapi.sessionId as string | undefined) === undefined

/** Resolves when xen-api has a session again (or gave up: disconnected), or after `timeoutMs`. */
function nextSession(xapi: Xapi, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer)
      xapi.off('sessionId', done)
      xapi.off('disconnected', done)
      resolve()
    }
    const timer = setTimeout(done, timeoutMs)
    timer.unref()
    xapi.on('sessionId', done)
    xapi.on('disconnected', done)
  })
}
