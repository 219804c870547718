import {
  createMemoryHoursSink,
  type HostHourEntry,
  type HoursSink,
  type HourWriteOutcome,
  type MemoryHoursSink,
  type MemoryStore,
  type SisServiceHour,
  type SyncProfile,
} from "@rostersync/core";
import { seededRandom } from "@rostersync/core/testing";
import { errAsync, okAsync, ResultAsync } from "neverthrow";
import { describe, expect, it } from "vitest";
import { HOURS_WATERMARK, type Sync } from "../src/index.js";
import { editedHour, type HoursSchool, historicHour, hostHour, hoursSchool } from "./helpers/hours.js";
import { EMPTY_SCHOOL, manualClock, memorySchool, numberedAccounts, studentProfile } from "./helpers/school.js";

const PROFILE: SyncProfile = studentProfile({ hoursSync: { enabled: true, historicImportDone: false } });

const linked = (n: number) => numberedAccounts(n, { sourceBase: 100000 });

let clockTick = 0;
const stamp = () => new Date(Date.UTC(2026, 0, 1) + ++clockTick * 1000).toISOString();

const entry = (i: number, accounts: number, extra: Partial<HostHourEntry> = {}): HostHourEntry =>
  hostHour({
    hourId: `h${i}`,
    accountId: `a${(i % accounts) + 1}`,
    date: "2026-01-15",
    hours: 1 + (i % 4),
    description: `Library shift ${i}`,
    updatedAt: stamp(),
    ...extra,
  });

async function setUp(options: { sink?: MemoryHoursSink; profile?: SyncProfile; accounts?: number } = {}) {
  const n = options.accounts ?? 50;
  const school = hoursSchool({
    accounts: linked(n),
    sink: options.sink ?? createMemoryHoursSink(),
    roster: EMPTY_SCHOOL,
    hoursBatchSize: 25,
  });
  (await school.sync.setup(options.profile ?? PROFILE))._unsafeUnwrap();
  return { ...school, n };
}

/** What the SIS should hold: one record per approved, live entry, with the entry's details. */
function expectSisHoldsExactly(records: readonly SisServiceHour[], entries: Iterable<HostHourEntry>) {
  const wanted = [...entries].filter((e) => e.approved && !e.deleted);
  const byHost = new Map<string, SisServiceHour[]>();
  for (const r of records) byHost.set(r.hostHourId ?? "", [...(byHost.get(r.hostHourId ?? "") ?? []), r]);
  expect(records).toHaveLength(wanted.length);
  for (const e of wanted) {
    const held = byHost.get(e.hourId) ?? [];
    expect(held, e.hourId).toHaveLength(1);
    expect(held[0]).toMatchObject({ hours: e.hours, description: e.description, date: e.date });
  }
}

