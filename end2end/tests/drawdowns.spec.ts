import { expect, test } from "./fixtures/test";
import {
  DrawdownForm, RequestPage, openFromApprovals, openTab, saveDrawdown, seriousViolations, signInAs, unique, users,
} from "./fixtures/portal";

/** How soon an open browser must show a change made elsewhere. */
const LIVE = 2_000;

// Tests that read a line's figures each have a line of their own that no
// other spec reads (SO-2026-0101: Attended Bot Runner for the procedure,
// Control Room for cancelling; SO-2026-0187: Unattended Bot Runner for the
// live view); the rest reserve from SO-2026-0101's 50,000 IQ Bot pages and
// cancel. Every customer gets a new name: all specs share one database and
// run in parallel.

test("the procedure of the source document, partner and accounting side by side", async ({ browser }) => {
  const partner = await (await browser.newContext()).newPage();
  const accounting = await (await browser.newContext()).newPage();
  const area = await signInAs(partner, users.partner);
  await signInAs(accounting, users.accounting);
  const customer = unique("Adventure Works");

  // New, fill, Save: Submitted.
  await openTab(partner, "Partner drawdowns");
  await partner.getByRole("button", { name: "New" }).click();
  const form = new DrawdownForm(partner);
  await expect(form.heading).toBeVisible();
  await form.fill({
    order: "SO-2026-0101 (2026-09-15)",
    account: customer,
    // Unique too: a customer with the same website domain would be tied to the request.
    website: `https://${customer.toLowerCase().replace(/ /g, "-")}.example`,
    contact: "Jordan Lee",
    email: "jordan@adventure-works.example",
    quantities: { "Attended Bot Runner": "5" },
  });
  await expect(partner.getByRole("status").filter({ hasText: "a new customer account will be created" })).toBeVisible();
  const [now, after, willHold] = await form.effect("Attended Bot Runner").allTextContents();
  expect(Number(now) - Number(after)).toBe(5);
  expect(willHold).toBe("5");
  await form.save.click();
  const request = new RequestPage(partner);
  const first = await request.number();
  await expect(request.state).toHaveText("Submitted");

  // Accounting rejects it with a reason, from Approvals.
  const decision = await openFromApprovals(accounting, customer, first);
  await accounting.getByLabel("Reason").fill("Four were agreed, not five.");
  await decision.button("Reject").click();
  await expect(decision.state).toHaveText("Rejected");

  // The partner sees it, with the reason, without reloading, within two seconds.
  await expect(request.state).toHaveText("Rejected", { timeout: LIVE });
  await expect(partner.getByRole("note")).toContainText("Four were agreed, not five.", { timeout: LIVE });

  // Clone, change the quantity, Save.
  await request.button("Clone").click();
  await expect(form.heading).toBeVisible();
  await expect(partner.getByText(`Prefilled from ${first}`)).toBeVisible();
  await expect(form.account).toHaveValue(customer);
  await expect(form.quantity("Attended Bot Runner")).toHaveValue("5");
  await form.quantity("Attended Bot Runner").fill("4");
  await form.save.click();
  const second = await request.number();
  expect(second).not.toBe(first);
  await expect(request.state).toHaveText("Submitted");

  // Accounting approves; the partner sees Accept appear without reloading.
  await openFromApprovals(accounting, customer, second);
  await decision.button("Approve").click();
  await expect(decision.state).toHaveText("Approved");
  await expect(request.button("Accept")).toBeVisible({ timeout: LIVE });
  await expect(request.state).toHaveText("Approved", { timeout: LIVE });

  // Accept: the new customer appears in "Select an account" with its entitlements.
  await request.button("Accept").click();
  await expect(request.state).toHaveText("Accepted");
  await expect(area.accountSelect.locator("option", { hasText: customer })).toBeAttached();
  await area.accountSelect.selectOption({ label: customer });
  await openTab(partner, "Entitlements");
  await expect(partner.getByRole("heading", { name: new RegExp(`Entitlements\\s*${customer}`) })).toBeVisible();
  await expect(area.held("Attended Bot Runner")).toHaveText("4");

  // The history says who did what.
  await area.accountSelect.selectOption({ label: "Northwind Partners" });
  await openTab(partner, "Partner drawdowns");
  await partner.getByLabel("Search by customer").fill(customer);
  const rows = partner.getByRole("table").getByRole("row");
  await expect(rows).toHaveCount(3);
  await expect(rows.filter({ hasText: first })).toContainText("Rejected");
  await expect(rows.filter({ hasText: second })).toContainText("Accepted");
});

