import { readFileSync } from "node:fs";
import { expect, test, type Page } from "./fixtures/test";
import { SignInPage, hydrated, openFromApprovals, openTab, seriousViolations, users } from "./fixtures/portal";
import { decidedByAccounting, stockPartner, submittedRequest } from "./fixtures/stock";

// Names of this run's test alone: the demo database is shared by the specs.
const stamp = process.env.PORTAL_E2E_STAMP ?? String(Date.now());
const attempt = () => `${stamp.slice(-6)}${test.info().retry}${test.info().repeatEachIndex}`;

/** Opens a request from Approvals, searched by its customer's name. */
async function openQueued(page: Page, customer: string, number: string): Promise<void> {
  await openTab(page, "Approvals");
  await page.locator('#approvals-tab[data-hydrated="true"]').waitFor();
  await page.getByLabel("Search by customer").fill(customer);
  await page.getByRole("table").getByRole("link", { name: number }).click();
  await expect(page.getByRole("heading", { name: `Drawdown request ${number}` })).toBeVisible();
}

test("accounting opens a request and reads its Decision panel, in English and French", async ({ page }) => {
  const run = attempt();
  // Two requests for one customer: accounting sees the earlier one beside the other.
  const earlier = await submittedRequest(`Decision Client ${run}`, { "Attended Bot Runner": 1 });
  const request = await submittedRequest(`Decision Client ${run}`, { "Attended Bot Runner": 2 });
  const signIn = new SignInPage(page);
  await signIn.open();
  await signIn.signIn(users.accounting.email);
  await expect(page.getByRole("link", { name: "Your account" })).toBeVisible();
  await openQueued(page, `Decision Client ${run}`, request.number);

  const panel = page.getByRole("region", { name: "Decision" });
  const lines = panel.getByRole("table", { name: "Order lines: before this request → once it is drawn" });
  const line = lines.getByRole("row", { name: /Attended Bot Runner/ });
  // Other tests draw from the same order meanwhile: what holds is that the
  // request takes its 2 from what the line has available without it.
  await expect(line.getByRole("cell").nth(1)).toHaveText("2");
  await expect(line.getByRole("cell").nth(2)).toHaveText(/→/);
  const [availableBefore, availableAfter] = ((await line.getByRole("cell").nth(2).textContent()) ?? "")
    .split("→")
    .map((n) => Number(n.trim().replace(/,/g, "")));
  expect(availableBefore - availableAfter).toBe(2);
  // The earlier request for the same customer is open beside it.
  await expect(panel.getByRole("table", { name: "Other open requests for this customer or order" }).getByRole("link", { name: earlier.number })).toBeVisible();
  await expect(panel.getByRole("heading", { name: "What the customer holds now" })).toBeVisible();
  await expect(panel.getByText("A customer the partner does not manage yet: its account is created at acceptance.")).toBeVisible();
  await expect(panel.getByRole("heading", { name: "The partner's last decisions" })).toBeVisible();
  await expect(panel.getByRole("button", { name: "Approve" })).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);

  // Rejecting the earlier one elsewhere updates this panel live.
  const other = await (await page.context().browser()!.newContext()).newPage();
  const decider = new SignInPage(other);
  await decider.open();
  await decider.signIn(users.accounting.email);
  await expect(other.getByRole("link", { name: "Your account" })).toBeVisible();
  await openQueued(other, `Decision Client ${run}`, earlier.number);
  await other.getByLabel("Reason").fill("Duplicate of a later request");
  await other.getByRole("region", { name: "Decision" }).getByRole("button", { name: "Reject" }).click();
  await expect(other.locator(".panel__head .badge")).toHaveText("Rejected");
  await expect(panel.getByRole("table", { name: "The partner's last decisions" }).getByRole("link", { name: earlier.number })).toBeVisible();
  await expect(panel.getByRole("link", { name: earlier.number })).toHaveCount(1);

  // Opened by its address, the page and its panel come from the server and
  // go live in the browser: the language switch below needs them live.
  const broken: string[] = [];
  page.on("pageerror", (error) => broken.push(error.message));
  await page.reload();
  await hydrated(page);
  await expect(panel.getByRole("table", { name: "The partner's last decisions" }).getByRole("link", { name: earlier.number })).toBeVisible();
  await page.getByLabel("Language").selectOption("fr");
  const decision = page.getByRole("region", { name: "Décision" });
  await expect(decision.getByRole("table", { name: "Lignes de commande : avant cette demande → une fois prélevée" })).toBeVisible();
  await expect(decision.getByRole("heading", { name: "Dernières décisions pour ce partenaire" })).toBeVisible();
  expect(broken).toEqual([]);
  expect(await seriousViolations(page)).toEqual([]);
  await page.getByLabel("Langue").selectOption("en");
});

