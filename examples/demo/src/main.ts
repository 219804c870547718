// The main job: one school's year with rostersync, end to end — first sync (review, decisions, plan, apply),
// hours written back to FACTS, the next school year and its re-sync (New? rows, new errors, archives, a held
// plan), and a Hero tardy export. Run it with `bash scripts/run.sh demo` from the repository root.
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import {
  type Account,
  createMemoryDirectory,
  createMemoryHoursSource,
  createMemoryStore,
  csvCell,
  errorReportCsv,
  type FieldMapping,
  type HostHourEntry,
  type Invitation,
  isValidEmail,
  type MemoryHoursSource,
  normaliseEmail,
  type ReviewReport,
  type ReviewRow,
  type Role,
  type RosterSnapshot,
  type SourcePerson,
  type SyncPlan,
  type SyncProfile,
  type SyncStore,
  simulateApply,
  type TargetDirectory,
} from "@rostersync/core";
import { renderReviewHtml } from "@rostersync/review-page";
import { createSqliteDirectory, createSqliteStore } from "@rostersync/storage-sqlite";
import { type ApplyOptions, type ApplyResult, createSync, type Sync, type SyncProgress } from "@rostersync/sync";
import type { Result } from "neverthrow";
import { type DemoArgs, readArgs, USAGE, UsageError, wantsHelp } from "./args.ts";
import { EMAILS_FIXED } from "./school.ts";
import { fact, heading, note, planTable, progressBar, reviewTable, table } from "./show.ts";
import { heroStory } from "./tardies.ts";
import { type FactsWorld, realWorld, simulatedWorld } from "./world.ts";

const TENANT = "demo-academy";

/** A step failed: the message is for the person running the demo (never a key). */
class DemoFailure extends Error {}

function must<T, E extends { readonly type: string; readonly message: string }>(result: Result<T, E>, what: string): T {
  if (result.isOk()) return result.value;
  throw new DemoFailure(`${what} failed: ${result.error.type}: ${result.error.message}`);
}

/** Removes only what an earlier run of the demo wrote, so `--out` may point at a folder with other files. */
function cleanOut(out: string): void {
  mkdirSync(out, { recursive: true });
  const ours =
    /^(rostersync|accounts)\.db(-wal|-shm|-journal)?$|^(review|errors|invites)-.+\.(html|csv)$|^summary\.json$/;
  for (const name of readdirSync(out)) if (ours.test(name)) rmSync(join(out, name), { force: true });
  rmSync(join(out, "sis-inbox"), { recursive: true, force: true });
}

/**
 * The host app's accounts before the first sync: volunteers who signed up on their own. Some use the email
 * FACTS has (they are linked and keep their hours, R6); one used a personal address (a new account is made
 * and a merge is suggested); a few are nobody in FACTS (never touched, R7).
 */
function hostAccounts(people: readonly SourcePerson[] | null, role: Role): Account[] {
  const accounts: Account[] = [];
  const base = { archived: false, managed: false, fields: {}, neverAccessed: false };
  if (people !== null) {
    const count = new Map<string, number>();
    for (const p of people) {
      const e = normaliseEmail(p.email);
      count.set(e, (count.get(e) ?? 0) + 1);
    }
    const eligible = people.filter((p) => {
      const e = normaliseEmail(p.email);
      return p.role === role && p.status === "enrolled" && isValidEmail(e) && count.get(e) === 1;
    });
    eligible.slice(0, 5).forEach((p, i) => {
      const personal = i === 4;
      accounts.push({
        ...base,
        accountId: `host-${i + 1}`,
        email: personal
          ? `${normaliseEmail(p.email).split("@")[0]}.personal@example.net`
          : normaliseEmail(p.email).toUpperCase(),
        firstName: p.firstName,
        lastName: p.lastName,
        birthDate: p.birthDate ?? null,
        neverAccessed: i === 1,
      });
    });
  }
  for (const [i, name] of ["Pat Rivera", "Sam Okoye", "Lee Park"].entries()) {
    const [firstName, lastName] = name.split(" ");
    accounts.push({
      ...base,
      accountId: `volunteer-${i + 1}`,
      email: `${name.replace(" ", ".").toLowerCase()}@volunteers.example.net`,
      firstName,
      lastName,
    });
  }
  return accounts;
}

