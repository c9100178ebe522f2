import { expect, test } from "./fixtures/test";
import { SignInPage, hydrated, seriousViolations, users } from "./fixtures/portal";
import { apiSession } from "./fixtures/stock";

const admin = { email: "admin@example.com" };

test("a vendor admin reads the audit log, filters it by kind and actor, exports what the filters select, in English and French", async ({ page }) => {
  const signIn = new SignInPage(page);
  await signIn.open();
  await signIn.signIn(admin.email);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Administration" }).click();
  await expect(page.getByRole("heading", { name: "Administration", level: 1 })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Audit log", level: 2 })).toBeVisible();
  await hydrated(page);
  // The admin's own sign-in is there (other tests sign in meanwhile).
  const ownSignIn = page.getByRole("table", { name: "Audit log" }).getByRole("row").filter({ hasText: admin.email });
  await expect(ownSignIn.filter({ hasText: "Sign-in" }).first()).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);

  // The demo's history: accounting approved the request the demo starts with.
  await page.getByLabel("Kind").selectOption({ label: "Drawdown request approved" });
  await page.getByLabel("Actor").fill(users.accounting.email);
  await page.getByRole("button", { name: "Apply filters" }).click();
  const approved = page.getByRole("table", { name: "Audit log" }).getByRole("row").filter({ hasText: "Drawdown request approved" });
  await expect(approved.first()).toContainText(users.accounting.email);
  await expect(approved.first()).toContainText("state: approved");
  await expect(page.getByRole("table", { name: "Audit log" }).getByRole("row").filter({ hasText: "Sign-in" })).toHaveCount(0);

  // The export selects the same entries.
  const href = await page.getByRole("link", { name: "Export CSV" }).getAttribute("href");
  expect(href).toBe("/api/audit.csv?actor=accounting%40example.com&kind=drawdown_approved");
  const csv = await page.request.get(href!);
  expect(csv.status()).toBe(200);
  const lines = (await csv.text()).trim().split("\n");
  expect(lines[0]).toBe("at,actor,address,kind,object_kind,object,account,before,after");
  expect(lines.length).toBeGreaterThan(1);
  for (const line of lines.slice(1)) {
    expect(line).toMatch(new RegExp(`^[^,]+Z,${users.accounting.email},[^,]*,drawdown_approved,drawdown_request,`));
  }

  // A date that is no date is named next to its field.
  await page.getByLabel("From").fill("2026-12-31");
  await page.getByLabel("Until").fill("2026-01-01");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page.getByLabel("Until")).toHaveAccessibleDescription("Enter a date as YYYY-MM-DD, not before From.");

  await page.locator("#language-select").selectOption("fr");
  await expect(page.getByRole("heading", { name: "Journal d'audit", level: 2 })).toBeVisible();
  await expect(page.getByLabel("Auteur")).toBeVisible();
  await expect(page.getByRole("button", { name: "Appliquer les filtres" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Exporter en CSV" })).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
  await page.locator("#language-select").selectOption("en");
  await expect(page.getByRole("heading", { name: "Audit log", level: 2 })).toBeVisible();
});

test("nobody but a vendor admin sees Administration or reads the audit log", async ({ page }) => {
  const signIn = new SignInPage(page);
  await signIn.open();
  await signIn.signIn(users.accounting.email);
  await expect(page.getByRole("link", { name: "Your account" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Administration" })).toHaveCount(0);
  await page.goto("/administration/audit-log");
  await expect(page.getByText("Only the vendor's administrators work here.")).toBeVisible();
  const accounting = await apiSession(users.accounting.email);
  const refused = await accounting.get("/api/audit.csv");
  expect(refused.status()).toBe(403);
  const listed = await accounting.post("/api/audit_log", { data: { query: {}, after: null }, headers: { accept: "application/json" } });
  expect(listed.status()).toBe(403);
});
