import { defineContainerAction } from './lib/container-action.js'

export const dockerPause = defineContainerAction('pause', {
  summary: 'Pause a running container (freeze its processes)',
  confirm: true,
})
