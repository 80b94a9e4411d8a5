/**
 * xscontainer's XML encoding (`util.converttoxml`, xenserver/xscontainer: src/xscontainer/util/__init__.py),
 * reproduced quirk for quirk because real pools store exactly this in VM other_config and the bot must
 * parse it:
 * - `xml.dom.minidom` output: `<?xml version="1.0" ?>` then the element, no whitespace;
 * - dict → one element per key; keys that are not XML names of the simple kind (start with a digit,
 *   contain `/`, start with `. : ! ?` or with `xml`) become `<SPECIAL_XS_ENCODED_ELEMENT name="key">`;
 *   any other invalid character is written as is, giving malformed XML (XO issue #4617);
 * - list → each element wrapped in `<item>`; an empty list or dict → a self-closing element;
 * - scalars → Python's `str()` (`True`, `False`, `None`), text escaped twice (saxutils.escape, then
 *   minidom), so `&` is stored as `&amp;amp;`; `"` is written as `&quot;` by minidom [UNVERIFIED for
 *   Python 2.7's minidom, per the spec's open points].
 * Element order follows the input (Python 2 dict order was arbitrary; clients must not rely on it).
 */

export type PyValue = string | number | boolean | null | undefined | PyValue[] | { [key: string]: PyValue }

const SPECIAL = 'SPECIAL_XS_ENCODED_ELEMENT'

/** saxutils.escape: & < > only. */
const saxEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
/** minidom's text escaping: & < > and ". */
const minidomText = (s: string) => saxEscape(s).replace(/"/g, '&quot;')
const minidomAttr = (s: string) => minidomText(s)

function needsSpecialEncoding(key: string): boolean {
  return /^[0-9]/.test(key) || key.includes('/') || /^[.:!?]/.test(key) || /^xml/i.test(key)
}

/** Python 2's `str()` of a scalar. */
export function pyStr(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return 'None'
  if (typeof value === 'boolean') return value ? 'True' : 'False'
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : pyFloat(value)
  return value
}

function pyFloat(n: number): string {
  const s = String(n)
  return /[.e]/.test(s) ? s : `${s}.0`
}

function element(key: string, inner: string | undefined): string {
  const [open, close] = needsSpecialEncoding(key) ? [`${SPECIAL} name="${minidomAttr(key)}"`, SPECIAL] : [key, key]
  return inner === undefined || inner === '' ? `<${open}/>` : `<${open}>${inner}</${close}>`
}

function encodeChildren(value: PyValue): string | undefined {
  if (Array.isArray(value)) return value.map((v) => element('item', encodeChildren(v))).join('')
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value)
      .map(([k, v]) => element(k, encodeChildren(v)))
      .join('')
  }
  // A scalar is a text node, even when empty: minidom then writes `<k></k>`, not `<k/>`.
  return minidomText(saxEscape(pyStr(value))) || '\u0000'
}

/** `converttoxml({root: value})`: the whole document as xscontainer stores it. */
export function convertToXml(root: string, value: PyValue): string {
  const body = element(root, encodeChildren(value)).replaceAll('\u0000', '')
  return `<?xml version="1.0" ?>${body}`
}
