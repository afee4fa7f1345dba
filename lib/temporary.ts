/**
 * The temporary folders of a run (bench's traces, conformance's scenarios), made in the system's temporary
 * folder and remembered until removed, so that a process ending on a signal can remove every one of them
 * synchronously before it dies (cli/signals.ts), as git removes its temporary files on every signal.
 * Without that, a run cut short before its `finally` blocks leaves its folder behind.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const folders = new Set<string>();

/** Makes a new folder `PREFIX-XXXXXX` in the temporary folder and remembers it. */
export function makeTemporaryFolder(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  folders.add(dir);
  return dir;
}

/** Removes a folder made by makeTemporaryFolder, with everything in it. */
export function removeTemporaryFolder(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  folders.delete(dir);
}

/** Leaves a folder made by makeTemporaryFolder where it is (a failure kept for the user to look at). */
export function keepTemporaryFolder(dir: string): void {
  folders.delete(dir);
}

/** The folders made and neither removed nor kept yet. */
export function temporaryFolders(): string[] {
  return [...folders];
}

/**
 * Removes every folder made and neither removed nor kept. Never throws: it runs on the way to dying of a
 * signal, where a folder that cannot be removed must not keep the process alive.
 */
export function removeTemporaryFolders(): void {
  for (const dir of folders) {
    try {
      removeTemporaryFolder(dir);
    } catch {
      // a child still writing into it (ENOTEMPTY), or permissions: nothing more to do on the way out
    }
  }
}
