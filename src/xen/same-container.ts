/**
 * Whether two readings of a container say the same, field by field. The inventory compares every
 * container of a VM whose docker_ps changed (a storm rewrites thousands), and serialising both sides to
 * JSON to compare them was a tenth of an alert decision's cost (the alert-decisions bench).
 */
import type { Container, ContainerPort } from '../core/ports.js'

const samePort = (a: ContainerPort, b: ContainerPort) =>
  a.privatePort === b.privatePort && a.type === b.type && a.publicPort === b.publicPort && a.ip === b.ip

function sameLabels(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a)
  if (keys.length !== Object.keys(b).length) return false
  return keys.every((key) => Object.hasOwn(b, key) && a[key] === b[key])
}

export function sameContainer(a: Container, b: Container): boolean {
  return (
    a.id === b.id &&
    a.key === b.key &&
    a.name === b.name &&
    a.image === b.image &&
    a.command === b.command &&
    a.state === b.state &&
    a.status === b.status &&
    a.created === b.created &&
    a.ports.length === b.ports.length &&
    a.ports.every((port, i) => {
      const other = b.ports[i]
      return other !== undefined && samePort(port, other)
    }) &&
    sameLabels(a.labels, b.labels)
  )
}
