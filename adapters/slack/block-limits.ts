/**
 * Block Kit's limits (https://api.slack.com/reference/block-kit/blocks and the element and composition
 * object pages), in one place: the renderers build within them, and `messageProblems` / `viewProblems`
 * check any payload against them — the tests run every payload the bot sends through these checks.
 * A payload over a limit is refused by Slack (`invalid_blocks`), so a list too long must be paginated or
 * cut with a note by construction, never left to a platform error.
 */

export const LIMITS = {
  messageBlocks: 50,
  modalBlocks: 100,
  sectionText: 3_000,
  sectionFields: 10,
  fieldText: 2_000,
  contextElements: 10,
  contextText: 3_000,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2_000,
  actionId: 255,
  blockId: 255,
  modalTitle: 24,
  modalButton: 24,
  inputLabel: 2_000,
  inputHint: 2_000,
  placeholder: 150,
  plainInputLength: 3_000,
  staticOptions: 100,
  optionText: 75,
  optionValue: 150,
  privateMetadata: 3_000,
  callbackId: 255,
  /** The notification text beside the blocks (Slack truncates at 40 000; ours stays short). */
  messageText: 3_000,
  /**
   * Not documented: Slack has refused messages with `msg_blocks_too_long` at about 13 000 characters of
   * block text although every documented limit held (slackapi/bolt-js#2509, 2025). The renderer keeps
   * a margin below that.
   */
  messageChars: 12_000,
} as const

type Json = Record<string, unknown>

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)
const textOf = (v: unknown): string | undefined => (isObject(v) && typeof v.text === 'string' ? v.text : undefined)
const array = (v: unknown): unknown[] => (Array.isArray(v) ? v : [])

class Checker {
  readonly problems: string[] = []
  readonly #blockIds = new Set<string>()
  /** Action ids must be unique within their block. */
  #actionIds = new Set<string>()
  chars = 0

  max(what: string, value: string | undefined, limit: number): void {
    if (value !== undefined && value.length > limit)
      this.problems.push(`${what}: ${value.length} > ${limit} characters`)
  }

  text(what: string, value: unknown, limit: number): void {
    const text = textOf(value)
    this.chars += text?.length ?? 0
    this.max(what, text, limit)
  }

  count(what: string, list: unknown[], limit: number): void {
    if (list.length > limit) this.problems.push(`${what}: ${list.length} > ${limit}`)
  }

