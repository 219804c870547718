/** Regression suite of issue 14 §6: two host accounts with one `accountId` are an input error. */
import { describe, expect, it } from "vitest";
import { plan } from "../../src/plan.js";
import { review } from "../../src/review.js";
import { checkPlanInput, RosterInputError } from "../../src/validate.js";
import { account, inputOf, student } from "../test-fixtures.js";

describe("duplicate accountIds (issue 14 §6)", () => {
  const input = inputOf(
    [student("1"), student("2")],
    [account("a1", { sourceId: "1" }), account("a1", { email: "other@host.org", sourceId: "2" })],
  );

  it("is refused by review and plan with a clear problem naming the account", () => {
    for (const run of [() => review(input), () => plan(input)]) {
      try {
        run();
        expect.unreachable("accepted two accounts with one id");
      } catch (e) {
        expect(e).toBeInstanceOf(RosterInputError);
        expect((e as RosterInputError).problems).toContainEqual({
          record: "account a1",
          path: "accounts[1].accountId",
          message: "is a duplicate accountId",
        });
      }
    }
  });

  it("is listed by checkPlanInput", () => {
    expect(checkPlanInput(input).map((p) => p.message)).toContain("is a duplicate accountId");
    expect(checkPlanInput(inputOf([student("1")], [account("a1"), account("a2")]))).toEqual([]);
  });
});
