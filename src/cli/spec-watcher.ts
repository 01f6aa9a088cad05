import { type Dirent, type FSWatcher, readdirSync, statSync, watch } from 'node:fs'
import { join } from 'node:path'
import { fileIdentity, type SpecIdentities } from '../load/read-specs.js'

export interface SpecWatcherOptions {
  /** Events closer together than this make one rescan (an editor's save is often several events). */
  readonly settleMs: number
  /** Spec files (relative to the folder, forward slashes) added, removed or changed since the last scan. */
  readonly onChange: (changed: readonly string[]) => void
  /** A folder could not be watched (the system's limit of watches, permission): watching is incomplete. */
  readonly onError: (error: Error) => void
}

export interface SpecWatcher {
  /** The identity (`fileIdentity`) of each spec file the last scan found, by absolute path. */
  identities(): SpecIdentities
  close(): void
}

const SPEC_NAME = /\.ya?ml$/

/**
 * Watches the spec files below `root`: one non-recursive `fs.watch` per folder (hidden ones skipped, as
 * `readSpecs` skips them; linked folders not followed), made and closed as folders appear and vanish. Any
 * event makes a rescan: every spec file's size, mtime, ctime and inode, compared with the last scan, so that
 * what changed is found whatever the events said. A watch on a folder sees a file saved by rename (`sed -i`,
 * an editor's atomic save) as well as one written in place; Node's recursive watch on Linux watches each file
 * by inode and loses a file once it is replaced by rename.
 */
export function watchSpecs(root: string, options: SpecWatcherOptions): SpecWatcher {
  const watchers = new Map<string, FSWatcher>()
  let files = new Map<string, string>()
  let identities: SpecIdentities = new Map()
  let timer: NodeJS.Timeout | undefined
  let closed = false

  const rescan = (): void => {
    timer = undefined
    if (closed) return
    const scan = scanSpecs(root)
    syncWatchers(scan.folders)
    const changed: string[] = []
    for (const [file, signature] of scan.files) if (files.get(file) !== signature) changed.push(file)
    for (const file of files.keys()) if (!scan.files.has(file)) changed.push(file)
    files = scan.files
    identities = scan.identities
    if (changed.length > 0) options.onChange(changed.sort())
  }
  const schedule = (): void => {
    if (closed) return
    clearTimeout(timer)
    timer = setTimeout(rescan, options.settleMs)
  }
  const syncWatchers = (folders: ReadonlySet<string>): void => {
    for (const [folder, watcher] of watchers) {
      if (folders.has(folder)) continue
      watcher.close()
      watchers.delete(folder)
    }
    for (const folder of folders) {
      if (watchers.has(folder)) continue
      let watcher: FSWatcher
      try {
        watcher = watch(join(root, folder), schedule)
      } catch (error) {
        // Gone meanwhile: the rescan its parent's event makes finds that.
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue
        options.onError(error as Error)
        continue
      }
      // A folder removed or renamed: forget its watch, and look again.
      watcher.on('error', () => {
        watcher.close()
        if (watchers.get(folder) === watcher) watchers.delete(folder)
        schedule()
      })
      watchers.set(folder, watcher)
    }
  }

  const first = scanSpecs(root)
  files = first.files
  identities = first.identities
  syncWatchers(first.folders)
  return {
    identities: () => identities,
    close: () => {
      closed = true
      clearTimeout(timer)
      for (const watcher of watchers.values()) watcher.close()
      watchers.clear()
    },
  }
}

/**
 * The folders below `root` (`''` for itself) and a signature of each spec file in them (a linked file's
 * target), by path relative to `root` with forward slashes. What cannot be read is left out: the compile
 * reports it.
 */
function scanSpecs(root: string): {
  folders: Set<string>
  files: Map<string, string>
  identities: Map<string, string>
} {
  const folders = new Set<string>()
  const files = new Map<string, string>()
  const identities = new Map<string, string>()
  const walk = (folder: string): void => {
    let entries: Dirent[]
    try {
      entries = readdirSync(join(root, folder), { withFileTypes: true })
    } catch {
      return
    }
    folders.add(folder)
    for (const d of entries) {
      if (d.name.startsWith('.')) continue
      const path = folder === '' ? d.name : `${folder}/${d.name}`
      if (d.isDirectory()) walk(path)
      else if (SPEC_NAME.test(d.name)) {
        const absolute = join(root, path)
        try {
          const s = statSync(absolute, { bigint: true })
          const identity = fileIdentity(s)
          files.set(path, `${identity}:${s.mode}`)
          identities.set(absolute, identity)
        } catch (error) {
          files.set(path, `unreadable:${(error as NodeJS.ErrnoException).code}`)
        }
      }
    }
  }
  walk('')
  return { folders, files, identities }
}
