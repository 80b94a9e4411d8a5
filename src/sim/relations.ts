/**
 * One-to-many links that xapi keeps in both directions: when a VBD's `VM` field names a VM, that VM's
 * `VBDs` set lists the VBD. Clients (xen-api's `$VBDs` getters, XO's disk views) read the set side,
 * so the simulator maintains it on every create, update and destroy.
 */
export interface Relation {
  readonly child: string
  readonly field: string
  readonly parent: string
  readonly setField: string
}

export const RELATIONS: readonly Relation[] = [
  { child: 'VBD', field: 'VM', parent: 'VM', setField: 'VBDs' },
  { child: 'VBD', field: 'VDI', parent: 'VDI', setField: 'VBDs' },
  { child: 'VIF', field: 'VM', parent: 'VM', setField: 'VIFs' },
  { child: 'VIF', field: 'network', parent: 'network', setField: 'VIFs' },
  { child: 'VDI', field: 'SR', parent: 'SR', setField: 'VDIs' },
  { child: 'PBD', field: 'SR', parent: 'SR', setField: 'PBDs' },
  { child: 'PBD', field: 'host', parent: 'host', setField: 'PBDs' },
  { child: 'PIF', field: 'host', parent: 'host', setField: 'PIFs' },
  { child: 'PIF', field: 'network', parent: 'network', setField: 'PIFs' },
  { child: 'VM', field: 'resident_on', parent: 'host', setField: 'resident_VMs' },
  { child: 'task', field: 'subtask_of', parent: 'task', setField: 'subtasks' },
]

const byChild = new Map<string, Relation[]>()
for (const r of RELATIONS) byChild.set(r.child, [...(byChild.get(r.child) ?? []), r])

export function relationsOf(cls: string): readonly Relation[] {
  return byChild.get(cls) ?? []
}
