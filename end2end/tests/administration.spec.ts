import { expect, test, type Page } from "./fixtures/test";
import { SignInPage, hydrated, seriousViolations, users } from "./fixtures/portal";
import { apiSession } from "./fixtures/stock";

const admin = { email: "admin@example.com" };
// Names of this run's test alone: the demo database is shared by the specs.
const stamp = process.env.PORTAL_E2E_STAMP ?? String(Date.now());
const attempt = () => `${stamp.slice(-6)}${test.info().retry}${test.info().repeatEachIndex}`;

/** Signs in as the vendor admin and opens a section of Administration. */
async function openSection(page: Page, section: string): Promise<void> {
  await page.getByRole("navigation", { name: "Administration sections" }).getByRole("link", { name: section, exact: true }).click();
  await expect(page.getByRole("heading", { name: section, level: 2 })).toBeVisible();
  await expect(page.locator(`section.panel[data-hydrated="true"]`)).toBeVisible();
}

/** Searches a section's list and waits for the row naming `text`. */
async function findRow(page: Page, text: string) {
  await page.getByRole("search").getByLabel("Search").fill(text);
  await page.getByRole("search").getByRole("button", { name: "Search" }).click();
  const row = page.getByRole("row").filter({ hasText: text });
  await expect(row.first()).toBeVisible();
  return row;
}

test("a vendor admin creates a partner, a customer, a product, a user and an order (by form, and by CSV after one bad row), and the audit log shows each", async ({ page }) => {
  const run = attempt();
  const partner = `E2E Partner ${run}`;
  const customer = `E2E Client ${run}`;
  const sku = `E2E-${run}`;
  const product = `E2E Product ${run}`;
  const invitee = `invitee-${run}@example.com`;
  const order = `SO-E2E-ADM-${run}`;
  const signIn = new SignInPage(page);
  await signIn.open();
  await signIn.signIn(admin.email);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Administration" }).click();
  // Administration opens on Partners.
  await expect(page.getByRole("heading", { name: "Partners", level: 2 })).toBeVisible();
  await hydrated(page);
  await expect(page.locator(`section.panel[data-hydrated="true"]`)).toBeVisible();

  // A partner: a bad website is named next to its field, then saved.
  await page.getByRole("button", { name: "New partner" }).click();
  await expect(page.getByRole("heading", { name: "New partner", level: 3 })).toBeVisible();
  await page.getByLabel("Name", { exact: true }).fill(partner);
  await page.getByLabel("Website").fill("partner-without-scheme");
  await page.getByLabel("Contact name").fill("Pat Partner");
  await page.getByLabel("Contact email").fill(`pat-${run}@example.com`);
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByLabel("Website")).toHaveAccessibleDescription(
    "Enter a full address starting with http:// or https://, or leave it empty.",
  );
  expect(await seriousViolations(page)).toEqual([]);
  await page.getByLabel("Website").fill(`https://partner-${run}.example`);
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
  await expect((await findRow(page, partner)).first()).toContainText("Active");

  // A customer managed by it.
  await openSection(page, "Customers");
  await page.getByRole("button", { name: "New customer" }).click();
  await page.getByLabel("Name", { exact: true }).fill(customer);
  await page.getByLabel("Find a partner").fill(partner);
  await page.getByLabel("Managing partner").selectOption({ label: partner });
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
  await expect((await findRow(page, customer)).first()).toContainText(partner);
  expect(await seriousViolations(page)).toEqual([]);

  // A product of the file model.
  await openSection(page, "Products");
  await page.getByRole("button", { name: "New product" }).click();
  await page.getByLabel("SKU").fill(sku);
  await page.getByLabel("Name", { exact: true }).fill(product);
  await page.getByLabel("License model").selectOption({ label: "File (signed license file)" });
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
  await expect((await findRow(page, product)).first()).toContainText(sku);
  expect(await seriousViolations(page)).toEqual([]);

  // A user of the partner, invited by email.
  await openSection(page, "Users");
  await page.getByRole("button", { name: "New user" }).click();
  await page.getByLabel("Email", { exact: true }).fill(invitee);
  await page.getByLabel("Display name").fill("Ivy Invitee");
  await page.getByLabel("Role", { exact: true }).selectOption({ label: "Partner user" });
  await page.getByLabel("Find a partner").fill(partner);
  await page.getByLabel("Account", { exact: true }).selectOption({ label: partner });
  await page.getByRole("button", { name: "Send invitation", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: `Invitation sent to ${invitee}.` })).toBeVisible();
  await expect((await findRow(page, invitee)).first()).toContainText("Invited");
  expect(await seriousViolations(page)).toEqual([]);

  // An order by the form, lines added one by one.
  await openSection(page, "Orders");
  await page.getByRole("button", { name: "New order" }).click();
  await page.getByLabel("Order number").fill(order);
  await page.getByLabel("Find a partner").fill(partner);
  await page.getByLabel("Partner", { exact: true }).selectOption({ label: partner });
  await page.getByLabel("Order date").fill("2026-12-01");
  const line1 = page.getByRole("group", { name: "Line 1" });
  await line1.getByLabel("Product").selectOption({ label: `${product} (${sku})` });
  await line1.getByLabel("Quantity").fill("0");
  await page.getByRole("button", { name: "Add line" }).click();
  const line2 = page.getByRole("group", { name: "Line 2" });
  await line2.getByLabel("Product").selectOption({ label: "Bot Creator (BC)" });
  await line2.getByLabel("Quantity").fill("7");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(line1.getByLabel("Quantity")).toHaveAccessibleDescription("Enter a quantity above 0.");
  expect(await seriousViolations(page)).toEqual([]);
  await line1.getByLabel("Quantity").fill("25");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
  const ordered = (await findRow(page, order)).first();
  await expect(ordered).toContainText(`${product} × 25, Bot Creator × 7`);
  await expect(ordered).toContainText(partner);

  // By CSV: one bad row is named with its line and column, and nothing is imported.
  const header = "order_number,partner,order_date,product,quantity,term_months\n";
  const bad = `${header}${order}-CSV,${partner},2026-12-02,${sku},5,12\n${order}-CSV,${partner},2026-12-02,BC,-2,12\n`;
  const importField = page.getByLabel("Import orders (CSV)");
  await importField.setInputFiles({ name: "orders.csv", mimeType: "text/csv", buffer: Buffer.from(bad) });
  await expect(page.getByRole("alert").filter({ hasText: "Nothing was imported." })).toBeVisible();
  const problems = page.getByRole("table", { name: "Problems of the file" });
  await expect(problems.getByRole("row")).toHaveCount(2);
  await expect(problems.getByRole("row").nth(1)).toHaveText(/3\s*quantity\s*The quantity cannot be negative\./);
  await page.getByRole("search").getByLabel("Search").fill(`${order}-CSV`);
  await page.getByRole("search").getByRole("button", { name: "Search" }).click();
  await expect(page.getByText("Nothing matches this search.")).toBeVisible();
  const good = bad.replace(",-2,", ",2,");
  await importField.setInputFiles({ name: "orders.csv", mimeType: "text/csv", buffer: Buffer.from(good) });
  await expect(page.getByRole("status").filter({ hasText: "Imported 1 order with 2 lines." })).toBeVisible();
  await expect((await findRow(page, `${order}-CSV`)).first()).toContainText(`${product} × 5, Bot Creator × 2`);
  expect(await seriousViolations(page)).toEqual([]);

  // Each change is in the audit log, by the admin.
  await openSection(page, "Audit log");
  await page.getByLabel("Actor").fill(admin.email);
  await page.getByRole("button", { name: "Apply filters" }).click();
  const log = page.getByRole("table", { name: "Audit log" });
  for (const [kind, object] of [
    ["Account created", partner],
    ["Account created", customer],
    ["Product created", product],
    ["User created", invitee],
    ["Invitation sent", invitee],
    ["Order created", order],
    ["Order created", `${order}-CSV`],
  ]) {
    await expect(log.getByRole("row").filter({ hasText: kind }).filter({ hasText: object }).first()).toBeVisible();
  }
});

