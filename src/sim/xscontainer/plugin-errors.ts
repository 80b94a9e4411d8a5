/**
 * How failures inside the xscontainer plugin reach a XAPI client (xapi-project/xen-api:
 * ocaml/xapi/xapi_plugins.ml and XenAPIPlugin.py): a Python exception in a plugin function becomes
 * `XENAPI_PLUGIN_FAILURE [fn, ExceptionClassName, str(e)]`; a script that dies outside `dispatch`
 * becomes `XENAPI_PLUGIN_FAILURE ["non-zero exit", stdout, stderr]`.
 */
import { XapiFault } from '../xapi-fault.js'

export function pluginException(fn: string, exceptionClass: string, message: string): XapiFault {
  return new XapiFault('XENAPI_PLUGIN_FAILURE', [fn, exceptionClass, message])
}

export const invalidArguments = (fn: string) => pluginException(fn, 'Exception', 'INVALID_ARGUMENTS')
export const invalidContainer = (fn: string) => pluginException(fn, 'XSContainerException', 'Invalid container')

/**
 * Python 2's `repr()` of a byte string: single quotes unless the text holds `'` and no `"`; `\\`,
 * the chosen quote, `\t \n \r` escaped; other bytes outside 0x20–0x7e as `\xNN` (UTF-8 bytes).
 * Fixed (§1.4): a forwarded failure's str(e) nests request texts holding CRLF and both quote kinds.
 */
export function pyRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'"
  let out = ''
  for (const byte of Buffer.from(text, 'utf8')) {
    const ch = String.fromCharCode(byte)
    if (ch === '\\' || ch === quote) out += `\\${ch}`
    else if (ch === '\t') out += '\\t'
    else if (ch === '\n') out += '\\n'
    else if (ch === '\r') out += '\\r'
    else if (byte < 0x20 || byte > 0x7e) out += `\\x${byte.toString(16).padStart(2, '0')}`
    else out += ch
  }
  return `${quote}${out}${quote}`
}

/** Python's `str()` of a list of strings, as str(XenAPI.Failure) prints its details. */
export function pyListRepr(items: readonly string[]): string {
  return `[${items.map(pyRepr).join(', ')}]`
}

/** An exception raised while choosing the host to forward to (outside dispatch): the script exits non-zero. */
export function nonZeroExit(failure: readonly string[]): XapiFault {
  const stderr = [
    'Traceback (most recent call last):',
    '  File "/etc/xapi.d/plugins/xscontainer", line 151, in <module>',
    '    redirect_operation_owned_by_other_slave()',
    `XenAPI.Failure: ${pyListRepr(failure)}`,
    '',
  ].join('\n')
  return new XapiFault('XENAPI_PLUGIN_FAILURE', ['non-zero exit', '', stderr])
}