/** Compares what the directory holds with what core's simulateApply says the plan should leave. */
function checkAgainstCore(before: readonly Account[], plan: SyncPlan, after: readonly Account[]): number {
  const key = (a: Account) =>
    JSON.stringify([
      a.sourceId ?? a.accountId,
      normaliseEmail(a.email),
      a.archived,
      a.managed,
      a.firstName,
      a.lastName,
    ]);
  const expected = simulateApply(before, plan)
    .map((a) => (a.sourceId === undefined ? a : { ...a, accountId: "" }))
    .map(key)
    .sort();
  const actual = after.map(key).sort();
  const same = expected.length === actual.length && expected.every((k, i) => k === actual[i]);
  if (!same) throw new DemoFailure("The directory does not hold what core's simulateApply predicts for this plan.");
  const active = after.filter((a) => !a.archived).length;
  fact("directory = core's simulateApply", `✓ ${active} active accounts (${after.length - active} archived)`);
  return active;
}

function writeInvites(path: string, invites: readonly Invitation[]): void {
  const lines = ["email,firstName,lastName,sourceId,reason"];
  for (const i of invites) {
    lines.push([i.email, i.firstName ?? "", i.lastName ?? "", i.sourceId, i.reason].map(csvCell).join(","));
  }
  writeFileSync(path, `${lines.join("\r\n")}\r\n`);
}

function saveReview(out: string, name: string, title: string, report: ReviewReport): void {
  const page = renderReviewHtml(report, {
    title,
    schoolName: "Demo Academy",
    errorReportFileName: `errors-${name}.csv`,
  });
  writeFileSync(join(out, `review-${name}.html`), page);
  writeFileSync(join(out, `errors-${name}.csv`), errorReportCsv(report));
}

function profileFor(
  args: DemoArgs,
  schools: readonly string[],
  grades: readonly string[],
  fieldMap: FieldMapping[],
  live: boolean,
): SyncProfile {
  return {
    role: args.role,
    schools,
    gradeLevels: grades,
    // This school holds any plan that would archive more than 5% of its accounts (the default is 10%):
    // a graduating class is about one in thirteen students, so the summer's archives wait for a person.
    ...(live ? {} : { thresholds: { archiveRatio: 0.05 } }),
    ...(args.role === "parent" ? { parentSubset: { relationships: ["Mother", "Father", "Guardian"] } } : {}),
    fieldMap,
    defaultSelection: true,
    hoursSync: { enabled: false, historicImportDone: false },
  };
}

/** The host's account directory: the SQLite one, or core's memory one with `--dry-run`. */
type DemoDirectory = TargetDirectory & { markAccessed?: (accountId: string) => void; close?: () => void };

/** What the chapters of the story share: the flags, FACTS, the sync and where it writes. */
interface Story {
  readonly args: DemoArgs;
  readonly world: FactsWorld;
  /** A real FACTS tenant (`--facts-url`), not the simulator. */
  readonly live: boolean;
  readonly sync: Sync;
  readonly store: SyncStore;
  readonly directory: DemoDirectory;
  readonly hoursSource: MemoryHoursSource;
  /** The files written under `--out`, in the order the last chapter lists them. */
  readonly files: string[];
  /** Runs `work` behind a progress bar named `label`. */
  withBar<T>(label: string, work: () => Promise<T>): Promise<T>;
  /** Prints the requests FACTS answered since the last call, when the world counts them. */
  requests(): void;
}

