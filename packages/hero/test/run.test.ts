import {
  createMemoryStore,
  createMemoryTardySink,
  createMemoryTardySource,
  type PortError,
  type SyncStore,
  type TardyEvent,
  type TardySink,
} from "@rostersync/core";
import { errAsync, okAsync } from "neverthrow";
import { describe, expect, it } from "vitest";
import {
  createCallbackSink,
  type ExportConfigInput,
  getExport,
  listExports,
  problemCodes,
  runExport,
  saveAndRunNow,
  saveExport,
  watermarkKey,
} from "../src/index.js";
import { behaviorCodes, bellSchedules, config, edit, schools, sisCodes, tardy } from "./helpers/school.js";

const tenantId = "school-1";
const NOW = Date.parse("2026-09-14T20:30:00Z");

function setup(tardies: TardyEvent[], sink: TardySink = createMemoryTardySink()) {
  const store = createMemoryStore();
  const source = createMemoryTardySource({ schools, behaviorCodes, bellSchedules, tardies });
  const options = { now: NOW, tenantId, store, source, sinks: { drop: sink }, sisCodes };
  return { store, source, sink, options };
}

const ledgerOf = async (store: SyncStore, exportId = "tardies-to-sis") =>
  (await store.getExportLedger(tenantId, exportId))._unsafeUnwrap();

