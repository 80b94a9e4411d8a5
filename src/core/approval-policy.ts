/**
 * Which actions need a second person, from config: per command path (`docker restart`), whether an
 * approval is required, which roles may approve (besides holding the `approve` permission on the
 * target), how long the request waits, how many approvers it needs, and whether the requester may
 * approve their own request (off by default: the point is a second pair of eyes).
 */
import { z } from 'zod'

export const approvalRuleSchema = z
  .object({
    required: z.boolean().default(true),
    approverRoles: z
      .array(z.string().min(1))
      .optional()
      .describe('only these roles may approve (any approver when absent)'),
    ttlMinutes: z
      .number()
      .positive()
      .max(7 * 24 * 60)
      .default(30),
    quorum: z.number().int().min(1).max(5).default(1),
    selfApproval: z.boolean().default(false),
  })
  .strict()

export const approvalsSchema = z
  .object({
    actions: z
      .record(z.string().regex(/^[a-z]+( [a-z-]+)+$/, 'a command path such as "docker restart"'), approvalRuleSchema)
      .default({}),
  })
  .strict()
  .prefault({})

export type ApprovalRule = z.infer<typeof approvalRuleSchema>
export type ApprovalsConfig = z.infer<typeof approvalsSchema>

export function approvalRuleFor(config: ApprovalsConfig, path: string): ApprovalRule | undefined {
  const rule = config.actions[path]
  return rule?.required ? rule : undefined
}
