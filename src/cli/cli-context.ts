export interface OutputStream {
  write(text: string): unknown
  /** Colour is used only on a TTY. */
  readonly isTTY?: boolean
}

/** What a command gets from the process: the only way the CLI reaches cwd, the streams and the environment. */
export interface CliContext {
  readonly cwd: string
  readonly stdout: OutputStream
  readonly stderr: OutputStream
  /** NO_COLOR, FORCE_COLOR and TERM decide colour. Default: none set. */
  readonly env?: Readonly<Record<string, string | undefined>>
  /** Ends `compile --watch`. Default: SIGINT or SIGTERM. */
  readonly signal?: AbortSignal
  /**
   * Called once when a compile (or check) has produced LARGE_COMPILE_FILES files, so that the process can
   * tune itself for a large compile (bin/finqa.js limits V8's heap growth). Default: nothing.
   */
  readonly onLargeCompile?: () => void
}