async function main(args: DemoArgs): Promise<void> {
  const started = performance.now();
  const bar = { current: null as ReturnType<typeof progressBar> | null };
  const onProgress = (p: SyncProgress) => bar.current?.update(p);
  const withBar = async <T>(label: string, work: () => Promise<T>): Promise<T> => {
    bar.current = progressBar(label);
    try {
      return await work();
    } finally {
      bar.current.finish();
      bar.current = null;
    }
  };

  const keys = {
    subscriptionKey: process.env.FACTS_SUBSCRIPTION_KEY ?? "",
    apiKey: process.env.FACTS_API_KEY ?? "",
  };
  if (args.factsUrl !== null && (keys.subscriptionKey === "" || keys.apiKey === "")) {
    throw new UsageError("--facts-url needs FACTS_SUBSCRIPTION_KEY and FACTS_API_KEY in the environment.");
  }
  cleanOut(args.out);
  const world: FactsWorld =
    args.factsUrl === null
      ? await simulatedWorld({ seed: args.seed, size: args.size, role: args.role })
      : realWorld(args.factsUrl, keys);
  const live = args.factsUrl !== null;
  let counted = 0;
  const requests = () => {
    const n = world.requests();
    if (n === null) return;
    fact("FACTS requests", `${n - counted} (${n} so far)`);
    counted = n;
  };

  const first = await showFacts(world);
  const { store, directory } = await openState(args, world);
  const hoursSource = createMemoryHoursSource();
  const sync = createSync({
    tenantId: TENANT,
    source: world.source,
    directory,
    store,
    ...(world.hours === null || args.dryRun ? {} : { hours: world.hours, hoursSource }),
    onProgress,
  });
  const story: Story = { args, world, live, sync, store, directory, hoursSource, files: [], withBar, requests };

  const { profile, review, optOut } = await firstReview(story, first);
  await firstPlanAndApply(story, review);
  if (live && !args.dryRun) {
    note("a real tenant: no hours are written to FACTS, and the demo cannot move the school a year on");
  }
  const hoursRows = !args.dryRun && world.hours !== null ? await hoursWriteBack(story) : null;
  const newRows = !args.dryRun && !live ? await nextYear(story) : 0;
  if (!args.dryRun) await tardies(story, first.people, profile);
  await whereEverythingIs(story, { started, unselected: optOut?.sourceId ?? null, newRows, hoursRows });
}

/** Chapter 1: what FACTS holds. */
async function showFacts(world: FactsWorld): Promise<RosterSnapshot> {
  heading("1", `FACTS: ${world.where}`);
  const first = must(await world.source.read(), "Reading FACTS");
  const people = first.people;
  const count = (role: Role) => people.filter((p) => p.role === role).length;
  table(
    ["people", "students", "parents", "families", "schools", "without email"],
    [
      [
        people.length,
        count("student"),
        count("parent"),
        new Set(people.flatMap((p) => p.families.map((f) => f.familyId))).size,
        first.schools.length,
        people.filter((p) => normaliseEmail(p.email) === "").length,
      ],
    ],
  );
  return first;
}

/** Where rostersync keeps its state, and the host app's accounts (a small SQLite directory stands in). */
async function openState(
  args: DemoArgs,
  world: FactsWorld,
): Promise<{ readonly store: SyncStore; readonly directory: DemoDirectory }> {
  if (args.dryRun) {
    return {
      store: createMemoryStore(),
      directory: createMemoryDirectory({ accounts: hostAccounts(world.people(), args.role) }),
    };
  }
  const store = must(await createSqliteStore({ path: join(args.out, "rostersync.db") }), "Opening the SQLite store");
  // Sequential account ids (instead of random UUIDs) make two runs with the same seed print the same.
  let nextAccount = 0;
  const sqlite = must(
    await createSqliteDirectory({
      path: join(args.out, "accounts.db"),
      newId: () => `acct-${String(++nextAccount).padStart(6, "0")}`,
    }),
    "Opening the account directory",
  );
  sqlite.seed(hostAccounts(world.people(), args.role));
  return { store, directory: sqlite };
}

