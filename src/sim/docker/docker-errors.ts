/**
 * Errors a Docker daemon answers with, carrying the exact HTTP status and body Docker 20.10 sends, so
 * the SSH/HTTP guest can replay them byte for byte and the xscontainer emulation can build its
 * failure text from them.
 *
 * Status codes follow moby's errdefs → HTTP mapping (api/server/httputils, errdefs/http_helpers.go,
 * v20.10): NotFound → 404, Conflict → 409, InvalidParameter → 400, NotModified → 304, and any error
 * without an errdefs class → 500.
 */

/**
 * Go's `json.Encoder` with `SetEscapeHTML(false)` (moby api/server/httputils/httputils_write_json.go):
 * like JSON.stringify, except that U+2028/U+2029 are still escaped, and `Encode` appends a newline.
 */
export function goJson(value: unknown): string {
  return `${JSON.stringify(value)
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029')}\n`
}

/** A Docker Engine API error answer. `message` is Docker's message text (what the CLI prints). */
export class DockerError extends Error {
  readonly status: number
  /**
   * The exact HTTP body: '' for 304 (Go's net/http refuses a body on 304), otherwise Docker's
   * `{"message":"…"}` followed by the newline `json.Encoder.Encode` writes.
   */
  readonly body: string

  constructor(status: number, message: string) {
    super(message)
    this.name = 'DockerError'
    this.status = status
    this.body = status === 304 ? '' : goJson({ message })
  }
}

/**
 * The daemon is not running (the VM is halted). Not an HTTP answer: the Unix socket refuses the
 * connection, so the message is what the docker CLI prints in that case.
 */
export class DaemonDownError extends Error {
  constructor() {
    super('Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?')
    this.name = 'DaemonDownError'
  }
}

/** `objNotFoundError{"container", id}` (daemon/errors.go): echoes the id exactly as the caller gave it. */
export function noSuchContainer(given: string): DockerError {
  return new DockerError(404, `No such container: ${given}`)
}

/**
 * An id prefix matching several containers. Docker 20.10's `GetContainer` wraps truncindex's
 * `ErrAmbiguousPrefix` in `errdefs.System`, so it is a 500 with a capitalised message (daemon/container.go
 * and pkg/truncindex, v20.10). Moby 25+ moved to a memdb index answering 400 "multiple IDs found with
 * provided prefix"; we model 20.10.
 */
export function ambiguousPrefix(given: string): DockerError {
  return new DockerError(500, `Multiple IDs found with provided prefix: ${given}`)
}

/**
 * An empty name or id. [UNVERIFIED] text: 20.10 answers `invalidIdentifier` (InvalidParameter, 400); over
 * HTTP an empty path segment never reaches the handler, so only direct callers see this.
 */
export function invalidIdentifier(given: string): DockerError {
  return new DockerError(400, `invalid name or ID supplied: ${JSON.stringify(given)}`)
}

/** `containerNotModifiedError` (daemon/errors.go): start of a running / stop of a stopped container. */
export function notModified(): DockerError {
  return new DockerError(304, '')
}

/** `errNotRunning` (daemon/errors.go): errdefs.Conflict. */
export function notRunning(id: string): DockerError {
  return new DockerError(409, `Container ${id} is not running`)
}

/** `errNotPaused` — despite its name Docker uses it for pausing an already paused container. */
export function alreadyPaused(id: string): DockerError {
  return new DockerError(409, `Container ${id} is already paused`)
}

/**
 * Unpausing a container that is not paused: daemon/unpause.go (v20.10) returns a bare `fmt.Errorf`, which
 * carries no errdefs class, so the API answers 500 — not 409 as one might expect.
 */
export function notPaused(id: string): DockerError {
  return new DockerError(500, `Container ${id} is not paused`)
}

/** `errContainerIsRestarting` (daemon/errors.go): errdefs.Conflict. */
export function isRestarting(id: string): DockerError {
  return new DockerError(409, `Container ${id} is restarting, wait until the container is running`)
}

/** daemon/start.go `validateState`: errdefs.Conflict. */
export function startPaused(): DockerError {
  return new DockerError(409, 'cannot start a paused container, try unpause instead')
}

/** `signal.ParseSignal` failure, wrapped by the kill route in errdefs.InvalidParameter. */
export function invalidSignal(raw: string): DockerError {
  return new DockerError(400, `Invalid signal: ${raw}`)
}

/**
 * The kill route (api/server/router/container/container_routes.go `postContainersKill`, v20.10) wraps
 * every backend error with `errors.Wrapf(err, "Cannot kill container: %s", name)`, keeping its status.
 */
export function wrapKill(name: string, error: DockerError): DockerError {
  return new DockerError(error.status, `Cannot kill container: ${name}: ${error.message}`)
}
