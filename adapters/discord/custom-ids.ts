/**
 * What buttons and modals carry back (custom_id, ≤ 100 characters): only a kind and a short opaque id
 * that points at server-side state — a core token (approval vote, confirmation) or a form token — plus
 * a page number for forms split over several modals. Nothing the client echoes is trusted beyond that.
 */

export const CUSTOM_ID_MAX = 100

export type CustomId =
  | { readonly kind: 'press'; readonly token: string }
  | { readonly kind: 'form'; readonly token: string; readonly page: number }
  | { readonly kind: 'modal'; readonly token: string; readonly page: number }

/** A core button token (`k3f9ab`, `abc123:approve`): handed to Dispatcher.press as it is. */
export const pressId = (token: string) => `p:${token}`
/** Opens page `page` of a form the adapter holds (first show, "fix and resubmit", "continue"). */
export const formButtonId = (token: string, page: number) => `f:${token}:${page}`
/** A modal showing page `page` of a form. */
export const modalId = (token: string, page: number) => `m:${token}:${page}`

const PAGED = /^([fm]):([A-Za-z0-9]{1,64}):(\d{1,2})$/

export function parseCustomId(id: string): CustomId | undefined {
  if (id.length > CUSTOM_ID_MAX) return undefined
  if (id.startsWith('p:') && id.length > 2) return { kind: 'press', token: id.slice(2) }
  const paged = PAGED.exec(id)
  if (!paged) return undefined
  const token = paged[2] as string
  const page = Number(paged[3])
  return paged[1] === 'f' ? { kind: 'form', token, page } : { kind: 'modal', token, page }
}