describe("pushHours (docs/hours.md)", () => {
  it("creates, leaves unchanged ones alone, updates edits and deletes un-approved entries", async () => {
    const { sync, sink, hoursSource, store } = await setUp();
    for (let i = 1; i <= 10; i++) hoursSource.put(entry(i, 50));
    hoursSource.put(entry(11, 50, { approved: false }));
    const first = (await sync.pushHours())._unsafeUnwrap();
    expect(first).toMatchObject({ entries: 11, created: 10, updated: 0, deleted: 0, failed: 0, settled: true });
    expect(sink.snapshot()).toHaveLength(10);

    const unchanged = (await sync.pushHours())._unsafeUnwrap();
    expect(unchanged).toMatchObject({ entries: 0, writes: 0 });

    hoursSource.put(entry(1, 50, { hours: 9 }));
    hoursSource.put(entry(2, 50, { approved: false }));
    hoursSource.put(entry(3, 50, { deleted: true }));
    hoursSource.put(entry(4, 50)); // touched, same content
    const second = (await sync.pushHours())._unsafeUnwrap();
    expect(second).toMatchObject({ entries: 4, created: 0, updated: 1, deleted: 2, writes: 3 });
    expectSisHoldsExactly(sink.snapshot(), hoursSource.getInstance().entries.values());
    expect((await store.getWatermark("school-1", HOURS_WATERMARK))._unsafeUnwrap()).toBe(second.watermark);
  });

  it("refuses to push while hours sync is off (HoursSyncOff)", async () => {
    const { sync, sink } = await setUp({
      profile: { ...PROFILE, hoursSync: { enabled: false, historicImportDone: false } },
    });
    expect((await sync.pushHours())._unsafeUnwrapErr().type).toBe("HoursSyncOff");
    expect(sink.getInstance().requests.count).toBe(0);
  });

  it("takes the school's lock: a push while another worker holds it is Locked and writes nothing", async () => {
    const { sync, sink, hoursSource, store } = await setUp();
    hoursSource.put(entry(1, 50));
    const lease = (await store.acquireLock("school-1", "apply-worker", 60_000, Date.now()))._unsafeUnwrap();
    // The setup's enable guard read the SIS once; the refused push reads nothing.
    const before = sink.getInstance().requests.count;
    expect((await sync.pushHours())._unsafeUnwrapErr().type).toBe("Locked");
    expect(sink.getInstance().requests.count).toBe(before);
    await store.releaseLock(lease);
    expect((await sync.pushHours())._unsafeUnwrap().created).toBe(1);
  });

  it("needs both hours ports (HoursNotConfigured)", async () => {
    const { sync } = memorySchool({ tenantId: "t", roster: EMPTY_SCHOOL });
    expect((await sync.pushHours())._unsafeUnwrapErr().type).toBe("HoursNotConfigured");
  });

  it("keeps the watermark until every entry is settled, and reconciles lost responses", async () => {
    let lose = true;
    const sink = createMemoryHoursSink({
      fault: (w) =>
        lose && w.hourId === "h3" ? { error: { type: "Timeout", message: "lost" }, afterWrite: true } : null,
    });
    const { sync, hoursSource, store } = await setUp({ sink });
    for (let i = 1; i <= 5; i++) hoursSource.put(entry(i, 50));
    const first = (await sync.pushHours())._unsafeUnwrap();
    expect(first).toMatchObject({ settled: false, failed: 1 });
    expect((await store.getWatermark("school-1", HOURS_WATERMARK))._unsafeUnwrap()).toBeNull();
    lose = false;
    const second = (await sync.pushHours())._unsafeUnwrap();
    expect(second.settled).toBe(true);
    expect(second.writes).toBe(1); // only the unsettled one is written again
    expectSisHoldsExactly(sink.snapshot(), hoursSource.getInstance().entries.values());
  });

  it("1,000 entries with edits, un-approvals and lost responses: the SIS holds exactly the approved set", async () => {
    const random = seededRandom(42);
    const sink = createMemoryHoursSink({
      fault: () =>
        random.chance(0.08)
          ? { error: { type: "Timeout", message: "response lost" }, afterWrite: random.chance(0.6) }
          : null,
    });
    const { sync, hoursSource, n } = await setUp({ sink, accounts: 120 });
    for (let i = 1; i <= 1000; i++) hoursSource.put(entry(i, n, { approved: random.chance(0.85) }));
    let writes = 0;
    for (let round = 0; round < 6; round++) {
      writes += (await sync.pushHours())._unsafeUnwrap().writes;
      for (let k = 0; k < 150; k++) {
        const i = 1 + random.int(0, 999);
        const current = hoursSource.getInstance().entries.get(`h${i}`)!;
        hoursSource.put(
          editedHour(current, random.next(), stamp(), { cuts: [0.4, 0.7, 0.8], moreHours: 1, suffix: "!" }),
        );
      }
    }
    // Keep pushing until everything settles (faults keep firing meanwhile).
    let last = (await sync.pushHours())._unsafeUnwrap();
    for (let guard = 0; !last.settled && guard < 20; guard++) last = (await sync.pushHours())._unsafeUnwrap();
    expect(last.settled).toBe(true);
    expectSisHoldsExactly(sink.snapshot(), hoursSource.getInstance().entries.values());
    expect(writes).toBeGreaterThan(1000);
  });
});