describe("runExport", () => {
  it("sends the tardies of the chosen schools and codes, rendered, and records them", async () => {
    const sink = createMemoryTardySink();
    const { options, store } = setup(
      [
        tardy("e1", { comment: "bus" }),
        tardy("e2", { behaviorCodeId: "tardy-unexcused", periodId: null, checkInTime: "09:01" }),
        tardy("e3", { schoolId: "ms" }),
        tardy("e4", { behaviorCodeId: "late-bus" }),
        tardy("e5", { status: "voided" }),
      ],
      sink,
    );
    const report = (await runExport(config(), options))._unsafeUnwrap();
    expect(report.counts).toEqual({ new: 2, correction: 0, void: 0, unchanged: 0, ignored: 1 });
    const [delivery] = sink.getInstance().deliveries;
    expect(delivery?.records.map((r) => [r.eventId, r.kind])).toEqual([
      ["e1", "new"],
      ["e2", "new"],
    ]);
    expect(delivery?.body).toBe(
      "Student SIS ID,Student name,Date,Period,Code,Comment\r\n" +
        '1001,"Lovelace, Ada",2026-09-14,1,T,bus\r\n' +
        '1002,"Lovelace, Ada",2026-09-14,2,TU,\r\n', // period found from the check-in time
    );
    expect(delivery?.filename).toBe(`tardies-to-sis-${report.runId}.csv`);
    expect((await ledgerOf(store)).map((l) => [l.eventId, l.status, l.sentAt]).sort()).toEqual([
      ["e1", "sent", "2026-09-14T20:30:00.000Z"],
      ["e2", "sent", "2026-09-14T20:30:00.000Z"],
    ]);
    expect((await store.getWatermark(tenantId, watermarkKey(config())))._unsafeUnwrap()).toBe(report.watermark.to);
  });

  it("sends nothing twice: a re-run with no changes delivers nothing", async () => {
    const sink = createMemoryTardySink();
    const { options, source } = setup([tardy("e1"), tardy("e2")], sink);
    await runExport(config(), options);
    const again = (await runExport(config(), options))._unsafeUnwrap();
    expect(again).toMatchObject({ runId: null, filename: null, delivered: 0 });
    expect(sink.getInstance().deliveries).toHaveLength(1);
    // Even when Hero reports the same tardies again (e.g. a watermark lost), the ledger holds them back.
    const e1 = source.getInstance().tardies.get("e1") as TardyEvent;
    source.put(edit(e1, { staff: "someone else" })); // a change to a field the export does not carry
    const third = (await runExport(config(), options))._unsafeUnwrap();
    expect(third.counts).toMatchObject({ new: 0, unchanged: 1 });
    expect(sink.getInstance().deliveries).toHaveLength(1);
  });

  it("re-sends an edited tardy as a correction and a voided one as a void, each once", async () => {
    const sink = createMemoryTardySink();
    const { options, source, store } = setup([tardy("e1"), tardy("e2"), tardy("e3")], sink);
    await runExport(config(), options);
    const [e1, e2] = ["e1", "e2"].map((id) => source.getInstance().tardies.get(id) as TardyEvent);
    source.put(edit(e1 as TardyEvent, { periodId: "p2", comment: "bell was early" }));
    source.put(edit(e2 as TardyEvent, { status: "voided" }));
    const second = (await runExport(config(), { ...options, now: NOW + 3_600_000 }))._unsafeUnwrap();
    expect(second.counts).toMatchObject({ new: 0, correction: 1, void: 1 });
    const delivery = sink.getInstance().deliveries[1];
    expect(delivery?.records.map((r) => [r.eventId, r.kind, r.values.period, r.values.comment])).toEqual([
      ["e1", "correction", "2", "bell was early"],
      ["e2", "void", "1", null],
    ]);
    const ledger = new Map((await ledgerOf(store)).map((l) => [l.eventId, l]));
    expect(ledger.get("e2")?.status).toBe("voided");
    expect(ledger.get("e3")?.sentAt).toBe("2026-09-14T20:30:00.000Z");
    expect((await runExport(config(), options))._unsafeUnwrap().delivered).toBe(0);
    // A void undone sends the tardy again as new.
    source.put(edit(source.getInstance().tardies.get("e2") as TardyEvent, { status: "active" }));
    const third = (await runExport(config(), options))._unsafeUnwrap();
    expect(third.counts).toMatchObject({ new: 1 });
  });

  it("hands a correction the SIS id the sink returned for the first send", async () => {
    let n = 0;
    const seen: (string | undefined)[] = [];
    const sink = createCallbackSink({
      name: "sis",
      deliver: (d) => {
        seen.push(...d.records.map((r) => r.externalId));
        return {
          delivered: d.records.length,
          externalIds: Object.fromEntries(d.records.map((r) => [r.eventId, `a${++n}`])),
        };
      },
    });
    const { options, source } = setup([tardy("e1")], sink);
    await runExport(config(), options);
    source.put(edit(source.getInstance().tardies.get("e1") as TardyEvent, { comment: "fixed" }));
    await runExport(config(), options);
    expect(seen).toEqual([undefined, "a1"]);
  });

  it("moves the watermark only after the sink succeeded; a failed run is sent again, with the same run id", async () => {
    let fail = true;
    const sink = createMemoryTardySink({
      fault: () => (fail ? { type: "Unavailable", message: "SIS inbox offline", retryable: true } : null),
    });
    const { options, store } = setup([tardy("e1"), tardy("e2")], sink);
    const failed = await runExport(config(), options);
    expect(failed._unsafeUnwrapErr()).toMatchObject({ type: "DeliveryFailed", retryable: true, deliveredEventIds: [] });
    expect(await ledgerOf(store)).toEqual([]);
    expect((await store.getWatermark(tenantId, watermarkKey(config())))._unsafeUnwrap()).toBeNull();
    fail = false;
    const ok = (await runExport(config(), options))._unsafeUnwrap();
    expect(ok.counts.new).toBe(2);
    expect(sink.getInstance().deliveries).toHaveLength(1);
  });

  it("rebuilds the same delivery (run id, file name, body) when it dies between the sink and the ledger", async () => {
    const bodies: string[] = [];
    const names: string[] = [];
    const sink = createCallbackSink({
      deliver: (d) => {
        bodies.push(d.body);
        names.push(d.filename);
        return undefined;
      },
    });
    const { options, store } = setup([tardy("e1"), tardy("e2")], sink);
    let crash = true;
    const flaky: SyncStore = {
      ...store,
      putExportLedger: (...args) =>
        crash ? errAsync({ type: "Unavailable", message: "disk gone" }) : store.putExportLedger(...args),
    };
    const first = await runExport(config(), { ...options, store: flaky });
    expect(first._unsafeUnwrapErr().type).toBe("StoreFailed");
    crash = false;
    await runExport(config(), { ...options, store: flaky, now: NOW + 60_000 });
    expect(names[0]).toBe(names[1]);
    expect(bodies[0]).toBe(bodies[1]);
    expect((await runExport(config(), options))._unsafeUnwrap().delivered).toBe(0);
  });

  it("records what a sink wrote before it failed, so only the rest goes again", async () => {
    let attempt = 0;
    const sink: TardySink = {
      name: "partial",
      deliver: (d) => {
        attempt++;
        if (attempt === 1) {
          const error: PortError & { deliveredEventIds: string[] } = {
            type: "Interrupted",
            message: "rate limited",
            deliveredEventIds: ["e1"],
          };
          return errAsync(error);
        }
        expect(d.records.map((r) => r.eventId)).toEqual(["e2"]);
        return okAsync({ delivered: d.records.length });
      },
    };
    const { options } = setup([tardy("e1"), tardy("e2")], sink);
    expect((await runExport(config(), options))._unsafeUnwrapErr()).toMatchObject({
      type: "DeliveryFailed",
      deliveredEventIds: ["e1"],
    });
    expect((await runExport(config(), options))._unsafeUnwrap().counts).toMatchObject({ new: 1, unchanged: 1 });
    expect(attempt).toBe(2);
  });

  it("refuses to run an invalid export, listing every problem, before reading any tardy", async () => {
    const sink = createMemoryTardySink();
    const { options } = setup([tardy("e1")], sink);
    const bad = config({ schoolIds: ["hs", "ms"], behaviorCodeIds: ["tardy", "late-bus"] });
    const error = (await runExport(bad, options))._unsafeUnwrapErr();
    expect(error.type).toBe("InvalidExport");
    if (error.type !== "InvalidExport") return;
    expect(error.problems.map((p) => p.code)).toEqual([
      problemCodes.EmptyExternalReferenceCode,
      problemCodes.SchoolWithoutSchedule,
    ]);
    expect(error.message).toContain("2 problems");
    expect(sink.getInstance().deliveries).toEqual([]);
    expect((await runExport(config({ sink: "nowhere" }), options))._unsafeUnwrapErr().type).toBe("UnknownSink");
  });

  it("exports the older tardies of a school added later, without re-sending what went before", async () => {
    const sink = createMemoryTardySink();
    const fields = config().fields.filter((f) => f.field !== "period");
    const { options } = setup([tardy("e1"), tardy("e2", { schoolId: "ms" })], sink);
    await runExport(config({ fields }), options);
    const widened = (await runExport(config({ fields, schoolIds: ["hs", "ms"] }), options))._unsafeUnwrap();
    expect(widened.counts).toMatchObject({ new: 1, unchanged: 1 });
    expect(sink.getInstance().deliveries[1]?.records.map((r) => r.eventId)).toEqual(["e2"]);
  });

  it("stops before delivering when cancelled", async () => {
    const sink = createMemoryTardySink();
    const { options } = setup([tardy("e1")], sink);
    const controller = new AbortController();
    controller.abort();
    expect((await runExport(config(), { ...options, signal: controller.signal }))._unsafeUnwrapErr().type).toBe(
      "Aborted",
    );
    expect(sink.getInstance().deliveries).toEqual([]);
  });
});

