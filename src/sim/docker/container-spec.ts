/**
 * The scenario's description of one container, validated strictly (a typo fails with its path) and
 * completed with defaults: the image's own CMD, a running state three hours old, policy `no`.
 */
import { z } from 'zod'
import { defaultCommand } from './image-profiles.js'

export type SpecState = 'running' | 'exited' | 'paused' | 'restarting' | 'created'
export type RestartPolicyName = 'no' | 'always' | 'unless-stopped' | 'on-failure'

export interface ContainerSpec {
  /** Docker's `validContainerNamePattern` (daemon/names): `[a-zA-Z0-9][a-zA-Z0-9_.-]+`, case kept. */
  name: string
  /** e.g. 'nginx:1.25'; nginx, redis and postgres get their real image config, others act like alpine. */
  image: string
  /** The CMD, shell-quoted; default the image's, e.g. "nginx -g 'daemon off;'" for nginx, '/bin/sh' otherwise. */
  command?: string
  /** Default running. */
  state?: SpecState
  /** For exited / restarting (default 0). */
  exitCode?: number
  /** Default 'no' ('always' for a container that starts out restarting). */
  restartPolicy?: RestartPolicyName
  labels?: Record<string, string>
  ports?: { privatePort: number; publicPort?: number; type?: 'tcp' | 'udp'; ip?: string }[]
  mounts?: { source: string; destination: string; type?: 'bind' | 'volume'; rw?: boolean }[]
  env?: string[]
  /** Initial log lines (stdout). */
  logs?: string[]
  /** How long ago it started (running/paused), default 3 h. For exited ones, how long it ran. */
  upSeconds?: number
  /** How long ago it exited, default 600. */
  exitedSecondsAgo?: number
  /**
   * A scripted crash `afterSeconds` after the container (next) runs — counted from now for one already
   * running — once, or after every start with `repeat` (a restart loop under a restart policy).
   */
  crash?: { afterSeconds: number; exitCode: number; repeat?: boolean }
}

const port = z.number().int().min(1).max(65535)
const exitCode = z.number().int().min(0).max(255)

const baseSchema = z
  .object({
    name: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/, 'a Docker container name ([a-zA-Z0-9][a-zA-Z0-9_.-]+)'),
    image: z.string().min(1),
    command: z.string().min(1).optional(),
    state: z.enum(['running', 'exited', 'paused', 'restarting', 'created']).default('running'),
    exitCode: exitCode.default(0),
    restartPolicy: z.enum(['no', 'always', 'unless-stopped', 'on-failure']).optional(),
    labels: z.record(z.string(), z.string()).default({}),
    ports: z
      .array(
        z
          .object({
            privatePort: port,
            publicPort: port.optional(),
            type: z.enum(['tcp', 'udp']).default('tcp'),
            ip: z.string().min(1).optional(),
          })
          .strict(),
      )
      .default([]),
    mounts: z
      .array(
        z
          .object({
            source: z.string().min(1),
            destination: z.string().startsWith('/'),
            type: z.enum(['bind', 'volume']).default('bind'),
            rw: z.boolean().default(true),
          })
          .strict(),
      )
      .default([]),
    env: z.array(z.string().min(1)).default([]),
    logs: z.array(z.string()).default([]),
    upSeconds: z
      .number()
      .nonnegative()
      .default(3600 * 3),
    exitedSecondsAgo: z.number().nonnegative().default(600),
    crash: z
      .object({ afterSeconds: z.number().positive(), exitCode, repeat: z.boolean().default(false) })
      .strict()
      .optional(),
  })
  .strict()

export const containerSpecSchema = baseSchema
  .superRefine((s, ctx) => {
    const policy = s.restartPolicy
    if (s.state === 'restarting' && (policy === 'no' || (policy === 'on-failure' && s.exitCode === 0))) {
      ctx.addIssue({
        code: 'custom',
        path: ['restartPolicy'],
        message: `a restarting container needs a policy that restarts exit code ${s.exitCode}`,
      })
    }
  })
  .transform((s) => ({
    ...s,
    command: s.command ?? defaultCommand(s.image),
    restartPolicy: s.restartPolicy ?? (s.state === 'restarting' ? 'always' : 'no'),
    // A container shown as restarting is in a crash loop: keep it looping unless the scenario scripts it.
    crash: s.crash ?? (s.state === 'restarting' ? { afterSeconds: 2, exitCode: s.exitCode, repeat: true } : undefined),
  }))

export type ResolvedContainerSpec = z.output<typeof containerSpecSchema>

/** Compile-time proof that the documented interface is what the schema accepts. */
export const acceptsContainerSpec = (spec: ContainerSpec): z.input<typeof containerSpecSchema> => spec
