import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SERVER_BINARY, stockPartner } from "./tests/fixtures/stock";

/**
 * Gives the licenses specs a partner of their own with plenty of stock, through
 * the server's admin commands (the vendor's way in): a partner account, its
 * user, and an order. The demo partners' figures stay as the other specs read
 * them. Names carry the run's time, so a rerun against the same server works.
 */
export default function globalSetup(): void {
  if (!process.env.PORTAL_DATABASE_URL) {
    throw new Error("set PORTAL_DATABASE_URL to the test server's database (scripts/test.sh does)");
  }
  const run = (args: string[], input?: string) =>
    execFileSync(SERVER_BINARY, args, { input, env: process.env, stdio: ["pipe", "pipe", "inherit"] });
  run(["account", "add", "--kind", "partner", "--name", stockPartner.account]);
  run(
    ["user", "add", "--email", stockPartner.email, "--role", "partner_admin", "--account", stockPartner.account, "--name", "Pat Stock"],
    `${stockPartner.password}\n`,
  );
  const csv = ["order_number,partner,order_date,product,quantity,term_months"]
    .concat(
      [
        ["CR", 500],
        ["IQS", 500],
        ["BC", 5000],
        ["UBR", 5000],
        ["ABR", 5000],
        ["IQP", 5000000],
      ].map(([sku, quantity]) => `${stockPartner.order},${stockPartner.account},2026-11-01,${sku},${quantity},12`),
    )
    .join("\n");
  const file = join(mkdtempSync(join(tmpdir(), "portal-e2e-")), "orders.csv");
  writeFileSync(file, `${csv}\n`);
  run(["orders", "import", file]);
}