test("a vendor admin edits, deactivates and reactivates a partner, and works in French", async ({ page }) => {
  const run = attempt();
  const partner = `E2E Edit ${run}`;
  const admin_ = await apiSession(admin.email);
  const created = await admin_.post("/api/create_account", {
    data: { kind: "partner", form: { name: partner, website: "", contact_name: "", contact_email: "", managed_by: null } },
    headers: { accept: "application/json" },
  });
  expect(created.status(), await created.text()).toBe(200);
  const signIn = new SignInPage(page);
  await signIn.open();
  await signIn.signIn(admin.email);
  await expect(page.getByRole("link", { name: "Your account" })).toBeVisible();
  await page.goto("/administration/partners");
  await hydrated(page);
  await expect(page.locator(`section.panel[data-hydrated="true"]`)).toBeVisible();
  const row = await findRow(page, partner);
  await row.getByRole("button", { name: `Edit ${partner}` }).click();
  await expect(page.getByRole("heading", { name: `Edit ${partner}`, level: 3 })).toBeVisible();
  await page.getByLabel("Contact name").fill("Dana Edit");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
  await expect(row.first()).toContainText("Dana Edit");
  await row.getByRole("button", { name: `Deactivate ${partner}` }).click();
  await expect(row.first()).toContainText("Deactivated");
  await row.getByRole("button", { name: `Reactivate ${partner}` }).click();
  await expect(row.first()).toContainText("Active");

  await page.locator("#language-select").selectOption("fr");
  await expect(page.getByRole("heading", { name: "Partenaires", level: 2 })).toBeVisible();
  await page.getByRole("button", { name: "Nouveau partenaire" }).click();
  await expect(page.getByRole("heading", { name: "Nouveau partenaire", level: 3 })).toBeVisible();
  for (const label of ["Nom", "Site Web", "Nom du contact", "Courriel du contact"]) {
    await expect(page.getByLabel(label, { exact: true })).toBeVisible();
  }
  await page.getByRole("button", { name: "Enregistrer" }).click();
  await expect(page.getByLabel("Nom", { exact: true })).toHaveAccessibleDescription("Saisissez un nom.");
  expect(await seriousViolations(page)).toEqual([]);
  const sections = page.getByRole("navigation", { name: "Sections de l'administration" });
  for (const name of ["Partenaires", "Clients", "Utilisateurs", "Produits", "Commandes", "Journal d'audit"]) {
    await expect(sections.getByRole("link", { name, exact: true })).toBeVisible();
  }
  await sections.getByRole("link", { name: "Commandes", exact: true }).click();
  await expect(page.getByRole("button", { name: "Nouvelle commande" })).toBeVisible();
  await expect(page.getByLabel("Importer des commandes (CSV)")).toBeVisible();
  await page.getByRole("button", { name: "Nouvelle commande" }).click();
  for (const label of ["Numéro de commande", "Partenaire", "Date de commande"]) {
    await expect(page.getByLabel(label, { exact: true })).toBeVisible();
  }
  await expect(page.getByRole("group", { name: "Ligne 1" }).getByLabel("Durée (mois)")).toBeVisible();
  await expect(page.getByRole("button", { name: "Ajouter une ligne" })).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
  await sections.getByRole("link", { name: "Utilisateurs", exact: true }).click();
  await page.getByRole("button", { name: "Nouvel utilisateur" }).click();
  for (const label of ["Adresse e-mail", "Nom affiché", "Rôle", "Compte"]) {
    await expect(page.getByLabel(label, { exact: true })).toBeVisible();
  }
  expect(await seriousViolations(page)).toEqual([]);
  await page.locator("#language-select").selectOption("en");
  await expect(page.getByRole("heading", { name: "Users", level: 2 })).toBeVisible();
});