/** Chapter 2: the setup, the first review and the admin's decisions. */
async function firstReview(
  story: Story,
  first: RosterSnapshot,
): Promise<{ readonly profile: SyncProfile; readonly review: ReviewReport; readonly optOut: ReviewRow | undefined }> {
  const { args, live, sync } = story;
  heading("2", `First sync — setup and review (${args.role}s)`);
  const fieldMap: FieldMapping[] =
    args.role === "student"
      ? [
          { source: "classYear", target: "Class of" },
          { source: "udf:tshirt", target: "T-Shirt Size", createAs: "dropdown" },
        ]
      : [
          { source: "udf:team", target: "Volunteer Team", createAs: "dropdown" },
          { source: "udf:occupation", target: "Occupation" },
        ];
  const profile = profileFor(
    args,
    first.schools.filter((s) => s.active).map((s) => s.schoolCode),
    first.gradeLevels.map((g) => g.code),
    live ? [] : fieldMap,
    live,
  );
  must(await sync.setup(profile), "Saving the setup");
  fact("setup", `${profile.schools.join(", ")} · grades ${profile.gradeLevels.join(" ")} · new people selected`);
  fact("fields mapped", profile.fieldMap.map((m) => `${m.source} → ${m.target}`).join(", ") || "none");
  let review = must(await story.withBar("read", async () => await sync.refresh()), "Refreshing the review");
  reviewTable(review);

  // The admin's choices: each shared email goes to the person with the lowest FACTS id; one person is left out.
  const unresolved = review.duplicateGroups.filter((g) => g.chosen === null);
  const optOut = review.rows.find((r) => r.status === "importable" && r.isNew);
  review = must(
    await sync.decide((d) => {
      let draft = d;
      for (const g of unresolved) draft = draft.resolveDuplicate(g.email, [...g.members].sort()[0] ?? "");
      return optOut === undefined ? draft : draft.unselect(optOut.sourceId);
    }),
    "Saving the admin's decisions",
  );
  note(
    `admin: ${unresolved.length} shared emails resolved (the lowest FACTS id keeps it), ${optOut ? 1 : 0} person unselected`,
  );
  reviewTable(review);
  const errors = review.rows.filter((r) => r.status === "excluded" && r.flag === "red");
  fact("error report", `${review.totals.excluded} rows (${errors.length} to fix in FACTS) → errors-first.csv`);
  story.requests();
  return { profile, review, optOut };
}

/** Chapters 3 and 4: the first plan, its merge suggestions and holds, and (unless `--dry-run`) its apply. */
async function firstPlanAndApply(story: Story, review: ReviewReport): Promise<void> {
  const { args, sync, directory } = story;
  heading("3", "First sync — plan");
  const plan = must(await sync.plan(), "Planning");
  planTable(plan);
  const accounts0 = must(await directory.listAccounts(), "Reading the accounts");
  // Merge candidates come from the review's roster through the sync itself (R6).
  const candidates = must(await sync.mergeCandidates(), "Listing merge candidates");
  for (const c of candidates.slice(0, 3)) {
    note(
      `merge suggested (${c.strength}): ${c.personName} <${c.personEmail}> may be account <${c.accountEmail}> (${c.evidence.join(", ")})`,
    );
  }
  for (const hold of plan.holds) note(`⚠ held: ${hold.message}`);
  saveReview(args.out, "first", "First sync — review", review);
  story.files.push("review-first.html", "errors-first.csv");

  if (args.dryRun) {
    note("--dry-run: nothing applied, nothing written to FACTS or to the account directory.");
    return;
  }
  heading("4", "First sync — apply");
  // No acknowledgement: a first sync that is held stops here, for a person to look at (R10).
  const run = await applyChecked(story, plan, { actor: "demo admin" }, accounts0, "invites-first.csv");
  const added = run.inviteCandidates.filter((i) => i.reason === "added").length;
  fact(
    "to invite (R13)",
    `${run.inviteCandidates.length} (${added} new accounts, ${run.inviteCandidates.length - added} never signed in) → invites-first.csv`,
  );
  // Most of them accept the invitation before next year; the rest are invited again then.
  let accepted = 0;
  run.inviteCandidates.forEach((invite, i) => {
    if (i % 10 !== 0 && directory.markAccessed) {
      directory.markAccessed(invite.accountId);
      accepted++;
    }
  });
  note(`${accepted} of them sign in over the year`);
  story.requests();
}