test("accounting selects three requests in Approvals and approves them at once", async ({ page }) => {
  const run = attempt();
  const prefix = `Bulk ${run}`;
  const requests = [];
  for (const n of [1, 2, 3]) requests.push(await submittedRequest(`${prefix} ${n}`, { "Attended Bot Runner": 1 }));
  const signIn = new SignInPage(page);
  await signIn.open();
  await signIn.signIn(users.accounting.email);
  await page.getByRole("navigation", { name: "Account views" }).getByRole("link", { name: "Approvals", exact: true }).click();
  await page.locator('#approvals-tab[data-hydrated="true"]').waitFor();
  await page.getByLabel("Search by customer").fill(prefix);
  const links = page.getByRole("table").getByRole("rowheader").getByRole("link");
  await expect(links).toHaveText(requests.map((r) => r.number));
  // Each row says its partner, total quantity and waiting time.
  const first = page.getByRole("row", { name: new RegExp(requests[0].number) });
  await expect(first).toContainText(`${prefix} 1`);
  await expect(first).toContainText(/\d+ min|\d+ h/);
  for (const r of requests) await page.getByLabel(`Select ${r.number}`).check();
  await expect(page.getByRole("button", { name: "Approve selected (3)" })).toBeEnabled();
  expect(await seriousViolations(page)).toEqual([]);
  await page.getByRole("button", { name: "Approve selected (3)" }).click();
  const results = page.getByRole("list", { name: "Results of the approval" });
  await expect(results.getByRole("listitem")).toHaveText(requests.map((r) => `${r.number}: approved.`));
  // Approved, they leave the queue.
  await expect(links).toHaveCount(0);
  await expect(page.getByText("No request matches this filter.")).toBeVisible();

  await page.getByLabel("Language").selectOption("fr");
  await expect(page.getByRole("button", { name: "Approuver la sélection" })).toBeDisabled();
  await expect(page.getByRole("list", { name: "Résultat de l'approbation" }).getByRole("listitem").first()).toHaveText(`${requests[0].number} : approuvée.`);
  expect(await seriousViolations(page)).toEqual([]);
  await page.getByLabel("Langue").selectOption("en");
});

