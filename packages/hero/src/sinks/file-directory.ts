import { randomBytes } from "node:crypto";
import { mkdir, open, readdir, rename, unlink } from "node:fs/promises";
import { basename, join } from "node:path";
import type { PortError, TardyReceipt, TardySink } from "@rostersync/core";
import { errAsync, ResultAsync } from "neverthrow";

/** Options of {@link createFileDirectorySink}. */
export interface FileDirectorySinkOptions {
  /** The folder the SIS picks files up from. Created when missing. */
  readonly directory: string;
  /** The sink's name, as export configs refer to it. Default `file-directory`. */
  readonly name?: string | undefined;
  /** Flush to disk before the rename (and the folder after it). Default `true`; turn off only in tests. */
  readonly fsync?: boolean | undefined;
}

/** A file-directory sink failure. */
export interface FileSinkError extends PortError {
  readonly type: "WriteFailed" | "Aborted";
  /** The file that could not be written. */
  readonly filename: string;
}

/** A file-directory sink; `removeTempFiles` clears temp files a killed process left behind. */
export interface FileDirectorySink extends TardySink<FileSinkError> {
  /** The directory written to. */
  getInstance(): { readonly directory: string };
  /** Removes `.hero-*.tmp` files left by a process that died mid-write; resolves to how many it removed. */
  removeTempFiles(): Promise<number>;
}

const TEMP_PREFIX = ".hero-";
const TEMP_SUFFIX = ".tmp";

/**
 * A {@link TardySink} that drops each delivery's file into a folder, atomically: the file is written
 * under a hidden temp name, flushed to disk, then renamed to its final name (and the folder flushed), so
 * an importer watching the folder sees either the whole file or none of it, even if the process is killed
 * mid-write. A temp file a killed process leaves is hidden (`.hero-….tmp`) and never takes a final name.
 * Writing the same delivery twice (a retried run) replaces the file with identical content.
 *
 * @example
 * ```ts
 * const sinks = { "sis-drop": createFileDirectorySink({ directory: "/srv/sis/inbox" }) };
 * ```
 */
export function createFileDirectorySink(options: FileDirectorySinkOptions): FileDirectorySink {
  const directory = options.directory;
  const durable = options.fsync ?? true;

  const write = async (filename: string, body: string): Promise<void> => {
    await mkdir(directory, { recursive: true });
    const target = join(directory, filename);
    const temp = join(directory, `${TEMP_PREFIX}${randomBytes(6).toString("hex")}-${filename}${TEMP_SUFFIX}`);
    const handle = await open(temp, "wx", 0o644);
    try {
      await handle.writeFile(body, "utf8");
      if (durable) await handle.sync();
    } catch (error) {
      await handle.close().catch(() => undefined);
      await unlink(temp).catch(() => undefined);
      throw error;
    }
    await handle.close();
    try {
      await rename(temp, target);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw error;
    }
    if (durable) {
      // The rename itself must reach the disk, or a power cut could bring back the old directory entry.
      const dir = await open(directory, "r");
      try {
        await dir.sync();
      } catch {
        // Some file systems cannot fsync a directory; the rename is still atomic.
      } finally {
        await dir.close();
      }
    }
  };

  return {
    name: options.name ?? "file-directory",
    deliver(delivery, deliverOptions) {
      const filename = basename(delivery.filename);
      if (deliverOptions?.signal?.aborted) {
        return errAsync(aborted(filename));
      }
      const unsafe = filename !== delivery.filename || filename === "" || filename.startsWith(".");
      return ResultAsync.fromPromise(
        unsafe
          ? Promise.reject(new Error("the file name must be a plain, visible name"))
          : write(filename, delivery.body),
        (error): FileSinkError => ({
          type: "WriteFailed",
          filename,
          retryable: true,
          message: `Could not write ${filename} to ${directory}: ${error instanceof Error ? error.message : String(error)}`,
        }),
      ).map((): TardyReceipt => ({ delivered: delivery.records.length }));
    },
    getInstance: () => ({ directory }),
    async removeTempFiles() {
      let removed = 0;
      let names: string[];
      try {
        names = await readdir(directory);
      } catch {
        return 0;
      }
      for (const name of names) {
        if (name.startsWith(TEMP_PREFIX) && name.endsWith(TEMP_SUFFIX)) {
          await unlink(join(directory, name)).then(
            () => removed++,
            () => undefined,
          );
        }
      }
      return removed;
    },
  };
}

function aborted(filename: string): FileSinkError {
  return { type: "Aborted", filename, message: `Writing ${filename} was cancelled.` };
}