test("a vendor admin reads the audit log, filters it by kind and actor, exports what the filters select, in English and French", async ({ page }) => {
  const signIn = new SignInPage(page);
  await signIn.open();
  await signIn.signIn(admin.email);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Administration" }).click();
  await expect(page.getByRole("heading", { name: "Administration", level: 1 })).toBeVisible();
  await hydrated(page);
  await page.getByRole("navigation", { name: "Administration sections" }).getByRole("link", { name: "Audit log" }).click();
  await expect(page.getByRole("heading", { name: "Audit log", level: 2 })).toBeVisible();
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
  for (const section of ["partners", "customers", "users", "products", "orders", "audit-log"]) {
    await page.goto(`/administration/${section}`);
    await expect(page.getByText("Only the vendor's administrators work here.")).toBeVisible();
  }
  const accounting = await apiSession(users.accounting.email);
  const refused = await accounting.get("/api/audit.csv");
  expect(refused.status()).toBe(403);
  const listed = await accounting.post("/api/audit_log", { data: { query: {}, after: null }, headers: { accept: "application/json" } });
  expect(listed.status()).toBe(403);
  const partners = await accounting.post("/api/list_admin_accounts", {
    data: { kind: "partner", search: "", after: null },
    headers: { accept: "application/json" },
  });
  expect(partners.status()).toBe(403);
});

// A section opened by its address is rendered by the server and then
// hydrated; its list once read there as an error the HTML did not show
// (the request's context gone in a dropped copy of the screen), which
// broke hydration on some loads. Several loads each, to catch it.
test("each section opened by its address shows its list and stays live", async ({ page }) => {
  const broken: string[] = [];
  page.on("pageerror", (error) => broken.push(error.message));
  const signIn = new SignInPage(page);
  await signIn.open();
  await signIn.signIn(admin.email);
  await expect(page.getByRole("link", { name: "Your account" })).toBeVisible();
  for (const [section, name] of [["partners", "Partners"], ["customers", "Customers"], ["users", "Users"], ["products", "Products"], ["orders", "Orders"]]) {
    for (let load = 0; load < 4; load++) {
      await page.goto(`/administration/${section}`);
      await expect(page.getByRole("heading", { name, level: 2 })).toBeVisible();
      const live = page.locator(`#${section}-tab[data-hydrated="true"]`);
      // Live, or broken: whichever comes first.
      await expect.poll(async () => broken.length > 0 || (await live.count()) > 0).toBe(true);
      expect(broken, `${section}, load ${load + 1}`).toEqual([]);
    }
  }
});
