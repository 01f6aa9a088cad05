import { spawnSync } from 'node:child_process'
import { existsSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { lockOutput, OutputBusy } from '../../src/emit/output-lock.js'
import { tempDir } from '../helpers/cli.js'

describe('the output folder lock', () => {
  it('is held by one process at a time: another waits, then fails naming the holder', async () => {
    const out = join(tempDir('finqa-lock-'), 'out')
    const lock = await lockOutput(out, 0)
    expect(existsSync(join(out, '..', '.out.finqa-lock'))).toBe(true)
    const busy = await lockOutput(out, 60).catch((error: unknown) => error)
    expect(busy).toBeInstanceOf(OutputBusy)
    expect((busy as OutputBusy).pid).toBe(process.pid)
    lock.release()
    expect(existsSync(join(out, '..', '.out.finqa-lock'))).toBe(false)
    ;(await lockOutput(out, 0)).release()
  })

  it("takes over a killed compile's lock: its process is gone, or it never wrote one", async () => {
    const dir = tempDir('finqa-lock-')
    const path = join(dir, '.out.finqa-lock')
    const gone = spawnSync('true').pid as number // exited: no such process now
    writeFileSync(path, `${gone}\n`)
    ;(await lockOutput(join(dir, 'out'), 0)).release()
    writeFileSync(path, '') // created, never written: being written now, or left by a crash long ago
    expect(await lockOutput(join(dir, 'out'), 60).catch((error: unknown) => error)).toBeInstanceOf(OutputBusy)
    utimesSync(path, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000))
    ;(await lockOutput(join(dir, 'out'), 0)).release()
  })
})
