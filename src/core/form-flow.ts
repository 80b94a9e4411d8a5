/**
 * The pieces of the form round trip the dispatcher uses: the reply that opens a form, schema problems
 * mapped back to the inputs they concern, the form re-issued with the values kept, secrets swapped for
 * handles, and the one line the audit chain records for a submission (secrets as `[secret]`).
 */
import type { z } from 'zod'
import type { AnyCommand } from './command.js'
import { isUserError } from './errors.js'
import { context, type Form, type FormSpec, privateReply, type Reply, text } from './reply.js'
import type { SecretStash } from './secret-stash.js'

/** A value longer than this is cut in the audit line: cloud-configs run to 64 KiB. */
const AUDIT_VALUE_CHARS = 2_000

export function formReply(form: Form, ttlMs: number): Reply {
  const minutes = Math.max(1, Math.round(ttlMs / 60_000))
  return {
    ...privateReply(text(form.title, 'heading'), context(`Fill in the form; it stays open for ${minutes} minute(s).`)),
    form,
  }
}

/** Schema issues by input id; an issue on no input (a cross-field rule) goes to the first input. */
export function problemsByInput(error: z.ZodError, spec: FormSpec): Record<string, string> {
  const ids = new Set(spec.inputs.map((i) => i.id))
  const first = spec.inputs[0]?.id ?? 'form'
  const problems: Record<string, string> = {}
  for (const issue of error.issues) {
    const key = typeof issue.path[0] === 'string' && ids.has(issue.path[0]) ? issue.path[0] : first
    problems[key] = problems[key] ? `${problems[key]}; ${issue.message}` : issue.message
  }
  return problems
}

/**
 * A UserError a plan raised about one input (`details.field`: "a VM named web-3 already exists"): shown
 * on that input rather than as a failed command, so the user fixes it and submits again.
 */
export function inputProblem(error: unknown, spec: FormSpec): Record<string, string> | undefined {
  if (!isUserError(error)) return undefined
  const field = error.details?.field
  if (typeof field !== 'string' || !spec.inputs.some((i) => i.id === field)) return undefined
  return { [field]: error.message }
}

/** The form again, each input prefilled with what was submitted; secrets are never sent back. */
export function reissue(token: string, spec: FormSpec, values: Readonly<Record<string, string>>): Form {
  return {
    token,
    ...spec,
    inputs: spec.inputs.map((input) => {
      if (input.kind === 'text' && input.secret) return { ...input, initial: undefined }
      const value = values[input.id]
      return value === undefined ? input : { ...input, initial: value }
    }),
  }
}

/** The most a text input takes when its form sets no maxLength: as much as a typed command line. */
const DEFAULT_MAX_CHARS = 4_000

/**
 * Values longer than their input allows, by input id. A platform's modal enforces maxLength itself, but
 * a submission is client data: it is measured again here, before the schema or a plan sees the value —
 * and before a refusal can echo it back whole ("no VM named xxxx…").
 */
export function lengthProblems(
  spec: FormSpec,
  values: Readonly<Record<string, string>>,
): Record<string, string> | undefined {
  const problems: Record<string, string> = {}
  for (const input of spec.inputs) {
    const value = values[input.id]
    const max = input.kind === 'text' ? (input.maxLength ?? DEFAULT_MAX_CHARS) : DEFAULT_MAX_CHARS
    if (value !== undefined && value.length > max) {
      problems[input.id] = `that is ${value.length} characters long; ${input.label} takes at most ${max}`
    }
  }
  return Object.keys(problems).length > 0 ? problems : undefined
}

const secretIds = (spec: FormSpec) =>
  new Set(spec.inputs.filter((i) => i.kind === 'text' && i.secret === true).map((i) => i.id))

/** Submitted values as an argument record: empty inputs left out (the schema's defaults apply). */
export function argsFromValues(spec: FormSpec, values: Readonly<Record<string, string>>): Record<string, unknown> {
  const args: Record<string, unknown> = {}
  for (const input of spec.inputs) {
    const value = values[input.id]
    if (value !== undefined && value !== '') args[input.id] = value
  }
  return args
}

/**
 * Validated args with each secret input's value moved into the stash and replaced by its handle: from
 * here on (approval records, jobs, logs, audit) only the handle travels.
 */
export function stashSecrets(
  spec: FormSpec,
  args: Readonly<Record<string, unknown>>,
  stash: SecretStash,
): Record<string, unknown> {
  const out = { ...args }
  for (const id of secretIds(spec)) {
    const value = out[id]
    if (typeof value === 'string') out[id] = stash.put(value)
  }
  return out
}

/** What the audit chain records for a submission: the command and its values, secrets as `[secret]`. */
export function submissionText(command: AnyCommand, spec: FormSpec, values: Readonly<Record<string, string>>): string {
  const secrets = secretIds(spec)
  const parts = spec.inputs
    .filter((input) => values[input.id] !== undefined && values[input.id] !== '')
    .map((input) => {
      if (secrets.has(input.id)) return `${input.id}=[secret]`
      const value = values[input.id] as string
      const cut =
        value.length > AUDIT_VALUE_CHARS
          ? `${value.slice(0, AUDIT_VALUE_CHARS)}… (${value.length - AUDIT_VALUE_CHARS} more characters)`
          : value
      return `${input.id}=${JSON.stringify(cut)}`
    })
  return `/${command.path} (form) ${parts.join(' ')}`.trimEnd()
}
