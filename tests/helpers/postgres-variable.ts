/** The environment variable that points the tests at a throwaway PostgreSQL (issue #15). */
export const POSTGRES_URL_VARIABLE = 'XEN_CHATOPS_TEST_POSTGRES_URL'

declare module 'vitest' {
  export interface ProvidedContext {
    /** The test PostgreSQL's URL, or '' when none is reachable (the PostgreSQL suites skip). */
    postgresUrl: string
  }
}
