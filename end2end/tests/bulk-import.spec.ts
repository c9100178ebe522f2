import { expect, test } from "./fixtures/test";
import { SignInPage, hydrated, openTab, seriousViolations } from "./fixtures/portal";
import { stockPartner } from "./fixtures/stock";

// Names of this run's test alone: the demo database is shared by the specs.
const stamp = process.env.PORTAL_E2E_STAMP ?? String(Date.now());
const attempt = () => `${stamp.slice(-6)}${test.info().retry}${test.info().repeatEachIndex}`;

const csv = (rows: string[][]) =>
  ["Customer account,Website,Contact name,Contact email,Product,Quantity", ...rows.map((r) => r.join(","))].join("\n") + "\n";

test("a partner imports requests from a CSV file: the dry run names the bad row, then the mended file is submitted whole", async ({ page }) => {
  const north = `Bulk North ${attempt()}`;
  const south = `Bulk South ${attempt()}`;
  const good = csv([
    [north, "https://bulk-north.example", "Ana Alves", "ana@bulk-north.example", "Bot Creator", "2"],
    [north, "https://bulk-north.example", "Ana Alves", "ana@bulk-north.example", "Unattended Bot Runner", "1"],
    [south, "https://bulk-south.example", "Ben Brun", "ben@bulk-south.example", "Bot Creator", "1"],
  ]);
  const bad = good.replace("ben@bulk-south.example", "ben@");

  const signIn = new SignInPage(page);
  await signIn.open();
  await signIn.signIn(stockPartner.email, stockPartner.password);
  await expect(page.getByRole("link", { name: "Your account" })).toBeVisible();
  await openTab(page, "Partner drawdowns");
  await page.getByRole("link", { name: "Import requests (CSV)" }).click();
  await expect(page.getByRole("heading", { name: "Import requests (CSV)" })).toBeVisible();
  await page.reload();
  await hydrated(page);
  await page.getByLabel("Order", { exact: true }).selectOption({ label: `${stockPartner.order} (2026-11-01)` });

  // The dry run: the bad row says what is wrong, and nothing can be submitted.
  await page.getByLabel("CSV file").setInputFiles({ name: "requests.csv", mimeType: "text/csv", buffer: Buffer.from(bad) });
  await expect(page.getByText("3 rows, 2 requests, 1 problem.")).toBeVisible();
  const rows = page.getByRole("table", { name: "Rows of the file" });
  await expect(rows.getByRole("row").filter({ hasText: south })).toContainText("Contact email:");
  await expect(rows.getByRole("row").filter({ hasText: "Unattended Bot Runner" })).toContainText("Ready");
  const effect = page.getByRole("table", { name: "Effect on the order" });
  await expect(effect.getByRole("row", { name: /Bot Creator/ }).getByRole("cell").nth(1)).toHaveText("3");
  await expect(page.getByRole("button", { name: "Submit all" })).toBeDisabled();
  expect(await seriousViolations(page)).toEqual([]);
  // In French too.
  await page.getByLabel("Language").selectOption("fr");
  const lignes = page.getByRole("table", { name: "Lignes du fichier" });
  await expect(lignes.getByRole("row").filter({ hasText: south })).toContainText("Courriel du contact :");
  await expect(page.getByRole("table", { name: "Effet sur la commande" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Tout soumettre" })).toBeDisabled();
  await page.getByLabel("Langue").selectOption("en");

  // The mended file: checked clean, then every request submitted at once.
  await page.getByLabel("CSV file").setInputFiles({ name: "requests.csv", mimeType: "text/csv", buffer: Buffer.from(good) });
  await expect(page.getByText("3 rows, 2 requests, no problem.")).toBeVisible();
  await page.getByRole("button", { name: "Submit all" }).click();
  await expect(page.getByText("2 requests submitted.")).toBeVisible();
  const created = page.getByRole("link", { name: /^PDR-\d{6,}$/ });
  await expect(created).toHaveCount(2);
  expect(await seriousViolations(page)).toEqual([]);

  // Both are in the list, Submitted, each for its customer.
  await page.getByRole("link", { name: "Back to the requests" }).click();
  for (const customer of [north, south]) {
    await expect(page.getByRole("row", { name: new RegExp(customer) })).toContainText("Submitted");
  }
});
