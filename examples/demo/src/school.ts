// What happens to the school in FACTS between two syncs, in the simulator's model.
import {
  type GeneratedFactsSchool,
  generateSchool,
  type ModelStudent,
  nextSchoolYear,
  schoolFrom,
} from "@rostersync/facts/testing";

const SIZES = ["YS", "YM", "YL", "S", "M", "L", "XL"];

/** How many missing student emails the SIS office fills in over the summer, from the error report. */
export const EMAILS_FIXED = 5;

const mailbox = (s: ModelStudent) =>
  `${s.firstName}.${s.lastName}.${s.personId}`
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^A-Za-z0-9.]/g, "")
    .toLowerCase();

/**
 * The school as FACTS holds it on the first sync: the simulator's generated school (families, parents
 * sharing a family email, missing and invalid emails, students already gone), where in one family in twelve
 * with several children every child was entered with the first child's email — a shared address the
 * review must flag (R3) and the admin must resolve.
 */
export function schoolInFacts(seed: number, size: number): GeneratedFactsSchool {
  const school = generateSchool({ seed, people: size });
  const families = school.model.families.map((family) => {
    const first = family.students[0];
    if (family.familyId % 12 !== 0 || family.students.length < 2 || !first?.email) return family;
    return { ...family, students: family.students.map((s) => ({ ...s, email: first.email })) };
  });
  return schoolFrom(school.seed, { ...school.model, families });
}

/**
 * The summer and the next school year: the simulator's `nextSchoolYear` (seniors graduate, everyone else
 * moves up a grade, some withdraw, some come back, new families arrive), plus what a school office does over
 * the summer: it fills in the first {@link EMAILS_FIXED} missing emails of enrolled students (the error
 * report told it which), and one child in three has grown a T-shirt size. Pure and seeded: the test calls it
 * too, to count by hand what the directory should hold.
 */
export function summerInFacts(school: GeneratedFactsSchool, seed: number): GeneratedFactsSchool {
  const next = nextSchoolYear(school, { seed: seed + 1 });
  let toFix = EMAILS_FIXED;
  const families = next.model.families.map((family) => ({
    ...family,
    students: family.students.map((s): ModelStudent => {
      let student = s;
      if (s.status === "Enrolled" && (s.email === null || s.email.trim() === "") && toFix > 0) {
        toFix--;
        student = { ...student, email: `${mailbox(s)}@students.example.org` };
      }
      const size = SIZES.indexOf(s.udf.tshirt ?? "");
      if (s.status === "Enrolled" && s.personId % 3 === 0 && size >= 0 && size < SIZES.length - 1) {
        student = { ...student, udf: { ...student.udf, tshirt: SIZES[size + 1] ?? "XL" } };
      }
      return student;
    }),
  }));
  return schoolFrom(next.seed, { ...next.model, families });
}
