/**
 * Changes the bot makes on purpose (issue #11). Before a job acts on a VM, or the Docker backend on a
 * container, the change is marked here; the alert detectors read the marks, so a container the bot
 * stopped or a VM one of its jobs halted is not reported as something that happened to it. Written by
 * the governance layer (a job's target VM) and by a wrapper around the Docker backend (the exact
 * container); implemented and read in src/alerts.
 */

export interface ExpectedChange {
  readonly pool: string
  /** The VM, by UUID or by name (a job's target knows only the name). */
  readonly vm: string
  /** One container, by full id or 10-character key; absent for the VM itself (power changes). */
  readonly container?: string | undefined
  /** Who makes the change, for the log line that says why no alert was raised: `/docker restart by alice`. */
  readonly by: string
}

export interface ExpectedChanges {
  /**
   * Marks a change about to happen. Call the returned function when the action has ended: the mark
   * stays a little longer, for the event stream to catch up with what the action did.
   */
  expect(change: ExpectedChange): () => void
}
