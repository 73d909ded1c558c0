/**
 * Changes in folders, through one `fs.watch` per folder (inotify on Linux). Node 20's own `recursive` watch on
 * Linux follows files rather than folders, and loses a file that an editor replaces by a rename (as vim and
 * `sed -i` save); a folder's watch sees every entry written, created, renamed or removed in it.
 */
import { readdirSync, statSync, watch, type FSWatcher } from "node:fs";
import path from "node:path";

export class FolderWatches {
  private readonly watchers = new Map<string, FSWatcher>();
  /** Folders whose new subfolders are watched as they appear. */
  private readonly trees = new Set<string>();
  /**
   * Set by `close`: a folder asked for afterwards (the build that was running when the watch stopped names the
   * folders of its inputs) is not watched, or its watch would keep the process alive.
   */
  private closed = false;

  /** `onChange` gets the absolute path of each entry that changed (or the folder, when the system cannot say which). */
  constructor(
    private readonly onChange: (file: string) => void,
    private readonly onError: (error: Error) => void,
  ) {}

  /** `dir` and every folder under it, now and later. */
  tree(dir: string): void {
    if (this.closed) return;
    this.trees.add(dir);
    this.folder(dir);
    for (const entry of readdirSync(dir, { withFileTypes: true }))
      if (entry.isDirectory()) this.tree(path.join(dir, entry.name));
  }

  /** The entries of `dir` only. */
  folder(dir: string): void {
    if (this.closed || this.watchers.has(dir)) return;
    let watcher: FSWatcher;
    try {
      watcher = watch(dir, (_event, name) => {
        const file = name === null ? dir : path.join(dir, name.toString());
        if (name !== null && this.trees.has(dir) && isFolder(file)) this.tree(file);
        this.onChange(file);
      });
    } catch (error) {
      // Gone meanwhile: its parent's watch says so.
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
      throw error;
    }
    watcher.on("error", (error) => {
      watcher.close();
      this.watchers.delete(dir);
      // A folder that was removed; anything else is the end of the watch.
      if (isFolder(dir)) this.onError(error);
    });
    this.watchers.set(dir, watcher);
  }

  close(): void {
    this.closed = true;
    for (const watcher of this.watchers.values()) watcher.close();
    this.watchers.clear();
  }
}

function isFolder(file: string): boolean {
  try {
    return statSync(file).isDirectory();
  } catch {
    return false;
  }
}
