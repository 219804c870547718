// A scripted SchoolMint Hero for the example: two schools, their bell schedules, behaviour codes, and a week
// of tardies recorded by the front office. Deterministic: the same tardies on every run.
import {
  type BehaviorCode,
  type BellSchedule,
  createMemoryTardySource,
  type MemoryTardySource,
  type TardyEvent,
  type TardySchool,
} from "@rostersync/core";
import { generateSchool } from "@rostersync/core/testing";

export const SCHOOLS: readonly TardySchool[] = [
  { schoolId: "lincoln-high", name: "Lincoln High", sisSchoolCode: "LHS" },
  { schoolId: "north-middle", name: "North Middle", sisSchoolCode: "NMS" },
  // Joined Hero this term; nobody has mapped its bell schedule yet.
  { schoolId: "east-elementary", name: "East Elementary", sisSchoolCode: "EES" },
];

const period = (periodId: string, name: string, start: string, end: string) => ({ periodId, name, start, end });

export const BELL_SCHEDULES: readonly BellSchedule[] = [
  {
    scheduleId: "lhs-regular",
    schoolId: "lincoln-high",
    periods: [
      period("1", "1st", "07:45", "08:40"),
      period("2", "2nd", "08:45", "09:40"),
      period("3", "3rd", "09:45", "10:40"),
    ],
  },
  {
    scheduleId: "nms-regular",
    schoolId: "north-middle",
    periods: [period("hr", "Homeroom", "08:10", "08:30"), period("1", "1st", "08:30", "09:20")],
  },
];

export const BEHAVIOR_CODES: readonly BehaviorCode[] = [
  { codeId: "tardy", name: "Tardy", externalReferenceCode: "T" },
  { codeId: "tardy-unexcused", name: "Tardy (unexcused)", externalReferenceCode: "TU" },
  { codeId: "late-bus", name: "Late bus", externalReferenceCode: "TB" },
  { codeId: "tardy-excused", name: "Tardy (excused)", externalReferenceCode: "TX" },
  { codeId: "dress-code", name: "Dress code", externalReferenceCode: null },
];

/** The SIS's attendance codes (in a real host: `listFactsAttendanceCodes(client)`). */
export const SIS_CODES: readonly string[] = ["T", "TU", "TB", "A", "P"];

/** A week of tardies: Monday 2 March to Friday 6 March 2026, recorded through each afternoon. */
export function weekOfTardies(): TardyEvent[] {
  const students = generateSchool({ seed: 3, people: 160, accountsFor: "none" }).people.filter(
    (p) => p.role === "student" && p.status === "enrolled",
  );
  const days = ["2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05", "2026-03-06"];
  const codes = ["tardy", "tardy", "tardy-unexcused", "late-bus"];
  const comments = [null, "Doctor's note", null, '=HYPERLINK("http://x")', "Bus 14, late again", null];
  const events: TardyEvent[] = [];
  days.forEach((date, d) => {
    for (let i = 0; i < 6; i++) {
      const s = students[(d * 7 + i * 5) % students.length];
      if (s === undefined) continue;
      const school = SCHOOLS[(d + i) % 2] ?? SCHOOLS[0];
      // Minutes after the school's first bell (07:45 at Lincoln, 08:10 at North), always inside a period.
      const minute = (school?.schoolId === "north-middle" ? 8 * 60 + 12 : 7 * 60 + 47) + ((d * 11 + i * 13) % 50);
      const checkIn = `${String(Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}`;
      events.push({
        eventId: `hero-${date.slice(5).replace("-", "")}-${i + 1}`,
        schoolId: school?.schoolId ?? "lincoln-high",
        studentSisId: s.sourceId,
        studentFirstName: s.firstName,
        studentLastName: s.lastName,
        date,
        checkInTime: checkIn,
        minutesLate: 2 + ((d + i * 3) % 15),
        periodId: null, // Hero's kiosk leaves it out: the bell schedule places it
        behaviorCodeId: codes[(d + i) % codes.length] ?? "tardy",
        staff: i % 2 === 0 ? "Front office" : "Ms. Alvarez",
        comment: comments[(d + i) % comments.length] ?? null,
        status: "active",
        updatedAt: `${date}T${String(13 + i).padStart(2, "0")}:05:00Z`,
      });
    }
  });
  return events;
}

/** Hero as it stands on Friday 6 March 2026 after school. */
export function createHero(): MemoryTardySource {
  return createMemoryTardySource({
    schools: [...SCHOOLS],
    behaviorCodes: [...BEHAVIOR_CODES],
    bellSchedules: [...BELL_SCHEDULES],
    tardies: weekOfTardies(),
  });
}

/**
 * Monday: the office corrects one of Friday's tardies (a wrong code), voids another (entered twice), and
 * records two new ones.
 */
export function mondayChanges(hero: MemoryTardySource): { corrected: string; voided: string; added: string[] } {
  const friday = [...hero.getInstance().tardies.values()].filter((t) => t.date === "2026-03-06");
  const [wrong, twice] = friday;
  if (wrong === undefined || twice === undefined) throw new Error("the scripted week has no Friday tardies");
  hero.put({ ...wrong, behaviorCodeId: "late-bus", comment: "Bus 14", updatedAt: "2026-03-09T12:10:00Z" });
  hero.put({ ...twice, status: "voided", updatedAt: "2026-03-09T12:11:00Z" });
  const added = [0, 1].map((i) => ({
    ...wrong,
    eventId: `hero-0309-${i + 1}`,
    date: "2026-03-09",
    checkInTime: i === 0 ? "08:02" : "08:51",
    behaviorCodeId: "tardy",
    comment: null,
    updatedAt: `2026-03-09T13:0${i}:00Z`,
  }));
  for (const t of added) hero.put(t);
  return { corrected: wrong.eventId, voided: twice.eventId, added: added.map((t) => t.eventId) };
}
