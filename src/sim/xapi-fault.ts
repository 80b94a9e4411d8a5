/**
 * A XAPI failure as the wire carries it: a code and a list of string parameters
 * (`["HANDLE_INVALID", "VM", "OpaqueRef:…"]`). Real xapi renders every parameter as a string,
 * so numbers are stringified here once.
 */
export class XapiFault extends Error {
  readonly code: string
  readonly params: readonly string[]

  constructor(code: string, params: readonly (string | number | boolean)[] = []) {
    super(`${code}(${params.join(', ')})`)
    this.name = 'XapiFault'
    this.code = code
    this.params = params.map(String)
  }

  get errorDescription(): string[] {
    return [this.code, ...this.params]
  }
}

export const fault = (code: string, ...params: (string | number | boolean)[]) => new XapiFault(code, params)
