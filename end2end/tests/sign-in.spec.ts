import { expect, test } from "@playwright/test";
import { SignInPage, signInAs, users } from "./fixtures/portal";

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
