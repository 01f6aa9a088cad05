/**
 * Operating-system errors a user can cause (a full disk, a read-only folder, a file where a folder should be),
 * said in words with what to do about them. The CLI turns them into diagnostics; they are never bugs.
 */

/** The errno code of an error (`ENOSPC`), or undefined when it has none. */
export function errorCode(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  return typeof code === 'string' ? code : undefined
}

/** An error from a system call: it has a code and names the call (`open`, `rename`). */
export function isSystemError(
  error: unknown,
): error is NodeJS.ErrnoException & { code: string; syscall: string } {
  return (
    error instanceof Error &&
    typeof (error as NodeJS.ErrnoException).code === 'string' &&
    typeof (error as NodeJS.ErrnoException).syscall === 'string'
  )
}

export interface OsCause {
  /** What happened, in words: `the disk is full`. */
  readonly cause: string
  /** What to do. `place` names what the user gave: `--out`, the spec folder. */
  readonly suggestion: string
}

/** The cause of an errno code in words, with a suggestion; a generic one for codes not listed. */
export function osCause(code: string, place: 'output' | 'spec' | 'init'): OsCause {
  const elsewhere =
    place === 'output' ? 'or give --out another folder' : place === 'init' ? 'or choose another folder' : ''
  const with_ = (text: string) => (elsewhere === '' ? text : `${text}, ${elsewhere}`)
  switch (code) {
    case 'ENOSPC':
      return {
        cause: 'the disk is full (no space or no free inodes left)',
        suggestion: with_('free some space on it (df -h; df -i)'),
      }
    case 'EDQUOT':
      return { cause: 'your disk quota is used up', suggestion: with_('free some space (quota -s)') }
    case 'EROFS':
      return {
        cause: 'it is read-only: the file system is mounted read-only',
        suggestion: with_('use a folder on a writable file system'),
      }
    case 'EACCES':
    case 'EPERM':
      return place === 'spec'
        ? {
            cause: 'permission denied',
            suggestion: 'make it readable for you (ls -l; chmod u+r), or move it out of the spec folder',
          }
        : {
            cause: 'it is read-only for you (permission denied)',
            suggestion: with_('check its permissions and owner (ls -ld)'),
          }
    case 'ENOTDIR':
    case 'EEXIST':
      return {
        cause: 'a file stands where a folder should be',
        suggestion: place === 'output' ? 'give --out a folder, not a file' : with_('move the file away'),
      }
    case 'EISDIR':
      return { cause: 'a folder stands where a file should be', suggestion: with_('move the folder away') }
    case 'ENAMETOOLONG':
      return {
        cause: 'a path is too long for the file system',
        suggestion: with_('use a shorter folder path'),
      }
    case 'EIO':
      return { cause: 'the disk reported an I/O error', suggestion: with_('check the disk (dmesg)') }
    case 'ELOOP':
      return { cause: 'too many symbolic links, or a loop of them', suggestion: with_('fix the links') }
    case 'EMFILE':
    case 'ENFILE':
      return { cause: 'too many files are open', suggestion: 'raise the limit (ulimit -n) and run again' }
    default:
      return {
        cause: `the operating system refused (${code})`,
        suggestion: with_('check that the folder can be written'),
      }
  }
}
