/**
 * Two kinds of failure (style rule 8): a `UserError` is something the user can act on and is shown
 * as-is; anything else is a bug, logged once with a request id that the reply quotes.
 * Infrastructure codes (XAPI's, Docker's) stay on the error for logs and audit, never in the sentence.
 */
export interface UserErrorOptions {
  /** The raw infrastructure error, e.g. `{ code: 'VM_BAD_POWER_STATE', params: [...] }`. */
  readonly source?: { readonly code: string; readonly params: readonly string[] } | undefined
  /** Candidates or other structured detail an adapter may render (e.g. ambiguous VM names). */
  readonly details?: Readonly<Record<string, unknown>> | undefined
  readonly cause?: unknown
}

export class UserError extends Error {
  /** A stable, dotted code: `vm.not_found`, `docker.already_running`, … */
  readonly code: string
  readonly source: UserErrorOptions['source']
  readonly details: UserErrorOptions['details']

  constructor(code: string, message: string, options: UserErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'UserError'
    this.code = code
    this.source = options.source
    this.details = options.details
  }
}

export const isUserError = (error: unknown): error is UserError => error instanceof UserError

/** The one sentence for "the audit write failed, so the action did not run" (security checklist). */
export const auditUnavailable = (cause?: unknown): UserError =>
  new UserError('audit.unavailable', 'the audit log cannot be written right now, so nothing was done; tell an admin', {
    cause,
  })
