import { defineContainerAction } from './lib/container-action.js'

export const dockerRestart = defineContainerAction('restart', { summary: 'Restart a container', confirm: true })