describe("stored exports", () => {
  it("keeps several exports per school with optimistic versions", async () => {
    const store = createMemoryStore();
    const a = (
      await saveExport(store, tenantId, config({ exportId: "a", name: "B export" }), { expectedVersion: null })
    )._unsafeUnwrap();
    await saveExport(store, tenantId, config({ exportId: "b", name: "A export" }), { expectedVersion: null });
    expect(a.version).toBe(1);
    const listed = (await listExports(store, tenantId))._unsafeUnwrap();
    expect(listed.map((e) => e.config.exportId)).toEqual(["b", "a"]);
    const stale = await saveExport(store, tenantId, config({ exportId: "a", name: "edited" }), { expectedVersion: 2 });
    expect(stale._unsafeUnwrapErr()).toMatchObject({ type: "StoreFailed", cause: { type: "Conflict" } });
    const edited = await saveExport(store, tenantId, config({ exportId: "a", name: "edited" }), { expectedVersion: 1 });
    expect(edited._unsafeUnwrap().version).toBe(2);
    expect((await getExport(store, tenantId, "a"))._unsafeUnwrap()?.config.name).toBe("edited");
    expect((await getExport(store, "other-school", "a"))._unsafeUnwrap()).toBeNull();
  });

  it("refuses to save a config that does not parse, or (given the Hero setup) does not validate", async () => {
    const store = createMemoryStore();
    // What a host's unchecked JSON body looks like to the types: the runtime still refuses it as a value.
    const body: unknown = { exportId: "x" };
    const bad = await saveExport(store, tenantId, body as ExportConfigInput, { expectedVersion: null });
    expect(bad._unsafeUnwrapErr().type).toBe("InvalidExport");
    const invalid = await saveExport(store, tenantId, config({ fields: [] }), {
      expectedVersion: null,
      context: { schools, behaviorCodes, bellSchedules },
    });
    expect(invalid._unsafeUnwrapErr()).toMatchObject({ type: "InvalidExport", problems: [{ code: "EmptyFieldList" }] });
    expect((await store.listExports(tenantId))._unsafeUnwrap()).toEqual([]);
  });

  it("reports a stored config that no longer parses", async () => {
    const store = createMemoryStore();
    await store.saveExport(tenantId, "old", { exportId: "old", format: "xls" }, null);
    expect((await getExport(store, tenantId, "old"))._unsafeUnwrapErr()).toMatchObject({ type: "CorruptExport" });
    expect((await listExports(store, tenantId))._unsafeUnwrapErr().type).toBe("CorruptExport");
  });

  it("Save & Run Now saves, then runs; a stale save runs nothing", async () => {
    const sink = createMemoryTardySink();
    const { options, store } = setup([tardy("e1")], sink);
    const done = (await saveAndRunNow(config(), { expectedVersion: null }, options))._unsafeUnwrap();
    expect(done.saved.version).toBe(1);
    expect(done.run.counts.new).toBe(1);
    expect((await store.getExport(tenantId, "tardies-to-sis"))._unsafeUnwrap()?.version).toBe(1);
    const stale = await saveAndRunNow(config({ name: "renamed" }), { expectedVersion: null }, options);
    expect(stale._unsafeUnwrapErr().type).toBe("StoreFailed");
    expect(sink.getInstance().deliveries).toHaveLength(1);
  });
});

