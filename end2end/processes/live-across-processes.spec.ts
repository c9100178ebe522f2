import { expect, test } from "@playwright/test";
import { RequestPage, openFromApprovals, saveDrawdown, signInAs, unique, users } from "../tests/fixtures/portal";

// Two release server processes on one PostgreSQL database, started by
// scripts/test.sh: the partner's browser talks to one, accounting's to the other.
const FIRST = "http://127.0.0.1:3000";
const SECOND = "http://127.0.0.1:3001";
/** How soon an open browser must show a change made through the other process. */
const LIVE = 2_000;

test("a partner on one server process sees, without reloading, what accounting does on another", async ({ browser }) => {
  const partner = await (await browser.newContext({ baseURL: SECOND })).newPage();
  const accounting = await (await browser.newContext({ baseURL: FIRST })).newPage();
  await signInAs(partner, users.partner);
  await signInAs(accounting, users.accounting);
  expect(new URL(partner.url()).port).toBe("3001");
  expect(new URL(accounting.url()).port).toBe("3000");

  const customer = unique("Fabrikam");
  const number = await saveDrawdown(partner, {
    order: "SO-2026-0101 (2026-09-15)",
    account: customer,
    website: `https://${customer.toLowerCase().replace(/ /g, "-")}.example`,
    contact: "Jordan Lee",
    email: "jordan@fabrikam.example",
    quantities: { "IQ Bot pages": "1" },
  });
  const request = new RequestPage(partner);
  await expect(request.state).toHaveText("Submitted");

  // Accounting, on the other process, approves.
  const decision = await openFromApprovals(accounting, customer, number);
  await decision.button("Approve").click();
  await expect(decision.state).toHaveText("Approved");
  await expect(request.state).toHaveText("Approved", { timeout: LIVE });
  await expect(request.button("Accept")).toBeVisible({ timeout: LIVE });

  // And the other way: the partner accepts; accounting's page follows.
  await request.button("Accept").click();
  await expect(request.state).toHaveText("Accepted");
  await expect(decision.state).toHaveText("Accepted", { timeout: LIVE });
});
