/** Loads the bundled CLI with V8's code cache beside it; see load-bundle.js. */
export declare function loadCli(bundle: string): {
  cli: {
    main: (
      argv: readonly string[],
      ctx: {
        cwd: string
        stdout: { write(text: string): unknown }
        stderr: { write(text: string): unknown }
        env?: Readonly<Record<string, string | undefined>>
      },
    ) => Promise<number>
  }
  cacheRejected: boolean | undefined
  saveCache: () => void
}