describe("runExport audit (issue 15, item 9)", () => {
  it("records each delivery, failed or completed, in the store's audit as kind export; a run with nothing to send records nothing", async () => {
    let fail = true;
    const sink = createMemoryTardySink({
      fault: () => (fail ? { type: "Unavailable", message: "SIS inbox offline", retryable: true } : null),
    });
    const { options, store } = setup([tardy("e1"), tardy("e2")], sink);
    await runExport(config(), { ...options, actor: "scheduler" });
    fail = false;
    const report = (await runExport(config(), { ...options, now: NOW + 60_000, actor: "admin-7" }))._unsafeUnwrap();
    (await runExport(config(), { ...options, now: NOW + 120_000 }))._unsafeUnwrap();

    const audit = (await store.listAudit(tenantId, { kind: "export" }))._unsafeUnwrap();
    expect(audit).toHaveLength(2);
    expect(audit[0]).toMatchObject({
      kind: "export",
      runId: report.runId,
      actor: "admin-7",
      status: "completed",
      at: new Date(NOW + 60_000).toISOString(),
      counts: { new: 2, delivered: 2, records: 2 },
      outcomes: { exportId: "tardies-to-sis", filename: report.filename },
    });
    expect(audit[1]).toMatchObject({
      kind: "export",
      actor: "scheduler",
      status: "failed",
      counts: { new: 2, delivered: 0 },
      reason: "Unavailable: SIS inbox offline",
    });
    // Another school's audit stays empty.
    expect((await store.listAudit("school-2"))._unsafeUnwrap()).toEqual([]);
  });
});