test("cancelling a request releases its reservation", async ({ page }) => {
  const area = await signInAs(page, users.partner);
  const line = () => area.orderLine("SO-2026-0101", "Control Room").getByRole("cell");
  await expect(line().nth(4)).toHaveText(/^\d+$/);
  const before = await line().allTextContents();
  const customer = unique("Litware");
  const number = await saveDrawdown(page, {
    order: "SO-2026-0101 (2026-09-15)",
    account: customer,
    website: "https://litware.example",
    contact: "Robin Diaz",
    email: "robin@litware.example",
    quantities: { "Control Room": "1" },
  });
  const request = new RequestPage(page);

  await openTab(page, "Entitlements");
  // Order, date, term, quantity, available, reserved, drawn.
  await expect(line().nth(4)).toHaveText(String(Number(before[4]) - 1));
  await expect(line().nth(5)).toHaveText(String(Number(before[5]) + 1));

  // Live lists move as other people work: narrow to this request first.
  await openTab(page, "Partner drawdowns");
  await page.getByLabel("Search by customer").fill(customer);
  await expect(page.getByRole("table").getByRole("link")).toHaveText([number]);
  await page.getByRole("link", { name: number }).click();
  await expect(request.heading).toHaveText(`Drawdown request ${number}`);
  await request.button("Cancel request").click();
  await expect(request.state).toHaveText("Cancelled");
  await expect(request.button("Cancel request")).toHaveCount(0);

  await openTab(page, "Entitlements");
  await expect(line().nth(4)).toHaveText(before[4]);
  await expect(line().nth(5)).toHaveText(before[5]);
});

test("bad input is refused next to each field and nothing is saved", async ({ page }) => {
  await signInAs(page, users.partner);
  const customer = unique("Proseware");
  await openTab(page, "Partner drawdowns");
  await page.getByRole("button", { name: "New" }).click();
  const form = new DrawdownForm(page);
  await form.fill({
    order: "SO-2026-0101 (2026-09-15)",
    account: customer,
    website: "proseware dot com",
    contact: "   ",
    email: "robin-at-proseware",
    quantities: { "Attended Bot Runner": "100000" },
  });
  // Checked as the user types, before any Save.
  await expect(form.website).toHaveAttribute("aria-invalid", "true");
  await expect(form.website).toHaveAccessibleDescription("Enter a full address starting with http:// or https://.");
  await form.save.click();
  await expect(page.getByRole("alert")).toHaveText("Correct the fields marked below. Nothing was saved.");
  await expect(form.contact).toHaveAttribute("aria-invalid", "true");
  await expect(form.contact).toHaveAccessibleDescription("Enter a name.");
  await expect(form.email).toHaveAccessibleDescription("Enter a valid email address, such as name@example.com.");
  await expect(form.quantity("Attended Bot Runner")).toHaveAttribute("aria-invalid", "true");
  await expect(form.quantity("Attended Bot Runner")).toHaveAccessibleDescription(
    /^\d+ available Not enough available: only \d+ left on this order line\.$/,
  );
  await expect(form.account).not.toHaveAttribute("aria-invalid", "true");

  // Correcting a field clears its message at once.
  await form.website.fill("https://proseware.example");
  await expect(form.website).not.toHaveAttribute("aria-invalid", "true");

  await openTab(page, "Partner drawdowns");
  await page.getByLabel("Search by customer").fill(customer);
  await expect(page.getByText("No request matches this filter.")).toBeVisible();
});

test("the list filters by state and searches by customer", async ({ page }) => {
  await signInAs(page, users.partner);
  const customer = unique("Fourth Coffee");
  const number = await saveDrawdown(page, {
    order: "SO-2026-0101 (2026-09-15)",
    account: customer,
    website: "https://fourthcoffee.example",
    contact: "Sam Lee",
    email: "sam@fourthcoffee.example",
    quantities: { "IQ Bot pages": "100" },
  });
  await new RequestPage(page).button("Cancel request").click();
  await expect(new RequestPage(page).state).toHaveText("Cancelled");
  await openTab(page, "Partner drawdowns");
  await page.getByLabel("Search by customer").fill(customer.toUpperCase());
  await expect(page.getByRole("link", { name: number })).toBeVisible();
  await page.getByLabel("State", { exact: true }).selectOption({ label: "Submitted" });
  await expect(page.getByText("No request matches this filter.")).toBeVisible();
  await page.getByLabel("State", { exact: true }).selectOption({ label: "Cancelled" });
  await expect(page.getByRole("link", { name: number })).toBeVisible();
  // The filter is in the URL.
  await page.reload();
  await expect(page.getByRole("link", { name: number })).toBeVisible();
  await expect(page.getByLabel("State", { exact: true }).locator("option:checked")).toHaveText("Cancelled");
});

test("the drawdown screens have no serious accessibility violations", async ({ page }) => {
  await signInAs(page, users.partner);
  await openTab(page, "Partner drawdowns");
  await expect(page.getByRole("heading", { name: "Partner drawdown requests" })).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);

  await page.getByRole("button", { name: "New" }).click();
  const form = new DrawdownForm(page);
  await form.fill({
    order: "SO-2026-0101 (2026-09-15)",
    account: unique("Alpine Ski House"),
    website: "not a url",
    contact: "",
    email: "x",
    quantities: { "IQ Bot pages": "100" },
  });
  await form.save.click();
  await expect(form.website).toHaveAttribute("aria-invalid", "true");
  expect(await seriousViolations(page)).toEqual([]);

  await form.website.fill("https://alpineskihouse.example");
  await form.contact.fill("Kim Akers");
  await form.email.fill("kim@alpineskihouse.example");
  await form.save.click();
  const request = new RequestPage(page);
  await request.number();
  expect(await seriousViolations(page)).toEqual([]);
  await request.button("Cancel request").click();
  await expect(request.state).toHaveText("Cancelled");
});