/** The rows of an RFC 4180 file: quoted fields may hold commas, quotes and newlines. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else if (c !== "\r") field += c;
  }
  if (field !== "" || row.length) rows.push([...row, field]);
  return rows;
}

test("accounting opens an order line's statement from a request and downloads it as CSV, in English and French", async ({ page }) => {
  const run = attempt();
  const request = await submittedRequest(`Statement Client ${run}`, { "Attended Bot Runner": 4 });
  const signIn = new SignInPage(page);
  await signIn.open();
  await signIn.signIn(users.accounting.email);
  await expect(page.getByRole("link", { name: "Your account" })).toBeVisible();
  await openFromApprovals(page, `Statement Client ${run}`, request.number);
  await page.getByRole("region", { name: "Decision" }).getByRole("link", { name: "Statement — Attended Bot Runner" }).click();
  await expect(page.getByRole("heading", { name: /^Statement of SO-E2E-\d+, Attended Bot Runner$/ })).toBeVisible();
  await page.locator('#statement-tab[data-hydrated="true"]').waitFor();
  // Newest first: this request's reservation is on the first page.
  const movements = page.getByRole("table", { name: "Statement" });
  const reservation = movements.getByRole("row").filter({ has: page.getByRole("link", { name: request.number }) });
  await expect(reservation).toContainText("Reservation");
  expect(await seriousViolations(page)).toEqual([]);

  const today = new Date().toISOString().slice(0, 10);
  await page.getByLabel("From").fill(today);
  await page.getByLabel("Until").fill(today);
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Export CSV" }).click()]);
  const rows = parseCsv(readFileSync(await download.path(), "utf8"));
  expect(rows[0]).toEqual(["at", "movement", "quantity", "request", "customer", "by", "available_after", "reserved_after", "drawn_after"]);
  const mine = rows.filter((r) => r[3] === request.number);
  expect(mine).toEqual([[expect.stringMatching(new RegExp(`^${today}T\\d\\d:\\d\\d:\\d\\dZ$`)), "reserve", "4", request.number, "", "Pat Stock", expect.stringMatching(/^\d+$/), expect.stringMatching(/^\d+$/), expect.stringMatching(/^\d+$/)]]);
  // Each row's balance follows from the one before it.
  for (let i = 2; i < rows.length; i++) {
    const [, kind, quantity, , , , , reserved] = rows[i];
    const previous = Number(rows[i - 1][7]);
    const delta = kind === "reserve" ? Number(quantity) : -Number(quantity);
    expect(Number(reserved), `row ${i}`).toBe(previous + delta);
  }

  await page.getByLabel("Language").selectOption("fr");
  await expect(page.getByRole("heading", { name: /^Relevé de SO-E2E-\d+, Attended Bot Runner$/ })).toBeVisible();
  const [french] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Exporter en CSV" }).click()]);
  const frenchRows = parseCsv(readFileSync(await french.path(), "utf8"));
  expect(frenchRows[0][1]).toBe("mouvement");
  expect(frenchRows.find((r) => r[3] === request.number)?.[1]).toBe("réservation");
  expect(await seriousViolations(page)).toEqual([]);
  await page.getByLabel("Langue").selectOption("en");
});

test("a partner downloads its Partner drawdowns as CSV, filtered as the list, with each request's history, in English and French", async ({ page }) => {
  const run = attempt();
  const customer = `Export Client ${run}`;
  const rejected = await submittedRequest(customer, { "Attended Bot Runner": 2 });
  await decidedByAccounting(rejected.id, "reject", "Order it on SO-2026-0042, please");
  const waiting = await submittedRequest(`${customer} Waiting`, { "Attended Bot Runner": 1, "Bot Creator": 2 });
  const signIn = new SignInPage(page);
  await signIn.open();
  await signIn.signIn(stockPartner.email, stockPartner.password);
  await openTab(page, "Partner drawdowns");
  await page.getByLabel("Search by customer").fill(customer);
  await expect(page.getByRole("link", { name: waiting.number })).toBeVisible();
  await expect(page.getByRole("link", { name: rejected.number })).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);

  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Export CSV" }).click()]);
  const rows = parseCsv(readFileSync(await download.path(), "utf8"));
  expect(rows[0]).toEqual(["request", "state", "partner", "order", "customer", "products", "quantity", "last_change", "history"]);
  // The list's rows, newest change first: the waiting request, then the rejected one
  // (its products in the order's line order).
  expect(rows.slice(1).map((r) => r[0])).toEqual([waiting.number, rejected.number]);
  const [, state, partnerName, order, name, products, quantity, changed, history] = rows[2];
  expect([state, partnerName, order, name, products, quantity]).toEqual(["Rejected", stockPartner.account, stockPartner.order, customer, "Attended Bot Runner × 2", "2"]);
  expect(changed).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  const steps = history.split("\n");
  expect(steps).toHaveLength(2);
  expect(steps[0]).toMatch(/^\S+Z Submitted, Pat Stock$/);
  expect(steps[1]).toMatch(/^\S+Z Rejected, Alex Durand: Order it on SO-2026-0042, please$/);
  expect(rows[1].slice(5, 7)).toEqual(["Bot Creator × 2; Attended Bot Runner × 1", "3"]);

  // Filtered by state, in French.
  await page.getByLabel("State").selectOption("rejected");
  await expect(page.getByRole("link", { name: waiting.number })).toHaveCount(0);
  await page.getByLabel("Language").selectOption("fr");
  const [french] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Exporter en CSV" }).click()]);
  const frenchRows = parseCsv(readFileSync(await french.path(), "utf8"));
  expect(frenchRows[0][0]).toBe("demande");
  expect(frenchRows.slice(1).map((r) => [r[0], r[1]])).toEqual([[rejected.number, "Rejeté"]]);
  expect(frenchRows[1][8].split("\n")[1]).toMatch(/ Rejeté, Alex Durand: Order it on SO-2026-0042, please$/);
  expect(await seriousViolations(page)).toEqual([]);
  await page.getByLabel("Langue").selectOption("en");
});
