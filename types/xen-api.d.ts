/**
 * Local typings for xen-api 4.7.6 (the package ships none; there is no @types/xen-api).
 * Only what the project uses is declared; see vatesfr/xen-orchestra: packages/xen-api/index.mjs.
 */
declare module 'xen-api' {
  import type { EventEmitter } from 'node:events'

  export interface XapiOptions {
    url: string
    auth?: { user: string; password: string } | { sessionId: string }
    allowUnauthorized?: boolean
    readOnly?: boolean
    callTimeout?: number | Record<string, number> | ((method: string, args: unknown[]) => number)
    httpProxy?: string
    transport?: 'auto' | 'json-rpc' | 'xml-rpc'
    watchEvents?: boolean | string[]
    debounce?: number
    eventPollDelay?: number
    callConcurrency?: number
    httpInactivityTimeout?: number
    syncStackTraces?: boolean
  }

  /** A cached record: the XAPI fields plus `$type`, `$ref`, `$id` and resolving getters. */
  export interface XapiObject {
    readonly $type: string
    readonly $ref: string
    readonly $id: string
    readonly [field: string]: unknown
  }

  export interface XapiCollection extends EventEmitter {
    readonly all: Readonly<Record<string, XapiObject>>
    readonly size: number
    readonly indexes: { readonly type: Readonly<Record<string, Readonly<Record<string, XapiObject>>>> }
  }

  export interface CancelablePromise<T> extends Promise<T> {
    cancel(): void
  }

  export class Xapi extends EventEmitter {
    constructor(options: XapiOptions)
    readonly status: 'connected' | 'connecting' | 'disconnected'
    readonly connected: Promise<void>
    readonly disconnected: Promise<void>
    readonly pool: XapiObject
    readonly sessionId: string
    readonly objects: XapiCollection
    readonly objectsFetched: Promise<void>
    connect(): Promise<void>
    disconnect(): Promise<void>
    call<T = unknown>(method: string, ...args: unknown[]): Promise<T>
    callAsync<T = unknown>(method: string, ...args: unknown[]): CancelablePromise<T>
    barrier(ref?: string): Promise<XapiObject>
    /** Resolves with a task's result once the cached task settles (needs event watching with `task`). */
    watchTask<T = unknown>(ref: string): Promise<T>
    getField<T = unknown>(type: string, ref: string, field: string): Promise<T>
    setField(type: string, ref: string, field: string, value: unknown): Promise<void>
    getObject(idOrUuidOrRef: string, defaultValue?: unknown): XapiObject
    getObjectByRef(ref: string, defaultValue?: unknown): XapiObject
    getObjectByUuid(uuid: string, defaultValue?: unknown): XapiObject
    watchEvents(): void
    putResource(
      body: unknown,
      pathname: string,
      options?: { host?: XapiObject; query?: Record<string, string>; task?: boolean | string },
    ): Promise<unknown>
    getResource(
      pathname: string,
      options?: { host?: XapiObject; query?: Record<string, string>; task?: boolean | string },
    ): Promise<{ body: AsyncIterable<Uint8Array> }>
  }

  export function createClient(options: XapiOptions): Xapi
}
