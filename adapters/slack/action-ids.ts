/**
 * The ids the bot puts on interactive elements, and reads back. Values never carry state: a press
 * button's value is the core's opaque token, a page button's value names a stored reply and a page, a
 * form button's value is the form's token — each looked up on the server, checked against the user.
 */

/** A Reply's button: value = the core token `Dispatcher.press` takes. Suffixed with its index (unique per message). */
export const PRESS = 'xc:press'
/** Prev / Next on a paginated reply: value = `<pager id>:<page>`. */
export const PAGE = 'xc:page'
/** Opens a form whose modal could not be opened straight away: value = the form token. */
export const OPEN_FORM = 'xc:form'
/** Every modal the bot opens. */
export const FORM_CALLBACK = 'xc_form'
/** The action id of the one element inside each modal input block (the block id is the input id). */
export const INPUT_ACTION = 'value'

export const isOurs = (actionId: string, prefix: string) => actionId === prefix || actionId.startsWith(`${prefix}:`)