test("the French form uses the labels of the source document", async ({ browser }) => {
  const context = await browser.newContext({ locale: "fr-FR" });
  const page = await context.newPage();
  await page.goto("/sign-in");
  await page.locator('html[data-hydrated="true"]').waitFor();
  await page.getByLabel("Adresse e-mail").fill(users.partner.email);
  await page.getByLabel("Mot de passe").fill("demo");
  await page.getByRole("button", { name: "Se connecter" }).click();
  await page.getByRole("navigation", { name: "Vues du compte" }).getByRole("link", { name: "Prélèvements des partenaires" }).click();
  await page.getByRole("button", { name: "Nouveau" }).click();
  await expect(page.getByRole("heading", { name: "Nouvelle demande de prélèvement d'un partenaire" })).toBeVisible();
  await page.getByLabel("Commande", { exact: true }).selectOption({ label: "SO-2026-0187 (2026-10-20)" });
  for (const label of ["Attribuer au compte client", "Site Web du client", "Nom du contact client", "Courriel du client", "Quantité pour Bot Creator"]) {
    await expect(page.getByLabel(label)).toBeVisible();
  }
  await expect(page.getByRole("button", { name: "Enregistrer" })).toBeVisible();
  await page.getByLabel("Courriel du client").fill("pas-une-adresse");
  await expect(page.getByLabel("Courriel du client")).toHaveAccessibleDescription(
    "Saisissez une adresse e-mail valide, comme nom@exemple.com.",
  );
  await context.close();
});

test("accounting approves and rejects, but cannot accept or cancel", async ({ browser }) => {
  const partner = await (await browser.newContext()).newPage();
  await signInAs(partner, users.partner);
  const customer = unique("Wide World Importers");
  const number = await saveDrawdown(partner, {
    order: "SO-2026-0101 (2026-09-15)",
    account: customer,
    website: "https://wideworldimporters.example",
    contact: "Ana Ruiz",
    email: "ana@wideworldimporters.example",
    quantities: { "IQ Bot pages": "100" },
  });
  const accounting = await (await browser.newContext()).newPage();
  await signInAs(accounting, users.accounting);
  const page = await openFromApprovals(accounting, customer, number);
  await expect(page.button("Approve")).toBeVisible();
  await expect(page.button("Accept")).toHaveCount(0);
  await expect(page.button("Cancel request")).toHaveCount(0);
  await expect(page.button("Clone")).toHaveCount(0);
  // A rejection needs a reason; the partner will read it.
  await page.button("Reject").click();
  await expect(accounting.getByLabel("Reason")).toHaveAccessibleDescription(
    "Required to reject; the partner sees it. Give a reason: the partner will see it.",
  );
  await expect(page.state).toHaveText("Submitted");
  await page.button("Approve").click();
  await expect(page.state).toHaveText("Approved");
  await expect(page.button("Approve")).toHaveCount(0);
  // The partner cancels it again, leaving the order as it was.
  await expect(new RequestPage(partner).button("Cancel request")).toBeVisible();
  await new RequestPage(partner).button("Cancel request").click();
  await expect(new RequestPage(partner).state).toHaveText("Cancelled");
});

test("an open Entitlements view and Approvals list follow changes made elsewhere", async ({ browser }) => {
  const watcher = await (await browser.newContext()).newPage();
  const watching = await signInAs(watcher, users.partner);
  // A line no other test moves: the figures below are exact.
  const line = () => watching.orderLine("SO-2026-0187", "Unattended Bot Runner").getByRole("cell");
  await expect(line().nth(5)).toHaveText(/^\d+$/);
  const reservedBefore = Number(await line().nth(5).textContent());
  const accounting = await (await browser.newContext()).newPage();
  await signInAs(accounting, users.accounting);
  await openTab(accounting, "Approvals");
  await expect(accounting.getByRole("heading", { name: "Requests waiting for approval" })).toBeVisible();
  expect(await seriousViolations(accounting)).toEqual([]);

  // The same partner, in another browser, saves a request for 3.
  const actor = await (await browser.newContext()).newPage();
  await signInAs(actor, users.partner);
  const number = await saveDrawdown(actor, {
    order: "SO-2026-0187 (2026-10-20)",
    account: unique("Northwind Traders"),
    website: "https://northwindtraders.example",
    contact: "Lee Chan",
    email: "lee@northwindtraders.example",
    quantities: { "Unattended Bot Runner": "3" },
  });
  await expect(accounting.getByRole("link", { name: number })).toBeVisible({ timeout: LIVE });
  await expect(line().nth(5)).toHaveText(String(reservedBefore + 3), { timeout: LIVE });

  await new RequestPage(actor).button("Cancel request").click();
  await expect(accounting.getByRole("link", { name: number })).toHaveCount(0, { timeout: LIVE });
  await expect(line().nth(5)).toHaveText(String(reservedBefore), { timeout: LIVE });
});