  blockId(where: string, block: Json): void {
    if (typeof block.block_id !== 'string') return
    this.max(`${where} block_id`, block.block_id, LIMITS.blockId)
    if (this.#blockIds.has(block.block_id)) this.problems.push(`${where}: duplicate block_id ${block.block_id}`)
    this.#blockIds.add(block.block_id)
  }

  element(where: string, element: unknown): void {
    if (!isObject(element)) return
    if (typeof element.action_id === 'string') {
      this.max(`${where} action_id`, element.action_id, LIMITS.actionId)
      if (this.#actionIds.has(element.action_id))
        this.problems.push(`${where}: duplicate action_id ${element.action_id}`)
      this.#actionIds.add(element.action_id)
    }
    switch (element.type) {
      case 'button':
        this.text(`${where} button text`, element.text, LIMITS.buttonText)
        this.max(
          `${where} button value`,
          typeof element.value === 'string' ? element.value : undefined,
          LIMITS.buttonValue,
        )
        break
      case 'plain_text_input':
        this.text(`${where} placeholder`, element.placeholder, LIMITS.placeholder)
        if (typeof element.max_length === 'number' && element.max_length > LIMITS.plainInputLength) {
          this.problems.push(`${where} max_length: ${element.max_length} > ${LIMITS.plainInputLength}`)
        }
        this.max(
          `${where} initial_value`,
          typeof element.initial_value === 'string' ? element.initial_value : undefined,
          LIMITS.plainInputLength,
        )
        break
      case 'static_select':
      case 'external_select': {
        this.text(`${where} placeholder`, element.placeholder, LIMITS.placeholder)
        const options = array(element.options)
        this.count(`${where} options`, options, LIMITS.staticOptions)
        for (const [i, option] of [
          ...options,
          ...(isObject(element.initial_option) ? [element.initial_option] : []),
        ].entries()) {
          this.option(`${where} option ${i}`, option)
        }
        break
      }
    }
  }

  option(where: string, option: unknown): void {
    if (!isObject(option)) return
    this.max(`${where} text`, textOf(option.text), LIMITS.optionText)
    this.max(`${where} value`, typeof option.value === 'string' ? option.value : undefined, LIMITS.optionValue)
  }

  block(where: string, block: unknown): void {
    if (!isObject(block)) {
      this.problems.push(`${where}: not an object`)
      return
    }
    this.blockId(where, block)
    this.#actionIds = new Set()
    switch (block.type) {
      case 'section': {
        this.text(`${where} text`, block.text, LIMITS.sectionText)
        const fields = array(block.fields)
        this.count(`${where} fields`, fields, LIMITS.sectionFields)
        for (const [i, field] of fields.entries()) this.text(`${where} field ${i}`, field, LIMITS.fieldText)
        if (block.text === undefined && fields.length === 0)
          this.problems.push(`${where}: a section needs text or fields`)
        this.element(`${where} accessory`, block.accessory)
        break
      }
      case 'context': {
        const elements = array(block.elements)
        this.count(`${where} elements`, elements, LIMITS.contextElements)
        for (const [i, element] of elements.entries()) this.text(`${where} element ${i}`, element, LIMITS.contextText)
        break
      }
      case 'actions': {
        const elements = array(block.elements)
        this.count(`${where} elements`, elements, LIMITS.actionsElements)
        for (const [i, element] of elements.entries()) this.element(`${where} element ${i}`, element)
        break
      }
      case 'input':
        this.text(`${where} label`, block.label, LIMITS.inputLabel)
        this.text(`${where} hint`, block.hint, LIMITS.inputHint)
        this.element(`${where} element`, block.element)
        break
      case 'divider':
      case 'header':
        break
      default:
        this.problems.push(`${where}: unexpected block type ${String(block.type)}`)
    }
  }
}

function checkBlocks(checker: Checker, blocks: unknown, limit: number): void {
  const list = array(blocks)
  checker.count('blocks', list, limit)
  for (const [i, block] of list.entries()) checker.block(`block ${i}`, block)
}

/** Problems with a message payload (`text` + `blocks`), as sent to chat.postMessage, chat.update or a response_url. */
export function messageProblems(message: { readonly text?: unknown; readonly blocks?: unknown }): string[] {
  const checker = new Checker()
  checkBlocks(checker, message.blocks, LIMITS.messageBlocks)
  if (typeof message.text === 'string') checker.max('text', message.text, LIMITS.messageText)
  if (checker.chars > LIMITS.messageChars) {
    checker.problems.push(`block text: ${checker.chars} > ${LIMITS.messageChars} characters in all`)
  }
  return checker.problems
}

/** Problems with a modal view, as sent to views.open or views.update. */
export function viewProblems(view: unknown): string[] {
  const checker = new Checker()
  if (!isObject(view)) return ['view: not an object']
  checker.text('title', view.title, LIMITS.modalTitle)
  checker.text('submit', view.submit, LIMITS.modalButton)
  checker.text('close', view.close, LIMITS.modalButton)
  checker.max(
    'private_metadata',
    typeof view.private_metadata === 'string' ? view.private_metadata : undefined,
    LIMITS.privateMetadata,
  )
  checker.max('callback_id', typeof view.callback_id === 'string' ? view.callback_id : undefined, LIMITS.callbackId)
  checkBlocks(checker, view.blocks, LIMITS.modalBlocks)
  return checker.problems
}

/** Problems with the options answering a block_suggestion. */
export function optionsProblems(options: unknown): string[] {
  const checker = new Checker()
  const list = array(options)
  checker.count('options', list, LIMITS.staticOptions)
  for (const [i, option] of list.entries()) checker.option(`option ${i}`, option)
  return checker.problems
}
