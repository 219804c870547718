// runExport on the embedded SQLite store: the ledger, watermark and configs survive closing and reopening.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMemoryTardySink, createMemoryTardySource, type TardyEvent } from "@rostersync/core";
import { createSqliteStore } from "@rostersync/storage-sqlite";
import { expect, it } from "vitest";
import { getExport, runExport, saveExport } from "../src/index.js";
import { behaviorCodes, bellSchedules, config, edit, schools, tardy } from "./helpers/school.js";

it("keeps configs, ledger and watermark in SQLite across a restart: nothing is sent twice", async () => {
  const dir = await mkdtemp(join(tmpdir(), "hero-sqlite-"));
  try {
    const path = join(dir, "sync.db");
    const source = createMemoryTardySource({
      schools,
      behaviorCodes,
      bellSchedules,
      tardies: [tardy("e1"), tardy("e2")],
    });
    const sink = createMemoryTardySink();
    const first = (await createSqliteStore({ path }))._unsafeUnwrap();
    (await saveExport(first, "school-1", config(), { expectedVersion: null }))._unsafeUnwrap();
    const deps = { now: Date.parse("2026-09-14T20:30:00Z"), tenantId: "school-1", source, sinks: { drop: sink } };
    expect((await runExport(config(), { ...deps, store: first }))._unsafeUnwrap().counts.new).toBe(2);
    await first.close();

    const second = (await createSqliteStore({ path }))._unsafeUnwrap();
    const stored = (await getExport(second, "school-1", "tardies-to-sis"))._unsafeUnwrap();
    expect(stored?.version).toBe(1);
    source.put(edit(source.getInstance().tardies.get("e1") as TardyEvent, { comment: "edited" }));
    const again = (await runExport(stored?.config ?? config(), { ...deps, store: second }))._unsafeUnwrap();
    expect(again.counts).toMatchObject({ new: 0, correction: 1 });
    expect(sink.getInstance().deliveries.map((d) => d.records.length)).toEqual([2, 1]);
    await second.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
