/** XAPI's datetime wire form, `20240101T13:20:11Z` (no separators in the date, no milliseconds). */
export function toXapiDate(ms: number): string {
  const iso = new Date(ms).toISOString()
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 19)}Z`
}
