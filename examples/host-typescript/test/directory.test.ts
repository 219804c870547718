// The example's accounts directory keeps the whole TargetDirectory contract (docs/adapters.md).
import { runDirectoryContract } from "@rostersync/testing/directory";
import { createAccountsDirectory } from "../src/directory.ts";

runDirectoryContract("host-typescript", () => createAccountsDirectory());
