/**
 * The store contract (issue #15): one suite of behaviours every engine's Store must show, run on
 * SQLite (sqlite-contract.test.ts) and on PostgreSQL (pg-contract.test.ts), so the engines cannot drift
 * apart. Two Stores opened on one database stand for two replicas: their concurrent decisions must
 * each have exactly one winner, and their concurrent audit appends must stay one chain.
 */
import { describe } from 'vitest'
import { alertsContract } from './alerts-contract.js'
import { approvalsContract } from './approvals-contract.js'
import { auditContract } from './audit-contract.js'
import type { ContractOptions, OpenHarness } from './contract-harness.js'
import { jobsContract } from './jobs-contract.js'

export type { ContractHarness, ContractOptions, OpenHarness } from './contract-harness.js'

export function describeStoreContract(
  name: string,
  setup: OpenHarness,
  options: ContractOptions & { readonly skip?: boolean },
): void {
  describe.skipIf(options.skip === true)(`store contract: ${name}`, () => {
    approvalsContract(setup)
    jobsContract(setup)
    auditContract(setup)
    alertsContract(setup, options)
  })
}
