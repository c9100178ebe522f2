import { expect, test } from "./fixtures/test";
import { hydrated, users } from "./fixtures/portal";

test.describe("with a French browser", () => {
  test.use({ locale: "fr-FR" });

  test("the interface shows the French labels of the spec", async ({ page }) => {
    await page.goto("/sign-in");
    await hydrated(page);
    await expect(page.locator("html")).toHaveAttribute("lang", "fr");
    await page.getByLabel("Adresse e-mail", { exact: true }).fill(users.partner.email);
    await page.getByLabel("Mot de passe", { exact: true }).fill("demo");
    await page.getByRole("button", { name: "Se connecter" }).click();

    await expect(page.getByRole("heading", { name: "Licences et services cloud" })).toBeVisible();
    await expect(page.getByRole("link", { name: "Licences et services cloud" })).toBeVisible();
    await expect(page.getByLabel("Sélectionner un compte")).toBeVisible();
    await expect(page.getByRole("link", { name: "Droits de licence" })).toBeVisible();
    await expect(page.getByRole("button", { name: "Se déconnecter" })).toBeVisible();
    await expect(page.getByLabel("Langue")).toHaveValue("fr");
    await expect(page.getByRole("columnheader", { name: "Disponible" })).toBeVisible();
    await expect(page.getByText("12 mois").first()).toBeVisible();
  });
});

test("the language chosen in the select is applied at once and remembered", async ({ page }) => {
  await page.goto("/sign-in");
  await hydrated(page);
  await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
  const language = page.getByLabel("Language");
  await expect(language.locator("option")).toHaveText(["English", "Français"]);

  await language.selectOption({ label: "Français" });
  await expect(page.getByRole("button", { name: "Se connecter" })).toBeVisible();
  await expect(page.locator("html")).toHaveAttribute("lang", "fr");

  // Remembered for the next page load, despite the English browser.
  await expect.poll(async () => (await page.context().cookies()).find((c) => c.name === "portal_lang")?.value).toBe("fr");
  await page.reload();
  await hydrated(page);
  await expect(page.getByRole("button", { name: "Se connecter" })).toBeVisible();
});
