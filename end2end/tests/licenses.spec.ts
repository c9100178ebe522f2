import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test, type Page } from "./fixtures/test";
import { LicensesArea, SignInPage, openTab, seriousViolations, signInAs, unique, users } from "./fixtures/portal";
import { SERVER_BINARY, customerHolding, stockPartner } from "./fixtures/stock";

/** Signs in as this run's partner with stock and opens `tab` of `account`. */
async function openAsStockPartner(page: Page, account: string, tab: string): Promise<LicensesArea> {
  const signIn = new SignInPage(page);
  await signIn.open();
  await signIn.signIn(stockPartner.email, stockPartner.password);
  const area = new LicensesArea(page);
  await expect(area.heading).toBeVisible();
  await page.goto(`/licenses/${account}/${tab}`);
  // The tab's content hydrates after the page root, once its data is in.
  await page.locator(`#${tab}-tab[data-hydrated="true"]`).waitFor();
  return area;
}

test("a partner copies a Control Room's license GUID, binds cloud entitlements to it and unbinds them", async ({
  page,
  context,
}) => {
  const name = unique("Litware Labs");
  const account = await customerHolding(name, { "Control Room": 1, "Bot Creator": 5 });
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  const area = await openAsStockPartner(page, account, "cloud-licenses");

  const controlRoom = page.getByRole("article", { name: /Control Room/ });
  const guid = (await controlRoom.locator("code").textContent())?.trim() ?? "";
  expect(guid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  await controlRoom.getByRole("button", { name: "Copy license GUID" }).click();
  await expect(controlRoom.getByRole("button", { name: "Copied" })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(guid);

  await expect(controlRoom.getByText("Nothing is bound to this Control Room yet.")).toBeVisible();
  const entitlement = page.getByLabel("Entitlement to bind");
  await entitlement.selectOption((await entitlement.locator("option", { hasText: "Bot Creator" }).getAttribute("value")) ?? "");
  await page.getByLabel("Quantity to bind").fill("6");
  await page.getByRole("button", { name: "Bind", exact: true }).click();
  await expect(page.getByText("Only 5 free to bind.")).toBeVisible();
  await expect(page.getByLabel("Quantity to bind")).toHaveAttribute("aria-invalid", "true");

  await page.getByLabel("Quantity to bind").fill("3");
  await page.getByRole("button", { name: "Bind", exact: true }).click();
  const bound = controlRoom.getByRole("table", { name: "Bound entitlements" });
  await expect(bound.getByRole("row", { name: /Bot Creator/ }).getByRole("cell")).toHaveText(["12 months", "3", "Unbind"]);
  const usage = page.getByRole("table", { name: "Cloud entitlements of this account" });
  await expect(usage.getByRole("row", { name: /Bot Creator/ }).getByRole("cell")).toHaveText([
    "12 months", /^PDR-\d{6}$/, "5", "3", "2",
  ]);

  // The Entitlements view reads the same ledger.
  await openTab(page, "Entitlements");
  await expect(area.holding("Bot Creator")).toHaveText(["Cloud", "5", "3", "2", "Statement"]);

  await openTab(page, "Cloud licenses");
  await page.getByRole("button", { name: "Unbind Bot Creator" }).click();
  await expect(controlRoom.getByText("Nothing is bound to this Control Room yet.")).toBeVisible();
  await expect(usage.getByRole("row", { name: /Bot Creator/ }).getByRole("cell").nth(3)).toHaveText("0");
});

test("a partner configures a license file, downloads it, and license verify accepts the file", async ({ page, request }) => {
  const name = unique("Northwind Traders");
  const account = await customerHolding(name, { "Attended Bot Runner": 10 });
  await openAsStockPartner(page, account, "file-licenses");
  await expect(page.getByText("No license file yet.")).toBeVisible();

  await page.getByRole("button", { name: "Configure a license file" }).click();
  const quantity = page.getByLabel("Quantity for Attended Bot Runner");
  await page.getByLabel("Host name").fill("cr 01");
  await quantity.fill("11");
  await page.getByRole("button", { name: "Issue license file" }).click();
  await expect(page.getByLabel("Host name")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByLabel("Host name")).toHaveAccessibleDescription(/letters, digits and hyphens/);
  await expect(page.getByLabel("Host ID")).toHaveAccessibleDescription(/Enter the host id/);
  await expect(quantity).toHaveAccessibleDescription(/Only 10 free\./);

  await page.getByLabel("Host name").fill("cr01.traders.example");
  await page.getByLabel("Host ID").fill("00:1a:2b:3c:4d:5e");
  await quantity.fill("4");
  await page.getByRole("button", { name: "Issue license file" }).click();
  const files = page.getByRole("table", { name: "License files" });
  const row = files.getByRole("row", { name: /LIC-\d{6}/ });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText("cr01.traders.example");
  await expect(row).toContainText("Attended Bot Runner: 4 (12 months)");
  await expect(row).toContainText("Active");
  const reference = (await row.getByRole("rowheader").textContent())?.trim() ?? "";

  const downloading = page.waitForEvent("download");
  await page.getByRole("link", { name: `Download ${reference}` }).click();
  const download = await downloading;
  const dir = mkdtempSync(join(tmpdir(), "license-"));
  const file = join(dir, download.suggestedFilename());
  await download.saveAs(file);
  expect(download.suggestedFilename()).toBe(`license-${reference}-cr01.traders.example.lic`);

  // Offline, with the public key the portal serves.
  const publicKey = join(dir, "portal.pub");
  writeFileSync(publicKey, await (await request.get("/license/public-key")).text());
  const out = execFileSync(SERVER_BINARY, ["license", "verify", file, "--public-key", publicKey], {
    encoding: "utf8",
  });
  expect(out).toContain(`is valid: ${reference} for ${name} on cr01.traders.example`);
  expect(out).toContain("Attended Bot Runner: 4 for 12 months");

  // Renewing signs the same file again with a fresh lease, taking nothing more.
  const usage = page.getByRole("table", { name: "File-based entitlements of this account" });
  const inUse = usage.getByRole("row", { name: /Attended Bot Runner/ }).getByRole("cell").nth(3);
  await expect(inUse).toHaveText("4");
  await page.getByRole("button", { name: `Renew ${reference}` }).click();
  await expect(page.getByRole("status").filter({ hasText: "renewed" })).toContainText(`${reference} renewed`);
  await expect(inUse).toHaveText("4");

  // A new version of the file: the old one's copies stay valid offline until
  // their lease ends, so its 4 stay in use until then and the new version
  // takes 4 more; asking for all 10 is refused.
  await page.getByRole("button", { name: `Reconfigure ${reference}` }).click();
  await expect(quantity).toHaveValue("4");
  await quantity.fill("10");
  await page.getByRole("button", { name: "Issue license file" }).click();
  await expect(quantity).toHaveAccessibleDescription(/Only 6 free\./);
  await quantity.fill("4");
  await page.getByRole("button", { name: "Issue license file" }).click();
  const replaced = files.getByRole("row", { name: reference });
  await expect(replaced).toContainText("Replaced");
  await expect(replaced).toContainText(/Quantities return on /);
  await expect(replaced.getByRole("link", { name: `Download ${reference}` })).toHaveCount(0);
  await expect(inUse).toHaveText("8");
  // Its download is refused: the file is gone.
  expect((await page.request.get(`/license/files/${Number(reference.replace("LIC-", ""))}`)).status()).toBe(410);

  const current = files.getByRole("row").filter({ hasText: "Active" });
  const newReference = (await current.getByRole("rowheader").textContent())?.trim() ?? "";
  await page.getByRole("button", { name: `Revoke ${newReference}` }).click();
  await expect(files.getByRole("row", { name: newReference })).toContainText("Revoked");
  await expect(files.getByRole("row", { name: newReference })).toContainText(/Quantities return on /);
  await expect(inUse).toHaveText("8");
});

test("a partner provisions a Control Room and sees it become Active with its address, without reloading", async ({
  page,
}) => {
  const name = unique("Tailwind Retail");
  const account = await customerHolding(name, { "Control Room": 1, "IQ Bot server": 1 });
  await openAsStockPartner(page, account, "cloud-services");
  const services = page.getByRole("table", { name: "Service instances" });
  const controlRoom = services.getByRole("row", { name: /^Control Room/ });
  await expect(controlRoom).toContainText("Ready for provisioning");

  await controlRoom.getByRole("button", { name: /^Provision Control Room/ }).click();
  await page.getByLabel("Tenant name").fill("Bad name");
  await page.getByRole("button", { name: "Start provisioning" }).click();
  await expect(page.getByLabel("Tenant name")).toHaveAccessibleDescription(/lowercase letters, digits and hyphens only/i);
  await expect(page.getByLabel("Region")).toHaveAccessibleDescription(/Choose a region/);

  const tenant = `t${Date.now().toString(36)}${test.info().workerIndex}`;
  await page.getByLabel("Region").selectOption({ label: "Europe (Frankfurt)" });
  await page.getByLabel("Tenant name").fill(tenant);
  await page.getByRole("button", { name: "Start provisioning" }).click();
  await expect(controlRoom).toContainText("Provisioning");
  // The local provisioner finishes on its own; the page follows by itself.
  await expect(controlRoom).toContainText("Active", { timeout: 15_000 });
  await expect(controlRoom.getByRole("link")).toHaveText(`https://${tenant}.eu-central.cloud.localhost`);
  await expect(services.getByRole("row", { name: /^IQ Bot server/ })).toContainText("Ready for provisioning");
});

test("a customer user sees its own account's tabs read-only and cannot reach another account's", async ({
  browser,
  page,
}) => {
  const partnerContext = await browser.newContext();
  const partnerArea = await signInAs(await partnerContext.newPage(), users.partner);
  const fabrikam = await partnerArea.accountId("Fabrikam Logistics");
  await partnerContext.close();

  await signInAs(page, users.customer);
  await openTab(page, "Cloud licenses");
  const controlRoom = page.getByRole("article", { name: /Control Room/ });
  await expect(controlRoom.locator("code")).toHaveText(/^[0-9a-f-]{36}$/);
  await expect(controlRoom.getByRole("table", { name: "Bound entitlements" }).getByRole("row")).toHaveCount(3);
  await expect(page.getByText("its partner manages them")).toBeVisible();
  await expect(page.getByRole("button", { name: "Bind" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: /^Unbind/ })).toHaveCount(0);

  await openTab(page, "File licenses");
  await expect(page.getByRole("table", { name: "File-based entitlements of this account" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Configure a license file" })).toHaveCount(0);

  await openTab(page, "Cloud services");
  await expect(page.getByRole("table", { name: "Service instances" }).getByRole("row")).toHaveCount(3);
  await expect(page.getByRole("button", { name: /^Provision/ })).toHaveCount(0);

  for (const tab of ["cloud-licenses", "file-licenses", "cloud-services"]) {
    await page.goto(`/licenses/${fabrikam}/${tab}`);
    await expect(page.getByRole("alert")).toHaveText("You do not have access to this account.");
    await expect(page.getByRole("table")).toHaveCount(0);
  }
});

test("the three tabs have no serious or critical accessibility violation, forms open and with errors", async ({ page }) => {
  const account = await customerHolding(unique("Alpine Ski House"), {
    "Control Room": 1,
    "Bot Creator": 2,
    "Attended Bot Runner": 2,
  });
  await openAsStockPartner(page, account, "cloud-licenses");
  await expect(page.getByRole("button", { name: "Copy license GUID" })).toBeVisible();
  await page.getByRole("button", { name: "Bind", exact: true }).click();
  await expect(page.getByLabel("Quantity to bind")).toHaveAttribute("aria-invalid", "true");
  expect(await seriousViolations(page)).toEqual([]);

  await openTab(page, "File licenses");
  await page.getByRole("button", { name: "Configure a license file" }).click();
  await page.getByRole("button", { name: "Issue license file" }).click();
  await expect(page.getByLabel("Host name")).toHaveAttribute("aria-invalid", "true");
  expect(await seriousViolations(page)).toEqual([]);

  await openTab(page, "Cloud services");
  await page.getByRole("button", { name: /^Provision Control Room/ }).click();
  await page.getByRole("button", { name: "Start provisioning" }).click();
  await expect(page.getByLabel("Tenant name")).toHaveAttribute("aria-invalid", "true");
  expect(await seriousViolations(page)).toEqual([]);
});

test.describe("in French", () => {
  test.use({ locale: "fr-FR" });

  test("the three tabs speak French", async ({ page }) => {
    const account = await customerHolding(unique("Coho Vineyard"), {
      "Control Room": 1,
      "Bot Creator": 1,
      "Attended Bot Runner": 1,
    });
    await page.goto("/sign-in");
    await page.locator('html[data-hydrated="true"]').waitFor();
    await page.getByLabel("Adresse e-mail").fill(stockPartner.email);
    await page.getByLabel("Mot de passe").fill(stockPartner.password);
    await page.getByRole("button", { name: "Se connecter" }).click();
    await expect(page.getByRole("heading", { name: "Licences et services cloud", level: 1 })).toBeVisible();
    const open = async (tab: string) => {
      await page.goto(`/licenses/${account}/${tab}`);
      await page.locator(`#${tab}-tab[data-hydrated="true"]`).waitFor();
    };
    await open("cloud-licenses");
    const tabs = page.getByRole("navigation", { name: "Vues du compte" });
    await expect(tabs.getByRole("link")).toHaveText([
      "Droits de licence",
      "Licences basées sur des fichiers",
      "Licences cloud",
      "Services cloud",
      "Prélèvements des partenaires",
      // The customer's users, whom the partner invites (issue 15).
      "Utilisateurs",
    ]);

    await expect(page.getByRole("heading", { name: /Licences cloud/, level: 2 })).toBeVisible();
    await expect(page.getByRole("button", { name: "Copier le GUID de licence" })).toBeVisible();
    await expect(page.getByLabel("Droit à lier")).toBeVisible();
    await expect(page.getByLabel("Quantité à lier")).toBeVisible();
    await expect(page.getByRole("button", { name: "Lier", exact: true })).toBeVisible();

    await open("file-licenses");
    await page.getByRole("button", { name: "Configurer un fichier de licence" }).click();
    await expect(page.getByLabel("Nom d'hôte")).toBeVisible();
    await expect(page.getByLabel("ID d'hôte")).toBeVisible();
    await expect(page.getByLabel("Quantité pour Attended Bot Runner")).toBeVisible();
    await page.getByRole("button", { name: "Émettre le fichier de licence" }).click();
    await expect(page.getByLabel("Nom d'hôte")).toHaveAccessibleDescription(/Saisissez le nom d'hôte/);

    await open("cloud-services");
    const row = page.getByRole("table", { name: "Instances de service" }).getByRole("row", { name: /^Control Room/ });
    await expect(row).toContainText("Prêt pour le provisionnement");
    await row.getByRole("button", { name: /^Provisionner Control Room/ }).click();
    await expect(page.getByLabel("Région")).toBeVisible();
    await expect(page.getByLabel("Nom du locataire")).toBeVisible();
    await expect(page.getByRole("button", { name: "Lancer le provisionnement" })).toBeVisible();
  });
});
