/** The arguments every per-container command takes: `<vm> <container>`. */
import { z } from 'zod'

export const vmArg = z.string().min(1).describe('VM name, name prefix or UUID; pool/name picks the pool')

export const containerArgs = z.object({
  vm: vmArg,
  container: z.string().min(1).describe('container name, id prefix or 10-character key'),
})
