import type { RosterSnapshot } from "@rostersync/core";

type Row = Record<string, unknown>;

const STATUS = { enrolled: "Enrolled", graduated: "Graduated", withdrawn: "Withdrawn", inactive: "Inactive" } as const;
const familyNumber = (familyId: string) => Number(familyId.replace(/\D/g, ""));
const UDF_GROUPS = { student: 1, parent: 2 } as const;

/**
 * A generated roster in FACTS's shapes (FACTS.md): students joined to People by `studentId == personId`,
 * parents only through ParentStudent, families with `familyOrder`, and every `fields` entry of a person
 * as a user-defined field of its role's group (`homeroom` → UDF `homeroom`, `udf:tshirt` → UDF `tshirt`),
 * which the FACTS source reads back as `udf:<name>`.
 */
export function factsTables(roster: RosterSnapshot): Map<string, Row[]> {
  const people: Row[] = [];
  const students: Row[] = [];
  const parentStudents: Row[] = [];
  const personFamilies: Row[] = [];
  const families = new Map<number, Row>();
  const udfFields = new Map<string, Row>();
  const udfData: Row[] = [];
  const fieldId = (role: "student" | "parent", name: string): number => {
    const key = `${role}:${name}`;
    let field = udfFields.get(key);
    if (field === undefined) {
      field = {
        fieldId: udfFields.size + 1,
        groupId: UDF_GROUPS[role],
        fieldName: name,
        fieldType: 1,
        listItems: null,
      };
      udfFields.set(key, field);
    }
    return field.fieldId as number;
  };
  for (const p of roster.people) {
    const personId = Number(p.sourceId);
    people.push({
      personId,
      firstName: p.firstName,
      lastName: p.lastName,
      middleName: null,
      nickName: null,
      email: p.email,
      email2: null,
      username: null,
      birthdate: p.birthDate ? `${p.birthDate}T00:00:00` : null,
      modifiedDate: "2026-08-01T00:00:00",
    });
    for (const f of p.families) {
      const familyId = familyNumber(f.familyId);
      families.set(familyId, { familyID: familyId, familyName: `${p.lastName} family`, familyUDID: f.familyId });
      personFamilies.push({
        personId,
        familyId,
        parent: p.role === "parent",
        student: p.role === "student",
        familyOrder: p.role === "parent" ? (f.parentOrder ?? null) : null,
        financialResponsibility: p.role === "parent",
      });
    }
    for (const [name, value] of Object.entries(p.fields)) {
      if (value === null) continue;
      udfData.push({ fieldId: fieldId(p.role, name.replace(/^udf:/, "")), linkedId: personId, data: value });
    }
    if (p.role === "student") {
      students.push({
        personStudentId: 900000 + personId,
        studentId: personId,
        configSchoolId: 1,
        schoolCode: p.schoolCode,
        classYear: null,
        gender: null,
        birthdate: null,
        school: {
          status: STATUS[p.status],
          substatus: null,
          enrollDate: null,
          withdrawDate: null,
          graduationDate: null,
          gradeLevel: p.gradeLevel ?? null,
          nextStatus: null,
          nextGradeLevel: null,
        },
      });
    } else {
      const link = p.families[0];
      for (const studentId of p.studentIds) {
        parentStudents.push({
          parentID: personId,
          studentID: Number(studentId),
          relationship: link?.relationship ?? null,
          custody: link?.custody ?? null,
          correspondence: true,
          grandparent: false,
          emergencyContact: true,
          parentsWeb: true,
        });
      }
    }
  }
  return new Map<string, Row[]>([
    [
      "/SchoolConfigurations",
      roster.schools.map((s, i) => ({
        configSchoolID: i + 1,
        schoolCode: s.schoolCode,
        schoolName: s.name,
        active: s.active,
        defaultYearId: 2026,
      })),
    ],
    [
      "/Academics/GradeLevels",
      roster.gradeLevels.map((g, i) => ({
        gradeLevelId: i + 1,
        gradeLevelName: g.code,
        sortOrder: g.sortOrder,
        finalGradeLevel: g.final,
        graduationDate: null,
      })),
    ],
    ["/Students", students],
    ["/People", people],
    ["/People/ParentStudent", parentStudents],
    ["/People/PersonFamily", personFamilies],
    ["/Families", [...families.values()]],
    [
      "/UserDefinedGroups",
      [
        { groupId: UDF_GROUPS.student, groupName: "Student info", groupType: "STUDENT" },
        { groupId: UDF_GROUPS.parent, groupName: "Parent info", groupType: "PARENT" },
      ],
    ],
    ["/UserDefinedFields", [...udfFields.values()]],
    ["/UserDefinedData", udfData],
  ]);
}
