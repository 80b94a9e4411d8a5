/**
 * A job's live card leaves the core as its replies do: through the redaction net. Cards carry a plan's
 * summary and the words of a failed step, and either can hold what someone typed (a token pasted where
 * a container name belonged, echoed by an error); the adapter posts the card to the channel as it is.
 */
import { redactSecretText } from '../redact-secrets.js'
import { type StatusSink, wrapStatus } from './status-coalescer.js'

export function redactingStatus<T extends { readonly status?: StatusSink | undefined }>(invocation: T): T {
  const { status } = invocation
  if (!status) return invocation
  return { ...invocation, status: wrapStatus(status, (card) => status(redactSecretText(card))) }
}
