/**
 * Secrets in the configuration are references, never values: `{ env: NAME }` or `{ file: path }`.
 * Kept apart from config.ts so that adapter config schemas (adapters/slack) can use the same reference
 * type while config.ts imports those schemas — one module each way, no import cycle. Every value read
 * is remembered by the redaction net (redact-secrets.ts), so it cannot come back out of a sink.
 */
import { readFileSync } from 'node:fs'
import { z } from 'zod'
import { rememberSecret } from './redact-secrets.js'

export const secretRefSchema = z
  .union([
    z
      .object({
        env: z
          .string()
          .regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name')
          .describe('read the secret from this environment variable'),
      })
      .strict(),
    z
      .object({
        file: z
          .string()
          .min(1)
          .describe(
            'read the secret from this file (relative to the working directory); one trailing newline is dropped',
          ),
      })
      .strict(),
  ])
  .describe('a secret reference, { env: NAME } or { file: path }; the secret itself never goes in this file')
export type SecretRef = z.infer<typeof secretRefSchema>

/** Reads a secret reference; the error names the reference, never a value. */
export function resolveSecret(ref: SecretRef, env: NodeJS.ProcessEnv = process.env): string {
  if ('env' in ref) {
    const value = env[ref.env]
    if (value === undefined || value === '') throw new Error(`environment variable ${ref.env} is not set`)
    rememberSecret(value)
    return value
  }
  let value: string
  try {
    // A trailing newline from `echo secret > file` is not part of the secret.
    value = readFileSync(ref.file, 'utf8').replace(/\r?\n$/, '')
  } catch (error) {
    throw new Error(`cannot read secret file ${ref.file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`)
  }
  if (value === '') throw new Error(`secret file ${ref.file} is empty`)
  rememberSecret(value)
  return value
}
