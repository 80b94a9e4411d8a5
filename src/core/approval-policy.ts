/**
 * Which actions need a second person, from config: per command path (`docker restart`), whether an
 * approval is required, which roles may approve (besides holding the `approve` permission on the
 * target), how long the request waits, how many approvers it needs, and whether the requester may
 * approve their own request (off by default: the point is a second pair of eyes).
 */
import { z } from 'zod'

export const approvalRuleSchema = z
  .object({
    required: z.boolean().default(true).describe('false keeps the rule written down but switched off'),
    approverRoles: z
      .array(z.string().min(1))
      .optional()
      .describe(
        'only these roles may approve, and only if the role itself grants approve on the target; when absent, anyone with approve on the target',
      ),
    ttlMinutes: z
      .number()
      .positive()
      .max(7 * 24 * 60)
      .default(30)
      .describe('how long the request waits for approvers before it expires (at most a week)'),
    quorum: z.number().int().min(1).max(5).default(1).describe('how many different approvers must approve'),
    selfApproval: z
      .boolean()
      .default(false)
      .describe('whether the requester may approve their own request (off: the point is a second person)'),
  })
  .strict()
  .describe('the approval rule for one command')

export const approvalsSchema = z
  .object({
    actions: z
      .record(
        z
          .string()
          .regex(/^[a-z]+( [a-z-]+)+$/, 'a command path such as "docker restart"')
          .meta({ title: 'command' }),
        approvalRuleSchema,
      )
      .default({})
      .describe(
        'rules by command path ("docker restart"); a changing command without a rule runs at once, or after its requester confirms',
      ),
  })
  .strict()
  .prefault({})
  .describe('which commands wait for a second person')

export type ApprovalRule = z.infer<typeof approvalRuleSchema>
export type ApprovalsConfig = z.infer<typeof approvalsSchema>

export function approvalRuleFor(config: ApprovalsConfig, path: string): ApprovalRule | undefined {
  const rule = config.actions[path]
  return rule?.required ? rule : undefined
}