describe("historic hours and the enable guard (docs/hours.md)", () => {
  const historic = (i: number): SisServiceHour =>
    historicHour({
      serviceHoursId: `old-${i}`,
      personId: `${100000 + i}`,
      date: "2025-05-01",
      hours: 2,
      description: `Old shift ${i}`,
    });
  const off: SyncProfile = { ...PROFILE, hoursSync: { enabled: false, historicImportDone: false } };

  it("refuses to enable while the SIS holds hours the ledger never saw, unless forced", async () => {
    const { sync } = await setUp({ sink: createMemoryHoursSink({ hours: [historic(1), historic(2)] }), profile: off });
    const refused = (await sync.enableHoursSync())._unsafeUnwrapErr();
    expect(refused).toMatchObject({ type: "HistoricHoursUnseen", unseen: 2 });
    expect((await sync.profile())._unsafeUnwrap()?.hoursSync.enabled).toBe(false);
    const forced = (await sync.enableHoursSync({ force: true }))._unsafeUnwrap();
    expect(forced.hoursSync.enabled).toBe(true);
  });

  it("imports historic hours into the host, then enables, and never echoes them back", async () => {
    const sink = createMemoryHoursSink({ hours: [historic(1), historic(2), historic(3)] });
    const { sync, hoursSource } = await setUp({ sink, profile: off });
    const imported = (await sync.importHistoricHours())._unsafeUnwrap();
    expect(imported).toEqual({ found: 3, unseen: 3, imported: 3 });
    expect(hoursSource.getInstance().imported.map((h) => h.serviceHoursId)).toEqual(["old-1", "old-2", "old-3"]);
    expect((await sync.importHistoricHours())._unsafeUnwrap()).toMatchObject({ unseen: 0, imported: 0 });
    expect((await sync.profile())._unsafeUnwrap()?.hoursSync.historicImportDone).toBe(true);
    (await sync.enableHoursSync())._unsafeUnwrap();

    // The host now shows the imported hours as its own entries: pushing them must write nothing.
    const h1 = historic(1);
    hoursSource.put(
      hostHour({
        hourId: "host-9",
        accountId: "a1",
        date: h1.date,
        hours: h1.hours,
        description: h1.description,
        updatedAt: stamp(),
      }),
    );
    const pushed = (await sync.pushHours())._unsafeUnwrap();
    expect(pushed.writes).toBe(0);
    expect(pushed.outcomes[0]?.status).toBe("from-sis");
    expect(sink.snapshot()).toHaveLength(3);
    // An edit of it later updates the same SIS record instead of creating a second one.
    hoursSource.put({ ...hoursSource.getInstance().entries.get("host-9")!, hours: 5, updatedAt: stamp() });
    const edited = (await sync.pushHours())._unsafeUnwrap();
    expect(edited).toMatchObject({ updated: 1, created: 0 });
    expect(sink.snapshot()).toHaveLength(3);
    expect(sink.getInstance().records.get("old-1")?.hours).toBe(5);
  });
});

/**
 * A sink like FACTS's: one request per entry, each taking `msPerWrite` of `clock` time and a turn of the
 * event loop, reporting progress after each. `during(n)` runs before the n-th entry (1-based).
 */
function slowSink(
  base: MemoryHoursSink,
  clock: { at: number },
  msPerWrite: number,
  during: (n: number) => Promise<void> = async () => {},
): HoursSink {
  let n = 0;
  return {
    name: "slow",
    listAll: (options) => base.listAll(options),
    write: (writes, options) =>
      new ResultAsync(
        (async () => {
          const outcomes: HourWriteOutcome[] = [];
          for (const w of writes) {
            await during(++n);
            await new Promise<void>((resolve) => setImmediate(resolve));
            // Checked right before sending, as a real client does.
            if (options?.signal?.aborted) return errAsync({ type: "Aborted", message: "stopped" });
            clock.at += msPerWrite;
            const one = await base.write([w]);
            if (one.isErr()) return errAsync(one.error);
            outcomes.push(...one.value);
            options?.onProgress?.(outcomes.length, writes.length);
          }
          return okAsync(outcomes);
        })().then((r) => r),
      ),
  };
}