/**
 * Applies `plan` behind a progress bar, checks the directory against core's simulateApply from the accounts
 * `before` it, and writes the run's invitations to `invitesFile` under `--out`.
 */
async function applyChecked(
  story: Story,
  plan: SyncPlan,
  options: ApplyOptions,
  before: readonly Account[],
  invitesFile: string,
): Promise<ApplyResult> {
  const run = await story.withBar("apply", async () => must(await story.sync.apply(plan, options), "Applying"));
  fact(
    "run",
    `${run.status}: ${run.done}/${run.total} actions, ${run.failed} failed, ${run.timings.totalMs.toFixed(0)} ms`,
  );
  checkAgainstCore(before, plan, must(await story.directory.listAccounts(), "Reading the accounts"));
  writeInvites(join(story.args.out, invitesFile), run.inviteCandidates);
  story.files.push(invitesFile);
  return run;
}

/** Chapter 5: hours approved in the host written back to FACTS; returns the service-hours rows FACTS holds. */
async function hoursWriteBack(story: Story): Promise<number | null> {
  const { args, sync, hoursSource, world } = story;
  heading("5", "Volunteer hours written back to FACTS service hours");
  const imported = must(await sync.importHistoricHours(), "Importing historic hours");
  fact("already in FACTS (imported first)", `${imported.found} found, ${imported.imported} new to the host`);
  must(await sync.enableHoursSync(), "Switching hours sync on");
  const linked = must(await story.directory.listAccounts(), "Reading the accounts").filter(
    (a) => a.sourceId !== undefined && !a.archived,
  );
  const volunteer = "volunteer-1";
  const entries: HostHourEntry[] = [...linked.slice(0, 40).map((a) => a.accountId), volunteer].map((accountId, i) => ({
    hourId: `hour-${i + 1}`,
    accountId,
    role: args.role,
    date: `2026-10-${String(1 + (i % 28)).padStart(2, "0")}`,
    hours: 1 + (i % 4),
    description: i % 9 === 0 ? `Food bank: ${"sorting donations, restocking shelves, ".repeat(8)}` : "Library helper",
    approved: i % 6 !== 5,
    deleted: false,
    updatedAt: `2026-10-30T10:${String(i).padStart(2, "0")}:00Z`,
  }));
  for (const e of entries) hoursSource.put(e);
  const push1 = await story.withBar("hours", async () => must(await sync.pushHours(), "Pushing hours"));
  // A week later: one entry edited, one approval withdrawn.
  const edited = entries[0];
  const withdrawn = entries[1];
  if (edited) hoursSource.put({ ...edited, hours: edited.hours + 1, updatedAt: "2026-11-06T09:00:00Z" });
  if (withdrawn) hoursSource.put({ ...withdrawn, approved: false, updatedAt: "2026-11-06T09:01:00Z" });
  const push2 = must(await sync.pushHours(), "Pushing hours again");
  const push3 = must(await sync.pushHours(), "Pushing hours a third time");
  const by = (r: typeof push1, s: string) => r.outcomes.filter((o) => o.status === s).length;
  const row = (label: string, r: typeof push1) => [
    label,
    r.entries,
    r.created,
    r.updated,
    r.deleted,
    r.withdrawn,
    by(r, "absent"),
    by(r, "unlinked"),
    r.failed,
  ];
  table(
    ["push", "entries", "created", "updated", "deleted", "withdrawn", "not approved", "not linked", "failed"],
    [row("first push", push1), row("a week later", push2), row("again, nothing new", push3)],
  );
  const hoursRows = world.serviceHoursRows();
  fact(
    "service-hours rows FACTS now holds",
    hoursRows === null
      ? "unknown"
      : `${hoursRows} (${imported.found} typed in FACTS, ${hoursRows - imported.found} from the host)`,
  );
  story.requests();
  return hoursRows;
}

