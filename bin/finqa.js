#!/usr/bin/env node
// The installed package ships the built JavaScript in dist/. In a source checkout, `npm run build` makes it.
let cli
try {
  cli = await import('../dist/cli/main.js')
} catch (error) {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.url).endsWith('/dist/cli/main.js')) {
    process.stderr.write('finqa: dist/ is missing; in a source checkout, run `npm run build` first\n')
    process.exit(70)
  }
  throw error
}

process.exitCode = await cli.main(process.argv.slice(2), {
  cwd: process.cwd(),
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
})
