/**
 * A long XAPI operation as a task the job can show: `Async.<method>` returns the task at once, its
 * `progress` (0..1) arrives through the client's event cache and is passed on, and the task is
 * destroyed once it settles, as xen-api's own callAsync does (which hides the task, and so its progress).
 */
import type { Xapi, XapiObject } from 'xen-api'
import { callXapi } from '../call-xapi.js'

type Batch = Readonly<Record<string, XapiObject | undefined>>

export async function runTask<T = unknown>(
  xapi: Xapi,
  method: string,
  args: readonly unknown[],
  onProgress?: (fraction: number) => void,
): Promise<T> {
  const taskRef = await callXapi<string>(xapi, `Async.${method}`, ...args)
  let last = -1
  const listener = (batch: Batch) => {
    for (const object of Object.values(batch)) {
      if (object?.$ref !== taskRef || object.status !== 'pending') continue
      const fraction = Number(object.progress)
      if (Number.isFinite(fraction) && fraction !== last) {
        last = fraction
        onProgress?.(fraction)
      }
    }
  }
  if (onProgress) xapi.objects.on('update', listener)
  try {
    const result = await xapi.watchTask<T>(taskRef)
    // The last event may have come with the task already settled: the step ends at 100% either way.
    if (last !== 1) onProgress?.(1)
    return result
  } finally {
    if (onProgress) xapi.objects.off('update', listener)
    void callXapi(xapi, 'task.destroy', taskRef).catch(() => undefined)
  }
}

/** "42%": what a step's detail says while its task runs. */
export const percent = (fraction: number) => `${Math.round(Math.min(1, Math.max(0, fraction)) * 100)}%`