/** Chapters 6 and 7: FACTS a year on, and its re-sync; returns the review's New? rows in scope. */
async function nextYear(story: Story): Promise<number> {
  const { args, sync, directory } = story;
  heading("6", "Next school year in FACTS");
  const change = story.world.nextYear();
  if (change !== null) {
    table(
      ["graduated", "promoted", "withdrew", "came back", "new families", "new people"],
      [[change.graduated, change.promoted, change.withdrawn, change.returned, change.newFamilies, change.newPeople]],
    );
    note(`over the summer the SIS office filled in ${EMAILS_FIXED} missing emails from errors-first.csv,`);
    note("and one child in three grew a T-shirt size");
  }

  heading("7", "Next school year — Preview & Sync");
  let review = must(await story.withBar("read", async () => await sync.refresh()), "Refreshing the review");
  reviewTable(review);
  const fresh = review.rows.filter((r) => r.isNew && r.status !== "out-of-scope");
  const context = review.rows.filter((r) => r.isFamilyContext).length;
  fact("New? rows", `${fresh.length}${context ? ` (+ ${context} family-context rows)` : ""}`);
  const newErrors = review.rows.filter((r) => r.isNewError);
  const reasons = new Map<string, number>();
  for (const r of newErrors) for (const reason of r.reasons) reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  fact(
    "only new errors",
    `${newErrors.length} (${[...reasons].map(([k, v]) => `${k} ${v}`).join(", ") || "none"}) of ${review.totals.toExclude} excluded`,
  );
  writeFileSync(
    join(args.out, "errors-next-year-new-only.csv"),
    errorReportCsv({ ...review, rows: review.rows.filter((r) => r.isNewError) }),
  );
  story.files.push("errors-next-year-new-only.csv");
  const unresolved = review.duplicateGroups.filter((g) => g.chosen === null || g.stale);
  if (unresolved.length > 0) {
    review = must(
      await sync.decide((d) => {
        let draft = d;
        for (const g of unresolved) draft = draft.resolveDuplicate(g.email, [...g.members].sort()[0] ?? "");
        return draft;
      }),
      "Saving the admin's decisions",
    );
    note(`admin: ${unresolved.length} new shared emails resolved`);
  }
  const plan = must(await sync.plan(), "Planning");
  planTable(plan);
  saveReview(args.out, "next-year", "Next school year — Preview & Sync", review);
  story.files.push("review-next-year.html", "errors-next-year.csv");

  const accounts1 = must(await directory.listAccounts(), "Reading the accounts");
  if (plan.holds.length > 0) {
    for (const hold of plan.holds) note(`⚠ held: ${hold.message}`);
    const refused = await sync.apply(plan, { actor: "demo admin" });
    if (refused.isOk()) throw new DemoFailure("A held plan was applied without an acknowledgement.");
    note(`apply without acknowledging → ${refused.error.type}; nothing written`);
    note(`the admin checks the review page, then acknowledges plan ${plan.planHash}`);
  } else {
    note("no safety hold (R10): archives and updates are within the school's limits");
  }
  const acknowledged = { actor: "demo admin", ...(plan.holds.length > 0 ? { acknowledge: plan.planHash } : {}) };
  const run = await applyChecked(story, plan, acknowledged, accounts1, "invites-next-year.csv");
  fact("to invite (R13)", `${run.inviteCandidates.length} → invites-next-year.csv`);
  // That night the host's scheduler runs the sync unattended: it applies only a plan with no hold and no
  // new error, and right after an apply there must be nothing left to write.
  const nightly = must(await sync.run({ unattended: true }), "The nightly unattended sync");
  const left = nightly.plan.counts;
  const writes = left.add + left.link + left.update + left.restore + left.archive + left.createField;
  if (writes > 0) throw new DemoFailure(`The nightly sync found ${writes} writes left after the apply.`);
  fact("nightly unattended sync", nightly.applied ? "applied: nothing left to write" : "waits for a person");
  story.requests();
  return fresh.length;
}

