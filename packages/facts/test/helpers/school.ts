/**
 * A tiny school in FACTS's own shapes, built to hold every trap of FACTS.md: a `personStudentId` that is
 * also some other person's `personId`, zero-padded grades, a father listed first by `familyOrder`, a parent
 * known only through ParentStudent, UDFs of every group type.
 */
export function smallSchool(): Record<string, Record<string, unknown>[]> {
  const person = (personId: number, firstName: string, lastName: string, email: string | null) => ({
    personId,
    firstName,
    lastName,
    middleName: null,
    nickName: null,
    email,
    email2: null,
    username: null,
    birthdate: null,
    modifiedDate: "2025-08-01T00:00:00",
  });
  const student = (studentId: number, personStudentId: number, gradeLevel: string, status: string) => ({
    personStudentId,
    studentId,
    configSchoolId: 1,
    schoolCode: "MAIN",
    classYear: "2030",
    gender: "F",
    birthdate: "2012-04-03T00:00:00",
    school: {
      status,
      substatus: null,
      enrollDate: "2024-08-20T00:00:00",
      withdrawDate: null,
      graduationDate: null,
      gradeLevel,
      nextStatus: null,
      nextGradeLevel: null,
    },
  });
  const link = (parentID: number, studentID: number, relationship: string, custody: boolean) => ({
    parentID,
    studentID,
    relationship,
    custody,
    correspondence: true,
    grandparent: false,
    emergencyContact: true,
    parentsWeb: true,
  });
  const pf = (personId: number, familyId: number, parent: boolean, familyOrder: number | null) => ({
    personId,
    familyId,
    parent,
    student: !parent,
    familyOrder,
    financialResponsibility: parent,
  });
  return {
    "/SchoolConfigurations": [
      { configSchoolID: 1, schoolCode: "MAIN", schoolName: "Main Campus", active: true, defaultYearId: 2025 },
    ],
    "/Academics/GradeLevels": [
      { gradeLevelId: 8, gradeLevelName: "08", sortOrder: 9, finalGradeLevel: false, graduationDate: null },
      { gradeLevelId: 12, gradeLevelName: "12", sortOrder: 13, finalGradeLevel: true, graduationDate: "2026-06-01" },
      { gradeLevelId: 0, gradeLevelName: "K", sortOrder: 1, finalGradeLevel: false, graduationDate: null },
    ],
    "/Students": [
      student(101, 9001, "08", "Enrolled"),
      student(102, 9002, "K", "Enrolled"),
      student(103, 9003, "12", "Graduated"),
      student(104, 9004, "08", "Withdrawn"),
      student(105, 9005, "08", "Pre-Enrolled"),
    ],
    "/People": [
      person(101, "Ava", "Nguyen", "ava@school.test"),
      person(102, "Liam", "Nguyen", null),
      person(103, "Mia", "Smith", "mia@school.test"),
      person(104, "Noah", "Okafor", "noah@school.test"),
      person(105, "Zoe", "Rossi", "zoe@school.test"),
      // The trap: 9001 is Ava's personStudentId and also somebody else's personId.
      person(9001, "Wrong", "Person", "wrong@school.test"),
      person(201, "Hana", "Nguyen", "nguyen.family@school.test"),
      person(202, "Omar", "Nguyen", "nguyen.family@school.test"),
      person(203, "Grace", "Smith", "grace@school.test"),
      person(204, "Diego", "Rossi", "diego@school.test"),
    ],
    "/People/ParentStudent": [
      link(201, 101, "Mother", true),
      link(201, 102, "Mother", true),
      link(202, 101, "Father", false),
      link(202, 102, "Father", false),
      link(203, 103, "Guardian", true),
      link(204, 105, "Grandfather", false),
    ],
    "/People/PersonFamily": [
      pf(101, 1, false, null),
      pf(102, 1, false, null),
      pf(201, 1, true, 2),
      pf(202, 1, true, 1),
      pf(103, 2, false, null),
      pf(203, 2, true, null),
      pf(104, 3, false, null),
    ],
    "/Families": [
      { familyID: 1, familyName: "Nguyen", familyUDID: "F001" },
      { familyID: 2, familyName: "Smith", familyUDID: "F002" },
      { familyID: 3, familyName: "Okafor", familyUDID: "F003" },
    ],
    "/UserDefinedGroups": [
      { groupId: 1, groupName: "Student info", groupType: "STUDENT" },
      { groupId: 2, groupName: "Parent info", groupType: "PARENT" },
      { groupId: 3, groupName: "Family info", groupType: "FAMILY" },
      { groupId: 4, groupName: "Staff info", groupType: "STAFF" },
    ],
    "/UserDefinedFields": [
      { fieldId: 10, groupId: 1, fieldName: "Bus Route", fieldType: 1, listItems: null },
      { fieldId: 11, groupId: 2, fieldName: "Occupation", fieldType: 1, listItems: null },
      { fieldId: 12, groupId: 3, fieldName: "Parish", fieldType: 5, listItems: ["St Anne", "St Paul"] },
      { fieldId: 13, groupId: 4, fieldName: "Badge", fieldType: 1, listItems: null },
    ],
    "/UserDefinedData": [
      { fieldId: 10, linkedId: 101, data: "Route 7" },
      { fieldId: 11, linkedId: 202, data: "Nurse" },
      { fieldId: 12, linkedId: 1, data: "St Anne" },
      { fieldId: 13, linkedId: 999, data: "B-1" },
    ],
  };
}
