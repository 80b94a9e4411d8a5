/**
 * A job's live card leaves the core as its replies do: through the redaction net. Cards carry a plan's
 * summary and the words of a failed step, and either can hold what someone typed (a token pasted where
 * a container name belonged, echoed by an error); the adapter posts the card to the channel as it is.
 */
import { redactSecretText } from '../redact-secrets.js'
import type { StatusSink } from './status-coalescer.js'

export function redactingStatus<T extends { readonly status?: StatusSink | undefined }>(invocation: T): T {
  const { status } = invocation
  if (!status) return invocation
  // `where` goes along: a job keeps the address of its card from it (issue #15).
  const redacting: StatusSink = Object.assign((card: Parameters<StatusSink>[0]) => status(redactSecretText(card)), {
    where: status.where,
  })
  return { ...invocation, status: redacting }
}
