import { defineContainerAction } from './lib/container-action.js'

export const dockerStop = defineContainerAction('stop', { summary: 'Stop a running container', confirm: true })
