import {
  createMemoryDirectory,
  createMemoryHoursSink,
  createMemoryHoursSource,
  createMemoryStore,
  type SyncProfile,
} from "@rostersync/core";
import { describe, expect, it } from "vitest";
import { type HoursContext, openHours } from "../../src/hours/context.js";

const PROFILE: SyncProfile = {
  role: "parent",
  schools: ["MAIN"],
  gradeLevels: ["08"],
  fieldMap: [],
  defaultSelection: true,
  hoursSync: { enabled: false, historicImportDone: false },
};

function context(over: Partial<HoursContext> = {}): HoursContext {
  return {
    tenantId: "school-1",
    store: createMemoryStore(),
    directory: createMemoryDirectory(),
    sink: createMemoryHoursSink(),
    source: createMemoryHoursSource(),
    clock: { now: () => 0 },
    newId: () => "id",
    lockTtlMs: 60_000,
    ...over,
  };
}

describe("opening an hours step: one context for push, backfill and import", () => {
  it("answers NoProfile before the school's first setup", async () => {
    expect((await openHours(context(), { enabled: false }))._unsafeUnwrapErr().type).toBe("NoProfile");
  });

  it("refuses a step that needs write-back on while it is off, and opens one that does not", async () => {
    const ctx = context();
    (await ctx.store.saveProfile(ctx.tenantId, PROFILE, null))._unsafeUnwrap();
    expect((await openHours(ctx, { enabled: true }))._unsafeUnwrapErr().type).toBe("HoursSyncOff");
    const opened = (await openHours(ctx, { enabled: false }))._unsafeUnwrap();
    expect(opened.hours.role).toBe("parent");
    expect(opened.version).toBe(1);
  });

  it("needs both the SIS sink and the host's hours", async () => {
    for (const missing of [{ sink: undefined }, { source: undefined }]) {
      const ctx = context(missing);
      (await ctx.store.saveProfile(ctx.tenantId, PROFILE, null))._unsafeUnwrap();
      expect((await openHours(ctx, { enabled: false }))._unsafeUnwrapErr().type).toBe("HoursNotConfigured");
    }
  });
});
