import { expect, test } from "./fixtures/test";
import { SignInPage, hydrated, signInAs, users } from "./fixtures/portal";

for (const user of Object.values(users)) {
  test(`${user.email} signs in and out`, async ({ page }) => {
    const area = await signInAs(page, user);
    await expect(page.getByText(user.name)).toBeVisible();
    await expect(area.accountSelect).toBeVisible();

    await area.signOut.click();
    await expect(page).toHaveURL(/\/sign-in$/);
    await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
    await expect(area.signOut).toHaveCount(0);

    // The session is gone on the server too, not only hidden.
    await page.goto("/licenses");
    await expect(page).toHaveURL(/\/sign-in$/);
  });
}

test("a wrong password and an unknown email get the same generic message", async ({ page }) => {
  const signIn = new SignInPage(page);
  await signIn.open();
  await signIn.signIn(users.partner.email, "not-the-password");
  await expect(signIn.alert).toHaveText("Wrong email or password.");
  await expect(page).toHaveURL(/\/sign-in$/);

  await signIn.signIn("nobody@example.com", "demo");
  await expect(signIn.alert).toHaveText("Wrong email or password.");
});

test("a visitor who is not signed in is sent to sign in", async ({ page }) => {
  await page.goto("/licenses/2/entitlements");
  await expect(page).toHaveURL(/\/sign-in$/);
});

test.describe("after five failed sign-ins of one account", () => {
  // One worker for the describe, so the five failures are made once; an
  // address of this run's own, so no other test's account is held back.
  test.describe.configure({ mode: "serial" });
  const email = `throttled-${process.env.PORTAL_E2E_STAMP ?? Date.now()}@example.com`;

  test.beforeAll(async ({ playwright }) => {
    const api = await playwright.request.newContext({ baseURL: "http://127.0.0.1:3000" });
    for (let i = 0; i < 5; i++) {
      const response = await api.post("/api/sign_in", { form: { email, password: "guess" } });
      expect(response.status()).toBe(401);
    }
    await api.dispose();
  });

  test("the next attempt is refused for a while, in English", async ({ page }) => {
    const signIn = new SignInPage(page);
    await signIn.open();
    await signIn.signIn(email, "guess");
    await expect(signIn.alert).toHaveText(/^Too many failed sign-ins\. Try again in 1[45] minutes\.$/);
  });

  test.describe("in French", () => {
    test.use({ locale: "fr-FR" });
    test("the refusal says how long to wait", async ({ page }) => {
      await page.goto("/sign-in");
      await hydrated(page);
      await page.getByLabel("Adresse e-mail", { exact: true }).fill(email);
      await page.getByLabel("Mot de passe", { exact: true }).fill("guess");
      await page.getByRole("button", { name: "Se connecter" }).click();
      await expect(page.getByRole("alert")).toHaveText(/^Trop de connexions échouées\. Réessayez dans 1[45] minutes\.$/);
    });
  });
});
