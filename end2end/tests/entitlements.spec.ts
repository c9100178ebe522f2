import { readFileSync } from "node:fs";
import { expect, test } from "./fixtures/test";
import { seriousViolations, signInAs, users } from "./fixtures/portal";

test("a partner switches accounts and sees the demo figures", async ({ page }) => {
  const area = await signInAs(page, users.partner);
  // Own account first, then its customers (the drawdown specs add customers as they run).
  const names = await area.accountNames();
  expect(names[0]).toBe("Northwind Partners");
  expect(names).toEqual(expect.arrayContaining(["Contoso Pharma", "Fabrikam Logistics"]));
  await expect(area.accountSelect.locator("option:checked")).toHaveText("Northwind Partners");

  // Per product: both orders together.
  await expect(area.held("Bot Creator")).toHaveText("15");
  await expect(area.held("Unattended Bot Runner")).toHaveText("35");
  await expect(area.held("IQ Bot pages")).toHaveText("70,000");
  await expect(area.held("Control Room")).toHaveText("2");
  // Per order line: nothing reserved or drawn yet.
  const runners = area.orderLine("SO-2026-0101", "Unattended Bot Runner");
  await expect(runners.getByRole("cell")).toHaveText(["SO-2026-0101", "2026-09-15", "12 months", "25", "25", "0", "0", "Statement"]);
  await expect(area.orderLine("SO-2026-0187", "IQ Bot pages").getByRole("cell")).toHaveText([
    "SO-2026-0187", "2026-10-20", "24 months", "20,000", "20,000", "0", "0", "Statement",
  ]);

  const contoso = await area.accountId("Contoso Pharma");
  await area.accountSelect.selectOption({ label: "Contoso Pharma" });
  await expect(page).toHaveURL(new RegExp(`/licenses/${contoso}/entitlements$`));
  await expect(page.getByRole("heading", { name: /Entitlements\s*Contoso Pharma/ })).toBeVisible();
  // All of SO-2026-0042, drawn down before the demo starts; some bound to its Control Room.
  await expect(area.holding("Bot Creator")).toHaveText(["Cloud", "3", "2", "1", "Statement"]);
  await expect(area.holding("IQ Bot pages")).toHaveText(["Cloud", "10,000", "0", "10,000", "Statement"]);
  await expect(area.holding("Attended Bot Runner")).toHaveText(["File", "10", "0", "10", "Statement"]);
  await expect(page.getByRole("table", { name: "Order lines" })).toHaveCount(0);

  // The choice is in the URL: a reload shows the same account.
  await page.reload();
  await expect(area.accountSelect.locator("option:checked")).toHaveText("Contoso Pharma");
  await expect(area.holding("Bot Creator")).toHaveText(["Cloud", "3", "2", "1", "Statement"]);

  // What Contoso holds of Bot Creator, movement by movement: received through
  // the demo's request, then bound to its Control Room.
  await page.locator('#entitlements-tab[data-hydrated="true"]').waitFor();
  await page.getByRole("link", { name: "Statement of Bot Creator" }).click();
  await expect(page.getByRole("heading", { name: "Statement of Bot Creator held by Contoso Pharma" })).toBeVisible();
  await page.locator('#holding-statement-tab[data-hydrated="true"]').waitFor();
  const movements = page.getByRole("table", { name: "Statement" });
  const received = movements.getByRole("row").filter({ has: page.getByRole("rowheader", { name: "Received" }) });
  await expect(received.getByRole("link", { name: /^PDR-\d{6}$/ })).toBeVisible();
  await expect(movements.getByRole("rowheader", { name: "Put to use" }).first()).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Export CSV" }).click()]);
  const lines = readFileSync(await download.path(), "utf8").trim().split("\n");
  expect(lines[0]).toBe("at,movement,quantity,request,control_room,license_file,by,held_after,in_use_after,free_after");
  // Oldest first: the quantity received, nothing in use yet.
  expect(lines[1]).toMatch(/^\S+Z,received,3,PDR-\d{6},,,Nadia Moreau,3,0,3$/);
});

test("a customer user cannot reach another account, even by its URL", async ({ browser, page }) => {
  // Learn Northwind's and Fabrikam's ids as the partner would see them.
  const partnerContext = await browser.newContext();
  const partnerArea = await signInAs(await partnerContext.newPage(), users.partner);
  const northwind = await partnerArea.accountId("Northwind Partners");
  const fabrikam = await partnerArea.accountId("Fabrikam Logistics");
  await partnerContext.close();

  const area = await signInAs(page, users.customer);
  expect(await area.accountNames()).toEqual(["Contoso Pharma"]);
  await expect(area.held("Unattended Bot Runner")).toHaveText("5");

  for (const id of [northwind, fabrikam]) {
    await page.goto(`/licenses/${id}/entitlements`);
    await expect(page.getByRole("alert")).toHaveText("You do not have access to this account.");
    await expect(page.getByRole("table")).toHaveCount(0);
    await expect(page.getByText("Bot Creator")).toHaveCount(0);
    await expect(page.getByText("Northwind Partners")).toHaveCount(0);
  }
});

test("another partner never sees Northwind's customers", async ({ browser, page }) => {
  const partnerContext = await browser.newContext();
  const partnerArea = await signInAs(await partnerContext.newPage(), users.partner);
  const contoso = await partnerArea.accountId("Contoso Pharma");
  await partnerContext.close();

  const area = await signInAs(page, users.otherPartner);
  expect(await area.accountNames()).toEqual(["Tailspin Integrators", "Wingtip Toys"]);
  await expect(area.held("Unattended Bot Runner")).toHaveText("8");

  await page.goto(`/licenses/${contoso}/entitlements`);
  await expect(page.getByRole("alert")).toHaveText("You do not have access to this account.");
  await expect(page.getByText("Contoso Pharma")).toHaveCount(0);
});

test("accounting sees every partner and customer account", async ({ page }) => {
  const area = await signInAs(page, users.accounting);
  const names = await area.accountNames();
  for (const name of ["Northwind Partners", "Tailspin Integrators", "Contoso Pharma (Northwind Partners)", "Wingtip Toys (Tailspin Integrators)"]) {
    expect(names).toContain(name);
  }
  expect(names).not.toContain("Automation Vendor");
});