describe("pushHours keeps the school's lease inside a batch", () => {
  async function twoWorkers(sink: (clock: { at: number }) => HoursSink) {
    const clock = manualClock(1_000_000);
    // Both workers share the school's directory, store and host hours; each has its own sink and ids.
    const make = (who: string, shared?: HoursSchool<HoursSink>) => {
      let id = 0;
      return hoursSchool({
        roster: EMPTY_SCHOOL,
        accounts: linked(50),
        ...(shared && { directory: shared.directory, store: shared.store, hoursSource: shared.hoursSource }),
        sink: sink(clock),
        hoursBatchSize: 200,
        clock,
        lockTtlMs: 100,
        newId: () => `${who}-${++id}`,
      });
    };
    const first = make("a");
    const { store, hoursSource, sync: a } = first;
    (await a.setup(PROFILE))._unsafeUnwrap();
    for (let i = 1; i <= 40; i++) hoursSource.put(entry(i, 50));
    return { store, clock, hoursSource, a, b: make("b", first).sync };
  }

  it("renews it while one batch outlasts it many times over: a second push is Locked throughout", async () => {
    const base = createMemoryHoursSink();
    const refused: string[] = [];
    let other: Sync | undefined;
    const { a, b, hoursSource, store } = await twoWorkers((clock) =>
      // 40 entries × 30 ms in one batch: 1.2 s of a 100 ms lease.
      slowSink(base, clock, 30, async (n) => {
        if (n % 10 === 5 && other !== undefined) refused.push((await other.pushHours())._unsafeUnwrapErr().type);
      }),
    );
    other = b;
    const pushed = (await a.pushHours())._unsafeUnwrap();
    expect(pushed).toMatchObject({ created: 40, failed: 0, batches: 1, settled: true });
    expect(refused).toEqual(["Locked", "Locked", "Locked", "Locked"]);
    expectSisHoldsExactly(base.snapshot(), hoursSource.getInstance().entries.values());
    // The lease was renewed along the way and released at the end: the next worker gets it at once.
    expect((await store.acquireLock("school-1", "next", 100, Date.now() + 10_000)).isOk()).toBe(true);
  });

  it("stops the batch once the lease ran out and another worker took it; the next push settles it once", async () => {
    const base = createMemoryHoursSink();
    let thief: Awaited<ReturnType<MemoryStore["acquireLock"]>> | undefined;
    let store!: MemoryStore;
    let clockRef!: { at: number };
    const setup = await twoWorkers((clock) => {
      clockRef = clock;
      return slowSink(base, clock, 30, async (n) => {
        if (n === 3 && thief === undefined) {
          // The process stalls past its lease (a long GC, a suspended VM) and another worker takes it.
          clockRef.at += 500;
          thief = await store.acquireLock("school-1", "thief", 100, clockRef.at);
        }
      });
    });
    store = setup.store;
    const stopped = (await setup.a.pushHours())._unsafeUnwrapErr();
    expect(stopped.type).toBe("LockLost");
    expect(thief?.isOk()).toBe(true);
    // The renewal begun on the second entry's beat looks at the clock again after the jump, finds the
    // school taken, and stops the batch before its third request: nothing was sent after the takeover.
    expect(base.snapshot()).toHaveLength(2);

    await store.releaseLock(thief!._unsafeUnwrap());
    let last = (await setup.b.pushHours())._unsafeUnwrap();
    for (let guard = 0; !last.settled && guard < 5; guard++) last = (await setup.b.pushHours())._unsafeUnwrap();
    expect(last.settled).toBe(true);
    expectSisHoldsExactly(base.snapshot(), setup.hoursSource.getInstance().entries.values());
  });
});
