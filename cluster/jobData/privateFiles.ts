import { randomBytes } from 'node:crypto';
import { chmod, lstat, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ChorusError } from '../../core/errors.ts';

/**
 * Uploaded data copied to a local disk is the users' data: it is kept in folders only this process's
 * user can enter (0700) and files only it can read (0600), whatever the mode of the file the user
 * uploaded, the umask, or a folder an earlier version left behind.
 */

export const PRIVATE_FOLDER_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/**
 * Makes `dir` (and missing parents) and makes it private. Refuses a folder that is a symbolic link or
 * belongs to another user: in a shared temporary folder, someone else could have made it to read
 * what is written there. A folder of root's (a Kubernetes emptyDir volume) is used as it is: root
 * can read everything anyway, and the folders made inside it are private.
 */
export async function ensurePrivateFolder(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: PRIVATE_FOLDER_MODE });
  const info = await lstat(dir);
  if (info.isSymbolicLink() || !info.isDirectory()) {
    throw new ChorusError(
      `the cache folder ${dir} is not a folder (a symbolic link or a file): not using it`,
    );
  }
  const uid = process.getuid?.();
  if (uid !== undefined && info.uid !== uid && info.uid !== 0) {
    throw new ChorusError(
      `the cache folder ${dir} belongs to another user (uid ${info.uid}): not writing data into it; ` +
        'give another folder with --cache',
    );
  }
  const ours = uid === undefined || info.uid === uid;
  if (ours && (info.mode & 0o777) !== PRIVATE_FOLDER_MODE) await chmod(dir, PRIVATE_FOLDER_MODE);
}

/**
 * Writes `bytes` to `file` as a private file: a new file under a temporary name (never an existing
 * file whose mode would stay), then renamed into place, so a reader never sees part of it.
 */
export async function writePrivateFile(file: string, bytes: Uint8Array): Promise<void> {
  await ensurePrivateFolder(dirname(file));
  const temporary = `${file}.${randomBytes(6).toString('hex')}.part`;
  try {
    await writeFile(temporary, bytes, { flag: 'wx', mode: PRIVATE_FILE_MODE });
    await rename(temporary, file);
  } catch (err) {
    await rm(temporary, { force: true });
    throw err;
  }
}
