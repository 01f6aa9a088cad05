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
  /** undefined when there was no cache for this bundle. */
  cacheRejected: boolean | undefined
  saveCache: () => void
}

/** The start of the bundle's last line, `// finqa-build <id>`. */
export declare const BUILD_LINE: string
