/**
 * "Did you mean" for the resolvers, from the context's suggestions service: bound to the asker, so
 * it only ever names what they may read. Without the service (not wired) it offers nothing.
 */
import type { CommandContext } from '../../src/core/command.js'
import type { VmSummary } from '../../src/core/ports.js'
import type { Suggest } from './resolve.js'

/** VM names close to a query that found nothing. */
export function suggestVms(ctx: CommandContext): Suggest | undefined {
  const service = ctx.suggest
  return service ? (query) => service.didYouMean(ctx.actor, 'vm', query) : undefined
}

/** Container names in `vm` close to a query that found nothing (the VM by UUID: no ambiguity). */
export function suggestContainers(ctx: CommandContext, vm: VmSummary): Suggest | undefined {
  const service = ctx.suggest
  return service ? (query) => service.didYouMean(ctx.actor, 'container', query, vm.uuid) : undefined
}
