import { spawn } from "node:child_process";
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { TardyDelivery } from "@rostersync/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFileDirectorySink } from "../src/index.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "hero-sink-"));
});
afterEach(async () => {
  await chmod(dir, 0o755).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
});

const delivery = (filename: string, body: string): TardyDelivery => ({
  exportId: "x",
  runId: "r1",
  filename,
  mediaType: "text/csv",
  body,
  records: [{ eventId: "e1", kind: "new", values: {} }],
});

describe("file-directory sink", () => {
  it("writes the file under its name and nothing else is left in the folder", async () => {
    const sink = createFileDirectorySink({ directory: join(dir, "inbox") });
    const receipt = (await sink.deliver(delivery("tardies.csv", "a,b\r\n")))._unsafeUnwrap();
    expect(receipt.delivered).toBe(1);
    expect(await readdir(join(dir, "inbox"))).toEqual(["tardies.csv"]);
    expect(await readFile(join(dir, "inbox", "tardies.csv"), "utf8")).toBe("a,b\r\n");
    // The same delivery again (a retried run) replaces it with identical content.
    await sink.deliver(delivery("tardies.csv", "a,b\r\n"));
    expect(await readdir(join(dir, "inbox"))).toEqual(["tardies.csv"]);
  });

  it("refuses file names that would leave the folder or hide the file", async () => {
    const sink = createFileDirectorySink({ directory: dir });
    for (const name of ["../escape.csv", "sub/x.csv", ".hidden.csv", ""]) {
      expect((await sink.deliver(delivery(name, "x")))._unsafeUnwrapErr().type).toBe("WriteFailed");
    }
    expect(await readdir(dir)).toEqual([]);
  });

  it("fails as a value when the folder cannot be written, leaving no temp file", async () => {
    if (process.getuid?.() === 0) {
      // root ignores permissions; make the target a file instead.
      await writeFile(join(dir, "blocked"), "");
      const sink = createFileDirectorySink({ directory: join(dir, "blocked") });
      const error = (await sink.deliver(delivery("t.csv", "x")))._unsafeUnwrapErr();
      expect(error).toMatchObject({ type: "WriteFailed", retryable: true });
      return;
    }
    await chmod(dir, 0o500);
    const sink = createFileDirectorySink({ directory: dir });
    expect((await sink.deliver(delivery("t.csv", "x")))._unsafeUnwrapErr().type).toBe("WriteFailed");
  });

  it("does nothing once cancelled", async () => {
    const sink = createFileDirectorySink({ directory: dir });
    const controller = new AbortController();
    controller.abort();
    expect((await sink.deliver(delivery("t.csv", "x"), { signal: controller.signal }))._unsafeUnwrapErr().type).toBe(
      "Aborted",
    );
    expect(await readdir(dir)).toEqual([]);
  });

  it("never leaves a half-written file when the writer is killed mid-write (SIGKILL)", {
    timeout: 300_000,
  }, async () => {
    const script = fileURLToPath(new URL("./fixtures/kill-writer.ts", import.meta.url));
    let killedMidWrite = 0;
    for (let round = 0; round < 4; round++) {
      const out = join(dir, `round-${round}`);
      const child = spawn(process.execPath, [script, out, "24"], { stdio: ["ignore", "pipe", "pipe"] });
      let stderr = "";
      child.stderr.on("data", (c: Buffer) => {
        stderr += c.toString();
      });
      const exited = new Promise<NodeJS.Signals | null>((resolve) =>
        child.on("exit", (_code, signal) => resolve(signal)),
      );
      // Kill shortly after the writer starts its (round + 1)-th file, i.e. while earlier ones are done.
      await new Promise<void>((resolve, reject) => {
        let buffer = "";
        child.stdout.on("data", (chunk: Buffer) => {
          buffer += chunk.toString();
          if (buffer.includes(`start ${round + 1}\n`)) {
            setTimeout(
              () => {
                child.kill("SIGKILL");
                resolve();
              },
              1 + round * 3,
            );
          }
        });
        child.on("exit", () => reject(new Error(`writer exited on its own: ${stderr}`)));
      });
      expect(await exited).toBe("SIGKILL");

      const names = await readdir(out);
      const visible = names.filter((n) => !n.startsWith("."));
      const temps = names.filter((n) => n.startsWith(".hero-") && n.endsWith(".tmp"));
      expect(visible.length + temps.length).toBe(names.length);
      expect(visible.length).toBeGreaterThanOrEqual(round + 1);
      for (const name of visible) {
        const body = await readFile(join(out, name), "utf8");
        const n = /^tardies-(\d+)\.csv$/.exec(name)?.[1];
        const header = /^BEGIN (\d+) (\d+)\n/.exec(body);
        expect(header?.[1]).toBe(n);
        expect(body.endsWith(`\nEND ${n}\n`)).toBe(true);
        expect(body.length).toBe((header?.[0].length ?? 0) + Number(header?.[2]) + `\nEND ${n}\n`.length);
      }
      if (temps.length > 0) killedMidWrite++;
      // What a killed writer leaves is hidden and removable.
      const sink = createFileDirectorySink({ directory: out });
      expect(await sink.removeTempFiles()).toBe(temps.length);
      expect((await readdir(out)).sort()).toEqual(visible.sort());
    }
    // At least one kill landed while a file was being written (its temp file was found).
    expect(killedMidWrite).toBeGreaterThan(0);
  });
});