/** Chapter 8: the Hero tardy export, for the first enrolled students FACTS holds now. */
async function tardies(story: Story, firstPeople: readonly SourcePerson[], profile: SyncProfile): Promise<void> {
  heading("8", "Hero tardies → the SIS (CSV into a drop folder)");
  const students = (story.world.people() ?? firstPeople)
    .filter((p) => p.role === "student" && p.status === "enrolled")
    .slice(0, 12);
  const hero = await heroStory({
    students,
    schoolCode: profile.schools[0] ?? "MAIN",
    store: story.store,
    tenantId: TENANT,
    out: story.args.out,
  });
  for (const f of hero.files) story.files.push(join("sis-inbox", f));
}

/** Chapter 9: closes everything, lists the files and writes `summary.json`. */
async function whereEverythingIs(
  story: Story,
  outcome: {
    readonly started: number;
    readonly unselected: string | null;
    readonly newRows: number;
    readonly hoursRows: number | null;
  },
): Promise<void> {
  const { args, directory, files, world } = story;
  heading("9", "Where everything is");
  const accounts = must(await directory.listAccounts(), "Reading the accounts");
  const active = accounts.filter((a) => !a.archived);
  // Closed first, so that SQLite folds its write-ahead logs into the files listed below.
  directory.close?.();
  await story.store.close();
  await world.close();
  if (!args.dryRun) files.unshift("rostersync.db", "accounts.db");
  table(
    ["file", "size"],
    files.map((f) => [f, `${(statSync(join(args.out, f)).size / 1024).toFixed(1)} KB`]),
  );
  const shown = relative(process.cwd(), args.out);
  fact("folder", shown === "" ? "." : shown.startsWith("..") ? args.out : shown);
  fact("accounts in the directory", `${active.length} active, ${accounts.length - active.length} archived`);
  const total = world.requests();
  if (total !== null) fact("FACTS requests", total);
  fact("time", `${((performance.now() - outcome.started) / 1000).toFixed(1)} s`);
  writeFileSync(
    join(args.out, "summary.json"),
    `${JSON.stringify(
      {
        role: args.role,
        size: args.size,
        seed: args.seed,
        dryRun: args.dryRun,
        activeAccounts: active.length,
        activeManagedAccounts: active.filter((a) => a.managed).length,
        archivedAccounts: accounts.length - active.length,
        unselected: outcome.unselected,
        nextYearNewRows: outcome.newRows,
        serviceHoursRows: outcome.hoursRows,
        factsRequests: total,
        files,
      },
      null,
      2,
    )}\n`,
  );
}

// `pnpm start -- --flag` may pass the "--" through.
const argv = process.argv.slice(2).filter((a, i) => !(i === 0 && a === "--"));
if (wantsHelp(argv)) {
  console.log(USAGE);
} else {
  try {
    await main(readArgs(argv, join(import.meta.dirname, "..", ".demo")));
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`demo: ${error.message}\n\n${USAGE}`);
      process.exitCode = 2;
    } else if (error instanceof DemoFailure) {
      console.error(`\ndemo: ${error.message}`);
      process.exitCode = 1;
    } else {
      console.error("\ndemo: unexpected failure:", error);
      process.exitCode = 1;
    }
  }
}
